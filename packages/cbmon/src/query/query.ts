/**
 * `cbmon query`: one metric over a time window, a statistic per group (VM, subgroup, cloud, region,
 * series or all), over the whole window and per step. Pure over the points the store returns.
 */
import { metricInfo } from '../metrics.js';
import type { SeriesData } from '@cloud-barista/agent/store/types';
import { groupKey, stat, type GroupBy, type Stat } from './stats.js';

export interface QueryOptions {
  metric: string;
  stat: Stat;
  by: GroupBy;
  fromMs: number;
  toMs: number;
  /** Bucket width; absent: about 60 buckets over the window, rounded to whole seconds/minutes. */
  stepMs?: number;
}

export interface QueryGroup {
  key: string;
  /** How many series (VMs × disks/interfaces) fed this group. */
  series: number;
  value: number | null;
  points: Array<{ ts: string; value: number | null }>;
}

export interface QueryResult {
  metric: string;
  unit: string;
  stat: Stat;
  by: GroupBy;
  from: string;
  to: string;
  stepMs: number;
  groups: QueryGroup[];
}

const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map(
  (s) => s * 1000,
);

export function autoStep(windowMs: number, buckets = 60): number {
  const raw = windowMs / buckets;
  return NICE_STEPS.find((s) => s >= raw) ?? NICE_STEPS.at(-1)!;
}

export function runQuery(series: SeriesData[], o: QueryOptions): QueryResult {
  const stepMs = o.stepMs ?? autoStep(o.toMs - o.fromMs);
  const groups = new Map<string, SeriesData[]>();
  for (const s of series) {
    const k = groupKey(s, o.by);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const first = Math.floor(o.fromMs / stepMs) * stepMs;
  const out: QueryGroup[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([key, members]) => {
      const all = members.flatMap((m) => m.points).filter((p) => p.ts >= o.fromMs && p.ts <= o.toMs);
      const buckets = new Map<number, typeof all>();
      for (const p of all) {
        const b = Math.floor(p.ts / stepMs) * stepMs;
        buckets.set(b, [...(buckets.get(b) ?? []), p]);
      }
      const points: QueryGroup['points'] = [];
      for (let b = first; b <= o.toMs; b += stepMs)
        points.push({ ts: new Date(b).toISOString(), value: stat(buckets.get(b) ?? [], o.stat) });
      return { key, series: members.length, value: stat(all, o.stat), points };
    });
  return {
    metric: o.metric,
    unit: metricInfo(o.metric)?.unit ?? '',
    stat: o.stat,
    by: o.by,
    from: new Date(o.fromMs).toISOString(),
    to: new Date(o.toMs).toISOString(),
    stepMs,
    groups: out,
  };
}
