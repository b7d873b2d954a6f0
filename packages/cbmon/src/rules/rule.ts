/**
 * Alert rules: `METRIC OP THRESHOLD [for DURATION]`, e.g. `cpu_utilization > 80 for 2m` or
 * `mem_available < 512M`. Parsing is pure and names what is wrong; evaluation works on stored or
 * streamed points and is the same for `cbmon check`, `alert` and the collector.
 */
import { UsageError } from '@cloud-barista/core/errors';
import { parseDuration } from '@cloud-barista/agent/duration';
import { requireMetric } from '../metrics.js';
import type { VmRef } from '@cloud-barista/agent/sample';
import type { AggPoint, SeriesData } from '@cloud-barista/agent/store/types';

export const OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Op = (typeof OPS)[number];

export interface Rule {
  text: string;
  metric: string;
  op: Op;
  threshold: number;
  /** How long the condition must hold without a break; 0 = any single sample. */
  forMs: number;
}

const SUFFIX: Record<string, number> = {
  '': 1,
  '%': 1,
  k: 1024,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};
const RULE =
  /^\s*([a-z][a-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)([%kKMGT]?)\s*(?:for\s+(\S+))?\s*$/;

function bad(text: string, why: string): UsageError {
  return new UsageError(`--rule '${text}': ${why}`, {
    hint: "write METRIC OP NUMBER [for DURATION], e.g. 'cpu_utilization > 80 for 2m' or 'mem_available < 512M'",
    issues: [{ path: '--rule', message: why }],
  });
}

export function parseRule(text: string): Rule {
  const m = RULE.exec(text);
  if (!m) {
    const op = /(>=|<=|==|!=|>|<)/.exec(text);
    if (!op) throw bad(text, `no comparison (one of ${OPS.join(' ')})`);
    const [left = '', right = ''] = text.split(op[0]);
    if (!/^\s*[a-z][a-z0-9_]*\s*$/.test(left)) throw bad(text, `'${left.trim()}' is not a metric name`);
    if (!/^\s*-?\d/.test(right)) throw bad(text, `'${right.trim().split(/\s+/)[0] ?? ''}' is not a number`);
    throw bad(text, "expected an optional 'for DURATION' after the number (units: %, k, M, G, T)");
  }
  const [, metric = '', op = '>', num = '0', unit = '', dur] = m;
  requireMetric(metric, '--rule');
  const forMs = dur === undefined ? 0 : parseDuration(dur, '--rule (for …)');
  return { text: text.trim(), metric, op: op as Op, threshold: Number(num) * SUFFIX[unit]!, forMs };
}

export function holds(rule: Rule, v: number): boolean {
  switch (rule.op) {
    case '>':
      return v > rule.threshold;
    case '>=':
      return v >= rule.threshold;
    case '<':
      return v < rule.threshold;
    case '<=':
      return v <= rule.threshold;
    case '==':
      return v === rule.threshold;
    case '!=':
      return v !== rule.threshold;
  }
}

export interface Evaluation {
  ref: VmRef;
  /** Series tags within the VM ('' for cpu, mem, system). */
  tags: string;
  fired: boolean;
  /** Start of the run that fired (or of the current run, when it is too short yet). */
  since: number | null;
  /** How long the condition held in that run. */
  heldMs: number;
  /** The newest value. */
  value: number | null;
  lastTs: number | null;
  /** No sample recent enough to judge "now". */
  stale: boolean;
}

const MIN_GAP_MS = 15_000;

function valueOf(p: AggPoint): number {
  return p.n === 1 ? p.last : p.sum / p.n;
}

/** Typical spacing of a series: its median step (1 s at least). */
function typicalStep(points: AggPoint[]): number {
  const d: number[] = [];
  for (let i = 1; i < points.length; i++) d.push(points[i]!.ts - points[i - 1]!.ts);
  d.sort((a, b) => a - b);
  return Math.max(1_000, d[Math.floor(d.length / 2)] ?? 1_000);
}

/**
 * Did the rule fire on this series? `mode: 'now'` asks whether it holds at the newest sample (an
 * alert's state); `'window'` whether it held long enough at any time in the points given (a CI
 * check over the last 15 minutes). A gap of more than 3 steps (and 15 s) breaks a run: no data is
 * not "still above the threshold".
 */
export function evaluate(
  rule: Rule,
  s: SeriesData,
  opts: { mode: 'now' | 'window'; nowMs: number; staleMs?: number },
): Evaluation {
  const pts = [...s.points].sort((a, b) => a.ts - b.ts);
  const last = pts.at(-1);
  const base = { ref: s.ref, tags: s.tags, value: last ? valueOf(last) : null, lastTs: last?.ts ?? null };
  if (!last) return { ...base, fired: false, since: null, heldMs: 0, stale: true };
  // A few missed samples (a busy VM, a reconnect) do not break a run, and the newest sample counts
  // as "now" for as long: the same slack Prometheus gives with its staleness window.
  const maxGap = Math.max(3 * typicalStep(pts), MIN_GAP_MS);
  const stale = opts.nowMs - last.ts > (opts.staleMs ?? maxGap);
  let runStart: number | null = null;
  let prevTs = -Infinity;
  let best: { since: number; heldMs: number } | null = null;
  for (const p of pts) {
    if (runStart !== null && p.ts - prevTs > maxGap) runStart = null;
    if (holds(rule, valueOf(p))) {
      runStart ??= p.ts;
      const held: number = p.ts - runStart;
      // The longest run that qualifies is the one reported.
      if (held >= rule.forMs && (!best || held > best.heldMs)) best = { since: runStart, heldMs: held };
    } else {
      runStart = null;
    }
    prevTs = p.ts;
  }
  if (opts.mode === 'now') {
    const current = runStart !== null ? { since: runStart, heldMs: last.ts - runStart } : null;
    const fired = !stale && current !== null && current.heldMs >= rule.forMs;
    return { ...base, fired, since: current?.since ?? null, heldMs: current?.heldMs ?? 0, stale };
  }
  return { ...base, fired: best !== null, since: best?.since ?? null, heldMs: best?.heldMs ?? 0, stale };
}
