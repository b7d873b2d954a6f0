import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { regionLocation } from '../data/regions.js';
import type { BenchmarkRecord, LatencyEntry } from '../records/catalog.js';
import { specFilterFromFlags } from '../catalog/filter.js';
import { rank, type Candidate, type RankContext } from './engine.js';
import { cityPoint } from './geo.js';
import { LatencyModel } from './latency.js';
import { performanceLookup } from './performance.js';
import { parseWeights } from './weights.js';

const c = (provider: string, region: string, name: string, vcpu: number, memoryGiB: number, price?: number, arch = 'x86_64'): Candidate => ({
  provider,
  region,
  name,
  vcpu,
  memoryGiB,
  arch,
  ...(price === undefined ? {} : { pricePerHour: price }),
});

const catalog: Candidate[] = [
  c('aws', 'ap-northeast-2', 't3.small', 2, 2, 0.026),
  c('aws', 'ap-northeast-2', 'm5.large', 2, 8, 0.118),
  c('aws', 'us-east-1', 't3.small', 2, 2, 0.0208),
  c('aws', 'eu-central-1', 't3.small', 2, 2, 0.024),
  c('gcp', 'asia-northeast1', 'e2-small', 2, 2, 0.0219),
  c('azure', 'koreacentral', 'Standard_B2s', 2, 4, 0.0496),
  c('azure', 'brazilsouth', 'Standard_B2s', 2, 4),
];

function ctx(latency: LatencyEntry[] = [], bench: BenchmarkRecord[] = []): RankContext {
  return {
    locate: regionLocation,
    latency: new LatencyModel(latency, regionLocation),
    performance: performanceLookup(bench),
  };
}

const top = (r: ReturnType<typeof rank>) => r.candidates.map((x) => `${x.provider}:${x.region}/${x.spec}`);

describe('rank: cost', () => {
  it('puts the cheapest first, unpriced last, with a reason per score', () => {
    const r = rank(catalog, ctx(), { weights: parseWeights('cost') });
    expect(top(r)[0]).toBe('aws:us-east-1/t3.small');
    expect(top(r).at(-1)).toBe('azure:brazilsouth/Standard_B2s');
    expect(r.candidates[0]!.scores.cost).toEqual({ score: 1, weight: 1, reason: '$0.0208/h, the cheapest match' });
    expect(r.candidates[1]!.scores.cost!.reason).toBe('$0.0219/h, 1.05× the cheapest match ($0.0208/h)');
    expect(r.candidates.at(-1)!.scores.cost).toMatchObject({ score: 0, reason: 'no price in the catalog' });
  });
  it('ranks an unpriced OpenStack flavor last, never as free, saying where a price would come from', () => {
    const r = rank([...catalog, c('openstack', 'RegionOne', 'm1.small', 2, 2)], ctx(), { weights: parseWeights('cost') });
    const os = r.candidates.find((x) => x.provider === 'openstack')!;
    expect(os.scores.cost?.score).toBe(0);
    expect(os.scores.cost?.reason).toMatch(/OpenStack publishes none.*--price-file/);
    expect(r.candidates.indexOf(os)).toBeGreaterThanOrEqual(r.candidates.length - 2);
  });
  it('applies filters and --limit', () => {
    const r = rank(catalog, ctx(), { weights: parseWeights('cost'), filter: specFilterFromFlags({ memory: '4..' }), limit: 1 });
    expect(r.matched).toBe(3);
    expect(top(r)).toEqual(['azure:koreacentral/Standard_B2s']);
  });
});

describe('rank: location', () => {
  it('nearest to one place', () => {
    const r = rank(catalog, ctx(), { weights: parseWeights('location'), near: [cityPoint('Seoul', 'x')] });
    // All three are in Seoul: equal scores fall back to the cheaper.
    expect(top(r).slice(0, 3)).toEqual(['aws:ap-northeast-2/t3.small', 'azure:koreacentral/Standard_B2s', 'aws:ap-northeast-2/m5.large']);
    expect(r.candidates[0]!.distanceKm).toBe(0);
    expect(r.candidates[0]!.scores.location!.reason).toMatch(/^0 km from Seoul .*the nearest match$/);
    const tokyo = r.candidates.find((x) => x.region === 'asia-northeast1')!;
    expect(tokyo.distanceKm).toBeGreaterThan(1100);
    expect(tokyo.distanceKm).toBeLessThan(1200);
  });
  it('fairest for several places: minimises the worst distance', () => {
    // Users in Seoul and São Paulo: Frankfurt (worst 9,800 km, to São Paulo) beats Virginia
    // (worst 11,200 km, to Seoul) and either end (18,300 km).
    const r = rank(catalog, ctx(), { weights: parseWeights('location'), near: [cityPoint('Seoul', 'x'), cityPoint('São Paulo', 'x')] });
    expect(top(r).slice(0, 2)).toEqual(['aws:eu-central-1/t3.small', 'aws:us-east-1/t3.small']);
    expect(r.candidates[0]!.distanceKm).toBeGreaterThan(9500);
    expect(r.candidates[0]!.distanceKm).toBeLessThan(10100);
    expect(r.candidates[0]!.scores.location!.reason).toMatch(/farthest user place .* the fairest match/);
    const seoul = r.candidates.find((x) => x.region === 'ap-northeast-2')!;
    expect(seoul.scores.location!.reason).toMatch(/farthest user place São Paulo/);
  });
  it('weighted with cost: cheap far away vs dear nearby', () => {
    const near = [cityPoint('Seoul', 'x')];
    expect(top(rank(catalog, ctx(), { weights: parseWeights('cost=0.9,location=0.1'), near }))[0]).toBe('aws:us-east-1/t3.small');
    expect(top(rank(catalog, ctx(), { weights: parseWeights('cost=0.3,location=0.7'), near }))[0]).toBe('aws:ap-northeast-2/t3.small');
  });
  it('needs a place', () => {
    expect(() => rank(catalog, ctx(), { weights: parseWeights('location') })).toThrow(UsageError);
  });
});

describe('rank: latency', () => {
  it('estimates: the tightest set of 2 regions is in north-east Asia', () => {
    const r = rank(catalog, ctx(), { weights: parseWeights('latency'), regionSet: { size: 2 } });
    expect(r.candidates[0]!.regionSet!.sort()).toEqual(['aws:ap-northeast-2', 'azure:koreacentral']);
    expect(r.candidates[0]!.scores.latency!.reason).toMatch(/total RTT \(estimated\), the least/);
  });
  it('a measured matrix takes precedence over the estimate', () => {
    const m: LatencyEntry[] = [
      { from: { provider: 'aws', region: 'us-east-1' }, to: { provider: 'aws', region: 'eu-central-1' }, rttMs: 1 },
      { from: { provider: 'aws', region: 'ap-northeast-2' }, to: { provider: 'azure', region: 'koreacentral' }, rttMs: 40 },
    ];
    const r = rank(catalog, ctx(m), { weights: parseWeights('latency'), regionSet: { size: 2 } });
    expect(r.candidates[0]!.regionSet!.sort()).toEqual(['aws:eu-central-1', 'aws:us-east-1']);
    expect(r.candidates[0]!.rttMs).toBe(1);
    expect(r.candidates[0]!.scores.latency!.reason).toMatch(/\(measured\)/);
  });
  it('anchors: the region nearest to the ones already used', () => {
    const r = rank(catalog, ctx(), { weights: parseWeights('latency'), regionSet: { size: 1, anchors: [{ provider: 'gcp', region: 'europe-west3' }] } });
    expect(top(r)[0]).toBe('aws:eu-central-1/t3.small');
  });
  it('needs a set', () => {
    expect(() => rank(catalog, ctx(), { weights: parseWeights('latency') })).toThrow(/--set-size/);
  });
});

describe('rank: performance', () => {
  const bench = (provider: string, region: string, spec: string, cpu: number): BenchmarkRecord => ({
    provider, region, spec, ns: 'default', mcis: 'b', vms: 1, cpuSingleOps: cpu / 2, cpuMultiOps: cpu, memMBps: 1000, diskMBps: 100, measuredAt: '2026-01-01T00:00:00Z',
  });
  it('ranks by benchmark; unmeasured specs last; same spec elsewhere counts, said so', () => {
    const r = rank(catalog, ctx([], [bench('aws', 'ap-northeast-2', 'm5.large', 4e6), bench('aws', 'us-east-1', 't3.small', 1e6)]), { weights: parseWeights('performance') });
    expect(top(r)[0]).toBe('aws:ap-northeast-2/m5.large');
    expect(r.candidates[0]!.scores.performance!.score).toBe(1);
    const seoulSmall = r.candidates.find((x) => x.region === 'ap-northeast-2' && x.spec === 't3.small')!;
    expect(seoulSmall.scores.performance!.score).toBe(0.45); // sqrt(1e6/4e6), measured elsewhere: ×0.9
    expect(seoulSmall.scores.performance!.reason).toMatch(/measured in us-east-1/);
    expect(r.candidates.at(-1)!.scores.performance!.reason).toMatch(/not benchmarked/);
  });
});

describe('rank: nothing matches', () => {
  it('names the constraint that eliminated the most', () => {
    const r = rank(catalog, ctx(), { weights: parseWeights('cost'), filter: specFilterFromFlags({ vcpu: '512..', maxPrice: 1 }) });
    expect(r.candidates).toEqual([]);
    expect(r.empty?.message).toMatch(/^no spec with ≥ 512 vCPU under \$1\.000\/h: the largest is /);
  });
});
