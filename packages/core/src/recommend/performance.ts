/**
 * The `performance` priority's figure from `cbadm mcis benchmark` results: a weighted geometric
 * mean of all-core CPU throughput (½), memory (¼) and disk (¼) throughput. A geometric mean makes
 * the ratio of two composites the weighted mean of the per-metric ratios, so no unit dominates.
 */
import { regionKey, type BenchmarkRecord } from '../records/catalog.js';
import type { Candidate, PerfInfo } from './engine.js';

/** Weight of a benchmark of the same spec taken in another region of the same provider. */
export const ELSEWHERE_DISCOUNT = 0.9;

export function composite(b: Pick<BenchmarkRecord, 'cpuMultiOps' | 'memMBps' | 'diskMBps'>): number {
  const pos = (x: number) => Math.max(x, 1e-9);
  return pos(b.cpuMultiOps) ** 0.5 * pos(b.memMBps) ** 0.25 * pos(b.diskMBps) ** 0.25;
}

function human(n: number, unit: string): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G${unit}`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M${unit}`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k${unit}`;
  return `${n.toFixed(0)} ${unit}`;
}

export function describeBenchmark(b: BenchmarkRecord): string {
  return `cpu ${human(b.cpuMultiOps, 'ops/s')} all cores (${human(b.cpuSingleOps, 'ops/s')} one), memory ${human(b.memMBps * 1e6, 'B/s')}, disk ${human(b.diskMBps * 1e6, 'B/s')}; ${b.vms} VM(s) of MCIS ${b.mcis}, ${b.measuredAt.slice(0, 10)}`;
}

/**
 * Looks a candidate up by provider/region/spec; falls back to the same spec measured in another
 * region of the same provider (same hardware), saying so. Lookups build no strings: the recommender
 * calls this once per candidate, 50,000 times.
 */
export function performanceLookup(records: readonly BenchmarkRecord[]): (c: Candidate) => PerfInfo | undefined {
  const newest = new Map<string, BenchmarkRecord>();
  for (const r of records) {
    const k = `${regionKey(r.provider, r.region)}/${r.spec}`;
    const prev = newest.get(k);
    if (!prev || prev.measuredAt < r.measuredAt) newest.set(k, r);
  }
  // provider → spec → region → info, and provider → spec → newest info anywhere.
  const exact = new Map<string, Map<string, Map<string, PerfInfo>>>();
  const anywhere = new Map<string, Map<string, { at: string; info: PerfInfo }>>();
  for (const r of newest.values()) {
    const value = composite(r);
    const bySpec = exact.get(r.provider) ?? new Map<string, Map<string, PerfInfo>>();
    exact.set(r.provider, bySpec);
    const byRegion = bySpec.get(r.spec) ?? new Map<string, PerfInfo>();
    bySpec.set(r.spec, byRegion);
    byRegion.set(r.region, { value, detail: describeBenchmark(r) });
    const any = anywhere.get(r.provider) ?? new Map<string, { at: string; info: PerfInfo }>();
    anywhere.set(r.provider, any);
    const prev = any.get(r.spec);
    // Same hardware elsewhere is evidence, not a measurement of this region: discounted, so a spec
    // measured where it would run ranks above the same spec extrapolated to another region.
    if (!prev || prev.at < r.measuredAt) any.set(r.spec, { at: r.measuredAt, info: { value: value * ELSEWHERE_DISCOUNT, detail: `${describeBenchmark(r)} (measured in ${r.region}, counted at ${ELSEWHERE_DISCOUNT}×)` } });
  }
  return (c) => {
    const bySpec = exact.get(c.provider)?.get(c.name);
    if (!bySpec) return undefined;
    return bySpec.get(c.region) ?? anywhere.get(c.provider)?.get(c.name)?.info;
  };
}
