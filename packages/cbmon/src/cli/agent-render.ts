/** Tables for the agent commands. */
import type { AgentJobResult } from '@cloud-barista/agent/install';
import { makeTable } from './render.js';

export function agentTable(r: AgentJobResult): string {
  const rows = r.vms.map((v) => [
    v.vm,
    v.ok ? v.result : 'FAILED',
    v.status?.version ?? null,
    v.status?.mode ?? null,
    v.status?.intervalS ? `${v.status.intervalS}s` : null,
    v.ok
      ? v.status?.running
        ? `running (pid ${v.status.pid})`
        : v.status
          ? 'stopped'
          : null
      : `${v.error}${v.hint ? ` (${v.hint})` : ''}`,
  ]);
  return `${makeTable(['VM', 'RESULT', 'VERSION', 'MODE', 'INTERVAL', 'STATE'], rows)}\nagent ${r.version} · MCIS ${r.ns}/${r.mcis}`;
}

export interface AgentStatusRow {
  vm: string;
  reachable: boolean;
  installed: boolean | null;
  running: boolean | null;
  version: string | null;
  mode: 'pull' | 'push' | null;
  intervalS: number | null;
  /** The agent's newest sample. */
  seq: number | null;
  ringFirst: number | null;
  ringKb: number | null;
  /** The newest sample the store has. */
  stored: number | null;
  lag: number | null;
  lost: number | null;
  error: string | null;
}

export function statusTable(rows: AgentStatusRow[]): string {
  return makeTable(
    ['VM', 'AGENT', 'VERSION', 'MODE', 'INTERVAL', 'SEQ', 'RING', 'STORED', 'LAG', 'LOST'],
    rows.map((r) => [
      r.vm,
      !r.reachable
        ? `unreachable: ${r.error}`
        : !r.installed
          ? 'not installed'
          : r.running
            ? 'running'
            : 'stopped',
      r.version,
      r.mode,
      r.intervalS ? `${r.intervalS}s` : null,
      r.seq,
      r.ringFirst !== null && r.seq !== null && r.installed
        ? r.seq >= r.ringFirst
          ? `${r.ringFirst}..${r.seq} (${r.ringKb} KiB)`
          : 'empty'
        : null,
      r.stored,
      r.lag,
      r.lost,
    ]),
  );
}
