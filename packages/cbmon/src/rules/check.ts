/**
 * `cbmon check`: does a rule fire on an MCIS? From the store when a collector keeps it current, or
 * straight from the agents' rings over SSH (the last hour is on every VM), so a CI job needs no
 * collector. VMs that cannot be judged (unreachable, no data) are listed, not silently passed.
 */
import type { Core } from '@cloud-barista/core';
import { Semaphore } from '@cloud-barista/core/util/limit';
import { followAgent } from '../agent/follow.js';
import { seriesTags, type Sample } from '@cloud-barista/agent/sample';
import type { SeriesData } from '@cloud-barista/agent/store/types';
import { reach, type MonTarget } from '@cloud-barista/agent/targets';
import { storeScope, collectorRunning, type VmScope } from '../scope.js';
import { evaluate, type Evaluation, type Rule } from './rule.js';

export type CheckSource = 'auto' | 'store' | 'agents';

export interface CheckResult {
  rule: string;
  ns: string;
  mcis: string;
  source: 'store' | 'agents';
  /** 'now': does it hold at the newest sample; 'window': did it hold at any time since `from`. */
  mode: 'now' | 'window';
  from: string;
  fired: boolean;
  series: Array<
    Omit<Evaluation, 'ref' | 'since' | 'lastTs'> & {
      vm: string;
      since: string | null;
      lastSample: string | null;
    }
  >;
  unavailable: Array<{ vm: string; reason: string }>;
}

/** Samples → one series of `metric` per VM and series tags. */
export function seriesFromSamples(samples: Sample[], metric: string): SeriesData[] {
  const out = new Map<string, SeriesData>();
  for (const s of samples) {
    for (const p of s.points) {
      const v = p.fields[metric];
      if (v === undefined) continue;
      const tags = seriesTags(p.tags);
      const key = `${s.ref.vm}\t${tags}`;
      let d = out.get(key);
      if (!d) {
        d = { ref: s.ref, metric, tags, points: [] };
        out.set(key, d);
      }
      d.points.push({ ts: s.tsMs, min: v, max: v, sum: v, n: 1, last: v });
    }
  }
  return [...out.values()];
}

async function fromAgents(
  core: Core,
  targets: MonTarget[],
  fromMs: number,
  metric: string,
  signal: AbortSignal,
): Promise<{ series: SeriesData[]; unavailable: CheckResult['unavailable'] }> {
  const sem = new Semaphore(32);
  const series: SeriesData[] = [];
  const unavailable: CheckResult['unavailable'] = [];
  await Promise.all(
    targets.map((t) =>
      sem.run(async () => {
        const samples: Sample[] = [];
        try {
          await followAgent({
            transport: core.exec,
            ref: t.ref,
            reach: () => reach(core, t.ref),
            start: { since: 0 },
            sinceTsMs: fromMs,
            follow: false,
            signal,
            onSamples: (s) => samples.push(...s),
          });
          series.push(...seriesFromSamples(samples, metric));
        } catch (e) {
          unavailable.push({ vm: t.ref.vm, reason: (e as Error).message });
        }
      }),
    ),
  );
  return { series, unavailable };
}

export async function runCheck(o: VmScope & {
  rule: Rule;
  /** Look back this far and fire if the rule held at any time; absent: does it hold now. */
  sinceMs?: number;
  source: CheckSource;
  signal: AbortSignal;
}): Promise<CheckResult> {
  const now = Date.now();
  const mode = o.sinceMs === undefined ? 'now' : 'window';
  // "Now" needs enough history to cover the rule's duration, plus slack for sample spacing.
  const fromMs = now - (o.sinceMs ?? o.rule.forMs + 60_000);
  const { filter, targets } = storeScope(o);
  const source = o.source === 'auto' ? (collectorRunning(o.core) || !targets ? 'store' : 'agents') : o.source;
  let series: SeriesData[];
  const unavailable: CheckResult['unavailable'] = [];
  if (source === 'agents' && targets) {
    const r = await fromAgents(o.core, targets, fromMs, o.rule.metric, o.signal);
    series = r.series;
    unavailable.push(...r.unavailable);
  } else {
    series = o.store.readMetric({ filter, metric: o.rule.metric, fromMs, toMs: now });
  }
  const evaluated = series.map((s) => evaluate(o.rule, s, { mode, nowMs: now }));
  const judged = new Set(evaluated.filter((e) => e.lastTs !== null).map((e) => e.ref.vm));
  for (const vm of filter.vms ?? []) {
    if (!judged.has(vm) && !unavailable.some((u) => u.vm === vm))
      unavailable.push({ vm, reason: `no ${o.rule.metric} samples since ${new Date(fromMs).toISOString()}` });
  }
  return {
    rule: o.rule.text,
    ns: o.ns,
    mcis: o.mcis,
    source,
    mode,
    from: new Date(fromMs).toISOString(),
    fired: evaluated.some((e) => e.fired),
    series: evaluated
      .map(({ ref, since, lastTs, ...rest }) => ({
        vm: ref.vm,
        ...rest,
        since: since === null ? null : new Date(since).toISOString(),
        lastSample: lastTs === null ? null : new Date(lastTs).toISOString(),
      }))
      .sort((a, b) => `${a.vm} ${a.tags}`.localeCompare(`${b.vm} ${b.tags}`, 'en', { numeric: true })),
    unavailable: unavailable.sort((a, b) => a.vm.localeCompare(b.vm, 'en', { numeric: true })),
  };
}
