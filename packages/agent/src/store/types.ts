import type { VmRef } from '../sample.js';

/**
 * One point of a series as queries see it: a raw sample is {v, v, v, 1, v}; a 1-minute rollup carries
 * its minute's min, max, sum, count and last value. Statistics over both mix without special cases.
 */
export interface AggPoint {
  ts: number;
  min: number;
  max: number;
  sum: number;
  n: number;
  last: number;
}

/** One metric of one series of one VM (e.g. disk_utilization of mount=/ on web-1). */
export interface SeriesData {
  ref: VmRef;
  metric: string;
  /** Series tags within the VM ('' when the metric has one series per VM). */
  tags: string;
  points: AggPoint[];
}

export interface AgentRecord {
  ns: string;
  mcis: string;
  vm: string;
  mode: 'pull' | 'push';
  intervalS: number;
  ringS: number;
  version: string;
  pushUrl: string | null;
  installedAt: string;
  /** What the collector has stored: the agent's epoch and the last sequence number. */
  epoch: string | null;
  lastSeq: number;
  lastTs: number | null;
  /** Samples that were gone from the agent's ring before the collector could read them. */
  lost: number;
}

/** Where the collector got to with one agent, written with the samples it covers. */
export interface Cursor {
  ns: string;
  mcis: string;
  vm: string;
  epoch?: string;
  lastSeq: number;
  lastTs: number;
  lostDelta?: number;
}
