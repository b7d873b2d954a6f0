/**
 * The ranking engine: pure, synchronous, no I/O. Candidates (provider, region, spec, price) are
 * filtered, scored per priority in [0, 1] (1 = the best among the matches), combined by weight and
 * sorted; every score of the returned candidates carries the reason for it.
 *
 * Scores are ratios to the best match, so weights mean the same whatever the spread of the data:
 * - cost: cheapest price ÷ this price (no price → 0).
 * - location: (best worst-distance + 500 km) ÷ (this worst-distance + 500 km), where the
 *   worst-distance is the largest great-circle distance to the user places: one place means
 *   nearest, several mean fairest (minimise the worst). The 500 km keep a region 10 km away from
 *   scoring 10× one 100 km away: both are "in the same metro area" for latency purposes.
 * - latency: (best set total + 10 ms) ÷ (this region's best set total + 10 ms), where a set is
 *   N regions including this one (and any anchors) with the least total pairwise RTT.
 * - performance: benchmark composite ÷ the best composite (not benchmarked → 0).
 *
 * Speed: per-region work (distances, RTT sets) is done once per distinct region, per-candidate work
 * is a few array writes, and reasons are written only for the candidates returned: 50,000
 * candidates rank in a few tens of milliseconds (bench/recommend.mjs).
 */
import { UsageError } from '../errors.js';
import { compileFilter, explainEmpty, type EmptyExplanation, type Filterable, type SpecFilter } from '../catalog/filter.js';
import { regionKey, type GpuInfo, type RegionRef } from '../records/catalog.js';
import { distanceKm, estimateRttMs, type LatLon, type NamedPoint } from './geo.js';
import { bestRegionSets, type LatencyModel, type RegionSet } from './latency.js';
import { type Priority, type Weights } from './weights.js';

/** Why a candidate has no price: ranked last on cost, never taken as free. */
function noPriceReason(c: Filterable): string {
  // OpenStack has no pricing API: only the connection's own price table gives prices.
  return c.provider === 'openstack'
    ? 'no price: OpenStack publishes none; give the connection a price table (connection add … --price-file FILE), then catalog update'
    : 'no price in the catalog';
}

export interface Candidate extends Filterable {
  /** A connection that reaches this provider region, when there is one. */
  connection?: string;
}

export interface PerfInfo {
  /** Composite benchmark figure; higher is better (see recommend/performance.ts). */
  value: number;
  /** Human summary of what was measured. */
  detail: string;
}

export interface RankContext {
  locate(provider: string, region: string): (LatLon & { display?: string }) | undefined;
  latency: LatencyModel;
  performance?(c: Candidate): PerfInfo | undefined;
}

export interface RankRequest {
  filter?: SpecFilter;
  weights: Weights;
  /** User places for `location` (and for the distance column). */
  near?: readonly NamedPoint[];
  /** For `latency`: how many regions the set has, and regions it must contain. */
  regionSet?: { size: number; anchors?: readonly RegionRef[] };
  /** How many ranked candidates to return (default 20; 0 means all). */
  limit?: number;
  /** Return only the best candidate of each region (placement alternates must be elsewhere). */
  onePerRegion?: boolean;
}

export interface ScorePart {
  score: number;
  weight: number;
  reason: string;
}

export interface RankedCandidate {
  rank: number;
  provider: string;
  region: string;
  spec: string;
  vcpu: number;
  memoryGiB: number;
  arch: string;
  gpu: GpuInfo | null;
  pricePerHour: number | null;
  connection: string | null;
  /** Worst great-circle distance to the user places, km (with --near). */
  distanceKm: number | null;
  /** Total RTT of this region's best set, ms (with a region set). */
  rttMs: number | null;
  /** The best set's regions as provider:region, this one first (with a region set). */
  regionSet: string[] | null;
  score: number;
  scores: Partial<Record<Priority, ScorePart>>;
}

export interface RankResult {
  candidates: RankedCandidate[];
  considered: number;
  matched: number;
  weights: Weights;
  /** When nothing matched: the constraint that eliminated the most candidates. */
  empty?: EmptyExplanation;
  warnings: string[];
}

const LOCATION_SOFTEN_KM = 500;
const LATENCY_SOFTEN_MS = 10;

const km = (n: number) => `${Math.round(n).toLocaleString('en-US')} km`;
const usd = (n: number) => `$${n < 0.1 ? n.toFixed(4) : n.toFixed(3)}/h`;
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;

/** Checks the request against what each weighted priority needs; throws UsageError naming the flag. */
export function checkRequest(req: RankRequest): void {
  if (req.weights.location > 0 && !req.near?.length) {
    throw new UsageError('the location priority needs a place: --near LAT,LON or --near-city NAME (repeat for several users: fairest wins)', {
      hint: 'e.g. --priority location --near-city Seoul',
    });
  }
  if (req.weights.latency > 0) {
    const size = req.regionSet?.size ?? 0;
    const anchors = req.regionSet?.anchors?.length ?? 0;
    if (size < 1 || (size < 2 && anchors === 0)) {
      throw new UsageError('the latency priority ranks sets of regions: give --set-size N (N ≥ 2 regions to place together) or --anchor PROVIDER:REGION (regions you already use)', {
        hint: 'e.g. --priority latency --set-size 3, or --priority latency --anchor aws:ap-northeast-2',
      });
    }
  }
}

export function rank(all: readonly Candidate[], ctx: RankContext, req: RankRequest): RankResult {
  checkRequest(req);
  const warnings: string[] = [];
  const w = req.weights;
  const limit = req.limit ?? 20;
  const constraints = compileFilter(req.filter ?? {});

  // ── filter ────────────────────────────────────────────────────────────────
  const matched: Candidate[] = [];
  outer: for (const c of all) {
    for (const k of constraints) if (!k.test(c)) continue outer;
    matched.push(c);
  }
  if (!matched.length) {
    const empty = explainEmpty(all, req.filter ?? {});
    return { candidates: [], considered: all.length, matched: 0, weights: w, warnings, ...(empty ? { empty } : {}) };
  }

  // ── per-region work ───────────────────────────────────────────────────────
  // provider → region → index: no string building per candidate.
  const regionIndex = new Map<string, Map<string, number>>();
  const regions: RegionRef[] = [];
  const regionOf = new Int32Array(matched.length);
  for (let i = 0; i < matched.length; i++) {
    const c = matched[i]!;
    let byRegion = regionIndex.get(c.provider);
    if (!byRegion) regionIndex.set(c.provider, (byRegion = new Map<string, number>()));
    let r = byRegion.get(c.region);
    if (r === undefined) {
      r = regions.length;
      byRegion.set(c.region, r);
      regions.push({ provider: c.provider, region: c.region });
    }
    regionOf[i] = r;
  }
  const near = req.near ?? [];
  const worstKm = new Float64Array(regions.length).fill(NaN);
  const worstAt = new Int32Array(regions.length);
  if (near.length) {
    regions.forEach((r, i) => {
      const loc = ctx.locate(r.provider, r.region);
      if (!loc) return;
      let worst = -1;
      near.forEach((p, k) => {
        const d = distanceKm(loc, p);
        if (d > worst) {
          worst = d;
          worstAt[i] = k;
        }
      });
      worstKm[i] = worst;
    });
  }
  let sets: Array<RegionSet | undefined> = [];
  if (req.regionSet && (w.latency > 0 || req.regionSet.size > 1 || req.regionSet.anchors?.length)) {
    let size = req.regionSet.size;
    if (size > regions.length) {
      warnings.push(`only ${regions.length} region(s) match, so sets have ${regions.length} region(s), not ${size}`);
      size = regions.length;
    }
    sets = bestRegionSets(regions, req.regionSet.anchors ?? [], Math.max(1, size), ctx.latency);
  }

  // ── best values, for ratio scores ────────────────────────────────────────
  let minPrice = Infinity;
  for (const c of matched) if (c.pricePerHour !== undefined && c.pricePerHour < minPrice) minPrice = c.pricePerHour;
  let bestKm = Infinity;
  for (const d of worstKm) if (d < bestKm) bestKm = d;
  let bestSet = Infinity;
  let bestSetAt = -1;
  sets.forEach((s, i) => {
    if (s && s.totalMs < bestSet) {
      bestSet = s.totalMs;
      bestSetAt = i;
    }
  });
  const perf: Array<PerfInfo | undefined> = w.performance > 0 && ctx.performance ? matched.map((c) => ctx.performance!(c)) : [];
  let bestPerf = 0;
  for (const p of perf) if (p && p.value > bestPerf) bestPerf = p.value;

  if (w.cost > 0 && minPrice === Infinity) warnings.push('no matching spec has a price: run `cbadm catalog update` to fetch prices');
  if (w.location > 0 && bestKm === Infinity) warnings.push('no matching region has a known location');
  if (w.latency > 0 && bestSetAt < 0) warnings.push('no region set has a known RTT between all its members');
  if (w.performance > 0 && bestPerf === 0) warnings.push('no matching spec has benchmark results: run `cbadm mcis benchmark` on an MCIS that uses them');

  // ── scores ────────────────────────────────────────────────────────────────
  const costScore = (c: Candidate) => (c.pricePerHour !== undefined && c.pricePerHour > 0 ? minPrice / c.pricePerHour : c.pricePerHour === 0 ? 1 : 0);
  const locScore = (r: number) => (Number.isNaN(worstKm[r]!) ? 0 : (bestKm + LOCATION_SOFTEN_KM) / (worstKm[r]! + LOCATION_SOFTEN_KM));
  const latScore = (r: number) => {
    const s = sets[r];
    return s ? (bestSet + LATENCY_SOFTEN_MS) / (s.totalMs + LATENCY_SOFTEN_MS) : 0;
  };
  const perfScore = (i: number) => {
    const p = perf[i];
    return p && bestPerf > 0 ? p.value / bestPerf : 0;
  };
  const total = new Float64Array(matched.length);
  const price = new Float64Array(matched.length);
  for (let i = 0; i < matched.length; i++) {
    const c = matched[i]!;
    const r = regionOf[i]!;
    let s = 0;
    if (w.cost > 0) s += w.cost * costScore(c);
    if (w.location > 0) s += w.location * locScore(r);
    if (w.latency > 0) s += w.latency * latScore(r);
    if (w.performance > 0) s += w.performance * perfScore(i);
    // Rounded so float noise never decides between equal candidates: the tie-breaks below do.
    total[i] = Math.round(s * 1e9) / 1e9;
    price[i] = c.pricePerHour ?? Infinity;
  }

  // ── order: score, then cheaper, smaller, then names (stable output for scripts) ──
  // Only the top `limit` are returned, so only candidates scoring at least the limit-th best score
  // are sorted with the full comparator; the threshold comes from a native numeric sort of the
  // scores (a comparator sort of all 50,000 would cost more than everything else together).
  let pool: number[];
  if (limit > 0 && limit < matched.length && !req.onePerRegion) {
    const sorted = total.slice().sort();
    const threshold = sorted[matched.length - limit]!;
    pool = [];
    for (let i = 0; i < matched.length; i++) if (total[i]! >= threshold) pool.push(i);
  } else pool = Array.from({ length: matched.length }, (_, i) => i);
  let order = pool.sort((a, b) => {
    const d = total[b]! - total[a]! || price[a]! - price[b]!;
    if (d) return d;
    const ca = matched[a]!;
    const cb = matched[b]!;
    return ca.vcpu - cb.vcpu || ca.memoryGiB - cb.memoryGiB || cmp(ca.provider, cb.provider) || cmp(ca.region, cb.region) || cmp(ca.name, cb.name);
  });
  if (req.onePerRegion) {
    const seen = new Uint8Array(regions.length);
    order = order.filter((i) => (seen[regionOf[i]!] ? false : (seen[regionOf[i]!] = 1)));
  }

  // ── reasons, only for what is returned ───────────────────────────────────
  const setLabel = (s: RegionSet) => s.members.map((m) => regionKey(regions[m]!.provider, regions[m]!.region));
  const anchorsLabel = (req.regionSet?.anchors ?? []).map((a) => regionKey(a.provider, a.region));
  const out: RankedCandidate[] = (limit > 0 ? order.slice(0, limit) : order).map((i, n) => {
    const c = matched[i]!;
    const r = regionOf[i]!;
    const scores: Partial<Record<Priority, ScorePart>> = {};
    const part = (p: Priority, score: number, reason: string) => {
      if (w[p] > 0) scores[p] = { score: round(score), weight: round(w[p]), reason };
    };
    part(
      'cost',
      costScore(c),
      c.pricePerHour === undefined ? noPriceReason(c) : c.pricePerHour === minPrice ? `${usd(c.pricePerHour)}, the cheapest match` : `${usd(c.pricePerHour)}, ${(c.pricePerHour / minPrice).toFixed(2)}× the cheapest match (${usd(minPrice)})`,
    );
    if (w.location > 0) {
      const d = worstKm[r]!;
      const place = near[worstAt[r]!]!;
      const reason = Number.isNaN(d)
        ? `no known location for ${c.provider} ${c.region}`
        : near.length === 1
          ? `${km(d)} from ${place.label} (≈ ${ms(estimateRttMs(d))} RTT)${d === bestKm ? ', the nearest match' : ''}`
          : `farthest user place ${place.label} at ${km(d)}${d === bestKm ? ', the fairest match' : `; the fairest match has ${km(bestKm)}`}`;
      part('location', locScore(r), reason);
    }
    const set = sets[r];
    if (w.latency > 0) {
      const reason = set
        ? `with ${[...setLabel(set).slice(1), ...anchorsLabel].join(', ') || 'no other region'}: ${ms(set.totalMs)} total RTT (${describePairs(set)})${r === bestSetAt || set.totalMs === bestSet ? ', the least' : `; the best set has ${ms(bestSet)}`}`
        : 'RTT to some region of its set is unknown (no location, no measurement)';
      part('latency', latScore(r), reason);
    }
    if (w.performance > 0) {
      const p = perf[i];
      part('performance', perfScore(i), p ? p.detail : 'not benchmarked: run `cbadm mcis benchmark` on an MCIS using this spec');
    }
    return {
      rank: n + 1,
      provider: c.provider,
      region: c.region,
      spec: c.name,
      vcpu: c.vcpu,
      memoryGiB: c.memoryGiB,
      arch: c.arch,
      gpu: c.gpu ?? null,
      pricePerHour: c.pricePerHour ?? null,
      connection: c.connection ?? null,
      distanceKm: near.length && !Number.isNaN(worstKm[r]!) ? Math.round(worstKm[r]!) : null,
      rttMs: set ? round(set.totalMs, 1) : null,
      regionSet: set ? setLabel(set) : null,
      score: round(total[i]!),
      scores,
    };
  });
  return { candidates: out, considered: all.length, matched: matched.length, weights: w, warnings };
}

function describePairs(s: RegionSet): string {
  if (!s.estimatedPairs) return 'measured';
  if (!s.measuredPairs) return 'estimated';
  return `${s.measuredPairs} measured, ${s.estimatedPairs} estimated pair(s)`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(n: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

