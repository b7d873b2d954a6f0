// Recommender benchmark: rank 50,000 candidates (every aws/gcp/azure region we know × ~380 specs,
// i.e. a real-world-sized catalog) with all four priorities weighted, median of several runs. The
// ratio compares it with a trivial baseline measured in the same run on the same data: sorting the
// candidates by price. Target (issue 5): ranking ≤ 100 ms.
// Standalone: `node bench/recommend.mjs` (after `npm run build`); `npm run bench` runs it as section 3.
import { fileURLToPath } from 'node:url';

const core = new URL('../packages/core/dist/', import.meta.url);
const { rank } = await import(new URL('recommend/engine.js', core).href);
const { LatencyModel } = await import(new URL('recommend/latency.js', core).href);
const { performanceLookup } = await import(new URL('recommend/performance.js', core).href);
const { parseWeights } = await import(new URL('recommend/weights.js', core).href);
const { cityPoint } = await import(new URL('recommend/geo.js', core).href);
const { REGION_LOCATIONS, regionLocation } = await import(new URL('data/regions.js', core).href);

/** Deterministic PRNG (mulberry32) so every run ranks the same catalog. */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCatalog(target = 50_000) {
  const rnd = prng(42);
  const regions = Object.entries(REGION_LOCATIONS).flatMap(([provider, m]) => [...m.keys()].map((region) => ({ provider, region })));
  const perRegion = Math.ceil(target / regions.length);
  const families = ['t', 'm', 'c', 'r', 'g', 'x', 'i', 'hpc'];
  const sizes = [1, 2, 4, 8, 16, 32, 48, 64, 96, 128];
  const out = [];
  for (const { provider, region } of regions) {
    const factor = 0.9 + rnd() * 0.5;
    for (let k = 0; k < perRegion && out.length < target; k++) {
      const fam = families[k % families.length];
      const vcpu = sizes[Math.floor(k / families.length) % sizes.length];
      const memPer = fam === 'c' ? 2 : fam === 'r' || fam === 'x' ? 8 : 4;
      const gpu = fam === 'g' ? { model: rnd() < 0.5 ? 'NVIDIA T4' : 'NVIDIA A100', count: Math.max(1, vcpu >> 3) } : undefined;
      out.push({
        provider,
        region,
        name: `${fam}${k >> 6}.${vcpu}x-${k}`,
        vcpu,
        memoryGiB: vcpu * memPer,
        arch: k % 5 === 0 ? 'arm64' : 'x86_64',
        ...(gpu ? { gpu } : {}),
        ...(rnd() < 0.97 ? { pricePerHour: Math.round(vcpu * 0.024 * factor * (gpu ? 6 : 1) * (0.8 + rnd() * 0.4) * 1e4) / 1e4 } : {}),
      });
    }
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function benchRecommend({ candidates = 50_000, runs = Number(process.env.BENCH_RECOMMEND_RUNS ?? 15) } = {}) {
  const catalog = generateCatalog(candidates);
  const bench = catalog.filter((_, i) => i % 97 === 0).map((c, i) => ({
    provider: c.provider, region: c.region, spec: c.name, ns: 'default', mcis: 'bench', vms: 1,
    cpuSingleOps: 1e6 + i, cpuMultiOps: c.vcpu * 1e6, memMBps: 5000, diskMBps: 300, measuredAt: '2026-01-01T00:00:00Z',
  }));
  const ctx = { locate: regionLocation, latency: new LatencyModel([], regionLocation), performance: performanceLookup(bench) };
  const req = {
    weights: parseWeights('cost=0.4,location=0.2,latency=0.2,performance=0.2'),
    near: [cityPoint('Seoul', 'x'), cityPoint('Frankfurt', 'x'), cityPoint('São Paulo', 'x')],
    regionSet: { size: 3 },
    limit: 20,
  };
  const rankMs = [];
  const sortMs = [];
  let result;
  for (let i = 0; i < runs + 2; i++) {
    // Alternate the two so drift on a shared machine hits both alike; the first 2 rounds warm the JIT.
    let t0 = process.hrtime.bigint();
    result = rank(catalog, ctx, req);
    const r = Number(process.hrtime.bigint() - t0) / 1e6;
    t0 = process.hrtime.bigint();
    const sorted = [...catalog].sort((a, b) => (a.pricePerHour ?? Infinity) - (b.pricePerHour ?? Infinity));
    const s = Number(process.hrtime.bigint() - t0) / 1e6;
    if (sorted.length !== catalog.length) throw new Error('baseline lost candidates');
    if (i >= 2) {
      rankMs.push(r);
      sortMs.push(s);
    }
  }
  if (result.matched !== catalog.length || result.candidates.length !== 20) throw new Error('the benchmark ranked the wrong thing');
  const rankMedian = median(rankMs);
  const sortMedian = median(sortMs);
  return {
    candidates: catalog.length,
    regions: new Set(catalog.map((c) => `${c.provider}:${c.region}`)).size,
    priorities: 'cost=0.4,location=0.2,latency=0.2,performance=0.2 (3 places, sets of 3 regions)',
    rankMs: +rankMedian.toFixed(1),
    baselineSortByPriceMs: +sortMedian.toFixed(1),
    ratio: +(rankMedian / sortMedian).toFixed(2),
    target: 'rankMs <= 100',
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(benchRecommend(), null, 2));
