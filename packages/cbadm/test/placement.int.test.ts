/**
 * Catalog, recommend and requirement-based placement end to end: the built cbadm against a
 * Cloud-Twin, prices through the twin's AWS Price List Query API.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, REPO } from './harness.js';
import type { RankedRow, SpecRow } from './catalog-rows.js';

const cli = new Cli();
const file = (name: string, text: string) => {
  const p = join(cli.home, name);
  writeFileSync(p, text);
  return p;
};

interface Recommendation {
  candidates: RankedRow[];
  matched: number;
  empty?: { constraint: string; message: string };
}
interface PlanSubgroup {
  name: string;
  connection: string;
  region: string;
  spec: string;
  count: number;
  imageId: string | null;
  pricePerHour: number | null;
  costPerHour: number | null;
  placedBy: string;
}

beforeAll(async () => {
  await cli.twinUp('200ms');
  const r = await cli.json<{ updated: Array<{ priced: number; specs: number; priceSource: string }> }>(['catalog', 'update', '--driver', 'aws']);
  expect(r.updated.length).toBeGreaterThanOrEqual(10);
  expect(r.updated.every((u) => u.priced === u.specs && u.specs > 0 && /AWS Price List Query API GetProducts/.test(u.priceSource))).toBe(true);
});
afterAll(() => cli.dispose());

describe('catalog', () => {
  it('spec list filters by ranges and shows prices and the age of the data', async () => {
    const l = await cli.json<{ specs: SpecRow[]; staleWarning: string | null }>(['spec', 'list', '--vcpu', '2..4', '--memory', '4..8', '--region', 'ap-northeast-2', '--max-price', '0.2', '--sort', 'price']);
    expect(l.specs.length).toBeGreaterThan(3);
    expect(l.specs.every((s) => s.region === 'ap-northeast-2' && s.vcpu >= 2 && s.vcpu <= 4 && s.memoryGiB >= 4 && s.memoryGiB <= 8 && s.pricePerHour! <= 0.2)).toBe(true);
    expect(l.specs.map((s) => s.pricePerHour)).toEqual([...l.specs.map((s) => s.pricePerHour)].sort((a, b) => a! - b!));
    expect(l.specs[0]!.age).toMatch(/^\d+ (s|min)$/);
    expect(l.staleWarning).toBeNull();
    const table = await cli.run(['spec', 'list', '--vcpu', '2', '--region', 'us-east-1', '--arch', 'arm64'], { env: { CB_CATALOG_MAX_AGE_DAYS: '0.0000001' } });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/t4g\.micro .*\$0\.0084/);
    expect(table.stderr).toMatch(/warning: catalog data for aws\/us-east-1 is .* old .*cbadm catalog update/);
  });

  it('image list shows the current image per alias', async () => {
    const l = await cli.json<{ images: Array<{ alias: string; id: string }> }>(['image', 'list', '--region', 'ap-northeast-2', '--os', 'debian']);
    expect(l.images).toEqual([expect.objectContaining({ alias: 'debian-12', id: expect.stringMatching(/^ami-/) as string })]);
  });
});

describe('recommend', () => {
  it('cost and location, with a reason for each score', async () => {
    const r = await cli.json<Recommendation>(['recommend', '--vcpu', '2..', '--memory', '4..', '--arch', 'x86_64', '--near-city', 'Seoul', '--priority', 'cost=0.5,location=0.5', '--limit', '3']);
    expect(r.candidates).toHaveLength(3);
    expect(r.candidates[0]).toMatchObject({ provider: 'aws', region: 'ap-northeast-2', distanceKm: 0, connection: 'twin-aws-ap-northeast-2' });
    expect(r.candidates[0]!.scores.cost!.reason).toMatch(/\$0\.\d+\/h/);
    expect(r.candidates[0]!.scores.location!.reason).toMatch(/0 km from Seoul/);
  });

  it('impossible requirements: an empty result naming the constraint that eliminated the most', async () => {
    const r = await cli.json<Recommendation>(['recommend', '--vcpu', '512..', '--max-price', '1']);
    expect(r.candidates).toEqual([]);
    expect(r.empty?.constraint).toBe('vcpu');
    expect(r.empty?.message).toMatch(/^no spec with ≥ 512 vCPU under \$1\.000\/h: the largest is aws \S+ \S+ with \d+ vCPU/);
  });

  it('bad input: unknown city, malformed coordinates, weights that do not parse → exit 2 naming the flag', async () => {
    const city = await cli.run(['recommend', '--near-city', 'Atlantis']);
    expect(city.code).toBe(2);
    expect(city.stderr).toMatch(/--near-city 'Atlantis' is not a city we know/);
    const coords = await cli.run(['recommend', '--near', '37.5;127', '--json']);
    expect(coords.code).toBe(2);
    expect(JSON.parse(coords.stdout)).toMatchObject({ error: { kind: 'usage', message: expect.stringMatching(/--near '37.5;127' is not LAT,LON/) as string } });
    const weights = await cli.run(['recommend', '--priority', 'cost=lots']);
    expect(weights.code).toBe(2);
    expect(weights.stderr).toMatch(/--priority: weight 'lots' of cost/);
    const range = await cli.run(['recommend', '--vcpu', '8..2']);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/--vcpu '8\.\.2'/);
  });

  it('latency uses an imported measured matrix over the estimate', async () => {
    const csv = join(REPO, 'packages/core/test/fixtures/cloud-barista/cloudlatencymap.csv');
    const imp = await cli.json<{ pairs: number }>(['catalog', 'import-latency', csv]);
    expect(imp.pairs).toBeGreaterThan(10_000);
    const r = await cli.json<Recommendation>(['recommend', '--priority', 'latency', '--anchor', 'gcp:asia-northeast3', '--limit', '1']);
    expect(r.candidates[0]).toMatchObject({ region: 'ap-northeast-2' });
    expect(r.candidates[0]!.scores.latency!.reason).toMatch(/\(measured\)/);
  });
});

describe('requirement-based manifests', () => {
  it('the example manifest: dry run prints each subgroup\'s connection, spec, image, count and cost, and the total', async () => {
    const r = await cli.json<{ plan: { subgroups: PlanSubgroup[]; totalCostPerHour: number } }>(['mcis', 'create', '-f', join(REPO, 'examples/placement.yaml'), '--dry-run']);
    const [web, hub, batch] = r.plan.subgroups;
    expect(web).toMatchObject({ name: 'seoul-web', connection: 'twin-aws-ap-northeast-2', count: 2, placedBy: 'requirements' });
    expect(hub).toMatchObject({ name: 'hub', count: 1 });
    expect(batch).toMatchObject({ name: 'batch', count: 3 });
    for (const s of r.plan.subgroups) {
      expect(s.imageId).toMatch(/^ami-/);
      expect(s.costPerHour).toBeCloseTo(s.pricePerHour! * s.count, 4);
    }
    expect(r.plan.totalCostPerHour).toBeCloseTo(r.plan.subgroups.reduce((a, s) => a + s.costPerHour!, 0), 4);
    const table = await cli.run(['mcis', 'create', '-f', join(REPO, 'examples/placement.yaml'), '--dry-run']);
    expect(table.stdout).toMatch(/seoul-web .*twin-aws-ap-northeast-2/);
    expect(table.stdout).toMatch(/Total: \$\d+\.\d+\/h/);
    expect(await cli.json(['mcis', 'list'])).toEqual([]);
  });

  it('fails over to the next candidate on an injected capacity error, and says so', async () => {
    await cli.json(['twin', 'fault', 'RunInstances:InsufficientInstanceCapacity:1@ap-northeast-2']);
    const m = file('fo.yaml', ['apiVersion: cloud-barista.io/v1alpha1', 'kind: MCIS', 'metadata: { name: fo }', 'spec:', '  subgroups:', '    - { name: web, count: 1, image: ubuntu-22.04, requirements: { vcpu: 2, near: Seoul, priority: location, providers: [aws] } }', ''].join('\n'));
    const r = await cli.run(['mcis', 'create', '-f', m, '--max-failover', '2']);
    expect(r.stderr).toMatch(/failover of web: twin-aws-ap-northeast-2 \S+ → twin-aws-ap-northeast-1 \S+: InsufficientInstanceCapacity/);
    expect(r.code).toBe(0);
    const got = await cli.json<{ status: string; vms: Array<{ region: string }> }>(['mcis', 'get', 'fo']);
    expect(got.status).toBe('Running:1 (R:1/1)');
    expect(got.vms[0]!.region).toBe('ap-northeast-1');
    await cli.json(['twin', 'fault', '--clear']);
    await cli.json(['mcis', 'delete', 'fo', '--yes', '--force']);
  });
});

describe('mcis benchmark', () => {
  it('measures every VM over SSH, prints the RTT matrix, and feeds the performance priority', async () => {
    const m = file('bench.yaml', ['apiVersion: cloud-barista.io/v1alpha1', 'kind: MCIS', 'metadata: { name: bench }', 'spec:', '  subgroups:', '    - { name: seoul, connection: twin-aws-ap-northeast-2, count: 2, spec: t3.small, image: ubuntu-22.04 }', '    - { name: tokyo, connection: twin-aws-ap-northeast-1, count: 1, spec: m5.large, image: ubuntu-22.04 }', ''].join('\n'));
    await cli.json(['mcis', 'create', '-f', m]);
    interface Bench {
      vms: Array<{ vm: string; cpuSingleOps: number; cpuMultiOps: number; memMBps: number; diskMBps: number; clientRttMs: number; error?: string }>;
      rtt: { vms: string[]; matrixMs: Array<Array<number | null>> };
      stored: Array<{ provider: string; region: string; spec: string; vms: number }>;
    }
    const r = await cli.json<Bench>(['mcis', 'benchmark', 'bench']);
    expect(r.vms.map((v) => v.vm)).toEqual(['seoul-1', 'seoul-2', 'tokyo-1']);
    for (const v of r.vms) {
      expect(v.error).toBeUndefined();
      expect(v.cpuSingleOps).toBeGreaterThan(0);
      expect(v.cpuMultiOps).toBeGreaterThan(0);
      expect(v.memMBps).toBeGreaterThan(0);
      expect(v.diskMBps).toBeGreaterThan(0);
      expect(v.clientRttMs).toBeGreaterThan(0);
    }
    expect(r.rtt.vms).toEqual(['seoul-1', 'seoul-2', 'tokyo-1']);
    r.rtt.matrixMs.forEach((row, i) => row.forEach((x, j) => (i === j ? expect(x).toBeNull() : expect(x).toBeGreaterThan(0))));
    expect(r.stored.map((s) => `${s.region}/${s.spec}×${s.vms}`).sort()).toEqual(['ap-northeast-1/m5.large×1', 'ap-northeast-2/t3.small×2']);
    const table = await cli.run(['mcis', 'benchmark', 'bench']);
    expect(table.stdout).toMatch(/RTT MS FROM \\ TO .*seoul-1 .*seoul-2 .*tokyo-1/);
    // Seoul's 2 vCPU / 2 GiB x86 specs: t3.small was measured there, t3a.small nowhere.
    const rec = await cli.json<Recommendation>(['recommend', '--priority', 'performance', '--region', 'ap-northeast-2', '--vcpu', '2', '--memory', '2', '--arch', 'x86_64']);
    expect(rec.candidates.map((c) => [c.spec, c.scores.performance!.score])).toEqual([['t3.small', 1], ['t3a.small', 0]]);
    expect(rec.candidates[0]!.scores.performance!.reason).toMatch(/^cpu .*ops\/s all cores .* 2 VM\(s\) of MCIS bench, \d{4}-\d\d-\d\d$/);
    expect(rec.candidates[1]!.scores.performance!.reason).toMatch(/not benchmarked/);
    expect((await cli.run(['mcis', 'benchmark', 'nope'])).code).toBe(4);
    await cli.json(['mcis', 'delete', 'bench', '--yes', '--force']);
  });
});
