/**
 * Round-trip times between regions: measured where an imported matrix has the pair, estimated from
 * great-circle distance otherwise (model in geo.ts). And the `latency` priority's search: for each
 * region, the set of N regions containing it (plus any anchors) with the least total pairwise RTT.
 */
import { regionKey, type LatencyEntry, type RegionRef } from '../records/catalog.js';
import { distanceKm, estimateRttMs, type LatLon } from './geo.js';

export interface Rtt {
  ms: number;
  measured: boolean;
}

export type Locate = (provider: string, region: string) => LatLon | undefined;

export class LatencyModel {
  private readonly measured = new Map<string, number>();

  /** `entries` may hold both directions of a pair; they are averaged (RTT is symmetric up to noise). */
  constructor(
    entries: readonly LatencyEntry[],
    private readonly locate: Locate,
  ) {
    const sums = new Map<string, { sum: number; n: number }>();
    for (const e of entries) {
      const k = LatencyModel.pairKey(regionKey(e.from.provider, e.from.region), regionKey(e.to.provider, e.to.region));
      const s = sums.get(k) ?? { sum: 0, n: 0 };
      s.sum += e.rttMs;
      s.n++;
      sums.set(k, s);
    }
    for (const [k, s] of sums) this.measured.set(k, s.sum / s.n);
  }

  private static pairKey(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  get measuredPairs(): number {
    return this.measured.size;
  }

  /** Undefined when the pair was never measured and a location is unknown. */
  rtt(a: RegionRef, b: RegionRef): Rtt | undefined {
    const ka = regionKey(a.provider, a.region);
    const kb = regionKey(b.provider, b.region);
    const m = this.measured.get(LatencyModel.pairKey(ka, kb));
    if (m !== undefined) return { ms: m, measured: true };
    if (ka === kb) return { ms: estimateRttMs(0), measured: false };
    const la = this.locate(a.provider, a.region);
    const lb = this.locate(b.provider, b.region);
    if (!la || !lb) return undefined;
    return { ms: estimateRttMs(distanceKm(la, lb)), measured: false };
  }
}

export interface RegionSet {
  /** Indices into the `regions` passed in (anchors are not listed). */
  members: number[];
  totalMs: number;
  measuredPairs: number;
  estimatedPairs: number;
}

/**
 * For every region r: greedily grows {anchors…, r} by the region adding the least RTT to the set
 * until `size` regions of ours are in it. Exact search is a min-sum k-subset problem (NP-hard);
 * greedy from every seed is O(R²·size²) and within a few percent on real geographies.
 * Regions whose RTT to an anchor is unknown get no set (undefined).
 */
export function bestRegionSets(regions: readonly RegionRef[], anchors: readonly RegionRef[], size: number, model: LatencyModel): Array<RegionSet | undefined> {
  const all = [...regions, ...anchors];
  const n = all.length;
  const ms = new Float64Array(n * n);
  const measured = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const r = model.rtt(all[i]!, all[j]!);
      const v = r ? r.ms : Infinity;
      ms[i * n + j] = ms[j * n + i] = v;
      measured[i * n + j] = measured[j * n + i] = r?.measured ? 1 : 0;
    }
  }
  const anchorIdx = anchors.map((_, k) => regions.length + k);
  const out: Array<RegionSet | undefined> = [];
  const inSet = new Uint8Array(n);
  for (let r = 0; r < regions.length; r++) {
    inSet.fill(0);
    const set = [...anchorIdx, r];
    for (const s of set) inSet[s] = 1;
    const members = [r];
    while (members.length < size) {
      let best = -1;
      let bestAdd = Infinity;
      for (let x = 0; x < regions.length; x++) {
        if (inSet[x]) continue;
        let add = 0;
        for (const s of set) add += ms[x * n + s]!;
        if (add < bestAdd) {
          bestAdd = add;
          best = x;
        }
      }
      if (best < 0) break;
      set.push(best);
      members.push(best);
      inSet[best] = 1;
    }
    let total = 0;
    let m = 0;
    let e = 0;
    for (let i = 0; i < set.length; i++) {
      for (let j = i + 1; j < set.length; j++) {
        const a = set[i]!;
        const b = set[j]!;
        total += ms[a * n + b]!;
        if (measured[a * n + b]) m++;
        else e++;
      }
    }
    out.push(Number.isFinite(total) && members.length === size ? { members, totalMs: total, measuredPairs: m, estimatedPairs: e } : undefined);
  }
  return out;
}
