import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogService } from '../src/catalog/service.js';
import { specFilterFromFlags } from '../src/catalog/filter.js';
import { ConnectionService } from '../src/connections.js';
import { CredentialService } from '../src/credentials.js';
import type { CloudDriver, DriverRegistry, Spec } from '../src/driver/port.js';
import { OperationError, PartialError, ProviderError, UsageError } from '../src/errors.js';
import type { Provider } from '../src/model.js';
import { RecommendService } from '../src/recommend/service.js';
import { cityPoint } from '../src/recommend/geo.js';
import { parseWeights } from '../src/recommend/weights.js';
import { SqliteStateStore } from '../src/store/sqlite-store.js';
import { eachTestState } from './state.js';

/** A catalog-only driver: specs per region, prices from a "pricing API" that can be made to fail. */
class FakeCatalogCloud {
  specs: Record<string, Spec[]> = {
    'ap-northeast-2': [
      { name: 't3.micro', vcpu: 2, memoryGiB: 1, arch: 'x86_64' },
      { name: 'm5.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64' },
      { name: 'g4dn.xlarge', vcpu: 4, memoryGiB: 16, arch: 'x86_64', gpu: { model: 'NVIDIA T4', count: 1 } },
    ],
    'us-east-1': [
      { name: 't3.micro', vcpu: 2, memoryGiB: 1, arch: 'x86_64' },
      { name: 'c6g.large', vcpu: 2, memoryGiB: 4, arch: 'arm64' },
    ],
  };
  prices: Record<string, Record<string, number>> = {
    'ap-northeast-2': { 't3.micro': 0.013, 'm5.large': 0.118, 'g4dn.xlarge': 0.647 },
    'us-east-1': { 't3.micro': 0.0104, 'c6g.large': 0.068 },
  };
  failPrices = new Set<string>();
  failAll = new Set<string>();

  registry(): DriverRegistry {
    return { providers: () => ['aws'] as Provider[], load: async () => (opts) => this.driver(opts.connection.region) };
  }

  private driver(region: string): CloudDriver {
    const fail = () => {
      if (this.failAll.has(region)) throw new ProviderError({ provider: 'aws', code: 'Unavailable', message: 'down', errorClass: 'unavailable', retryable: true });
    };
    return {
      catalog: {
        listSpecs: async () => (fail(), this.specs[region] ?? []),
        listImages: async () => [{ id: `ami-${region}`, name: 'ubuntu-jammy', os: 'Ubuntu 22.04', arch: 'x86_64', sshUser: 'ubuntu', alias: 'ubuntu-22.04' }],
        listPrices: async () => {
          if (this.failPrices.has(region)) throw new ProviderError({ provider: 'aws', code: 'AccessDeniedException', message: 'no pricing:GetProducts', errorClass: 'auth', retryable: false });
          return { prices: Object.entries(this.prices[region] ?? {}).map(([spec, pricePerHour]) => ({ spec, pricePerHour })), source: 'fake price list' };
        },
        listRegions: async () => [],
        resolveImage: async () => {
          throw new Error('not used');
        },
      },
      close: () => {},
    } as unknown as CloudDriver;
  }
}

let store: SqliteStateStore;
let cloud: FakeCatalogCloud;
let catalog: CatalogService;

eachTestState('cb-catalog-', async ({ home, store: s }) => {
  store = s;
  cloud = new FakeCatalogCloud();
  const credentials = new CredentialService(store, home);
  catalog = new CatalogService(store, cloud.registry(), credentials);
  const conns = new ConnectionService(store, cloud.registry());
  await conns.add({ name: 'seoul', provider: 'aws', region: 'ap-northeast-2' });
  await conns.add({ name: 'seoul-2', provider: 'aws', region: 'ap-northeast-2' });
  await conns.add({ name: 'virginia', provider: 'aws', region: 'us-east-1' });
});

describe('catalog update', () => {
  it('stores specs with prices and images per provider region, once per region, with source and time', async () => {
    const r = await catalog.update();
    expect(r.updated.map((u) => [u.connection, u.specs, u.priced, u.images])).toEqual([
      ['seoul', 3, 3, 1],
      ['virginia', 2, 2, 1],
    ]);
    expect(store.listSpecRecords({ region: 'ap-northeast-2' }).find((s) => s.name === 'g4dn.xlarge')).toEqual({
      provider: 'aws', region: 'ap-northeast-2', name: 'g4dn.xlarge', vcpu: 4, memoryGiB: 16, arch: 'x86_64', gpu: { model: 'NVIDIA T4', count: 1 }, pricePerHour: 0.647, connection: 'seoul',
    });
    expect(store.listCatalogSources().map((s) => [s.region, s.priceSource])).toEqual([['ap-northeast-2', 'fake price list'], ['us-east-1', 'fake price list']]);
    expect(store.listImageRecords({ region: 'us-east-1' })[0]).toMatchObject({ id: 'ami-us-east-1', alias: 'ubuntu-22.04' });
  });

  it('keeps specs unpriced with a warning when the pricing API refuses', async () => {
    cloud.failPrices.add('us-east-1');
    const r = await catalog.update({ connection: 'virginia' });
    expect(r.updated[0]).toMatchObject({ priced: 0, priceSource: null });
    expect(r.updated[0]!.warning).toMatch(/prices unavailable: aws: AccessDeniedException/);
  });

  it('a failing region keeps its old data; partial failure is exit 3, total failure exit 1', async () => {
    await catalog.update();
    cloud.failAll.add('us-east-1');
    const partial = await catalog.update().catch((e: unknown) => e);
    expect(partial).toBeInstanceOf(PartialError);
    expect(store.listSpecRecords({ region: 'us-east-1' })).toHaveLength(2);
    await expect(catalog.update({ connection: 'virginia' })).rejects.toBeInstanceOf(OperationError);
    await expect(catalog.update({ driver: 'gcp' })).rejects.toBeInstanceOf(UsageError);
    await expect(catalog.update({ connection: 'nope' })).rejects.toThrow(/connection 'nope' not found/);
  });
});

describe('spec list', () => {
  it('filters, shows the age, explains an empty result and warns when stale', async () => {
    await catalog.update();
    const l = catalog.listSpecs(specFilterFromFlags({ vcpu: '2..', maxPrice: 0.1 }), { sort: 'price' });
    expect(l.specs.map((s) => `${s.region}/${s.name}`)).toEqual(['us-east-1/t3.micro', 'ap-northeast-2/t3.micro', 'us-east-1/c6g.large']);
    expect(l.specs[0]!.age).toMatch(/s$/);
    expect(l.staleWarning).toBeNull();
    const gpu = catalog.listSpecs(specFilterFromFlags({ gpu: 't4' }));
    expect(gpu.specs.map((s) => s.name)).toEqual(['g4dn.xlarge']);
    const none = catalog.listSpecs(specFilterFromFlags({ vcpu: '512..', maxPrice: 1 }));
    expect(none.empty?.message).toMatch(/^no spec with ≥ 512 vCPU under \$1\.000\/h: the largest is aws ap-northeast-2 g4dn\.xlarge with 4 vCPU/);
    // Age the data: 10 days old is stale (default limit 7 days).
    const src = store.listCatalogSources()[0]!;
    store.replaceCatalog({ ...src, fetchedAt: new Date(Date.now() - 10 * 86_400_000).toISOString() }, store.listSpecRecords({ region: src.region }), store.listImageRecords({ region: src.region }));
    expect(catalog.listSpecs({}).staleWarning).toMatch(/aws\/ap-northeast-2 is 10 days old .*cbadm catalog update/);
    expect(catalog.listImages({ os: 'ubuntu', region: ['us-east-1'] }).images).toHaveLength(1);
  });
});

describe('latency import and recommend', () => {
  it('imports the measured matrix and uses it; recommends only reachable candidates when asked', async () => {
    await catalog.update();
    const csv = readFileSync(new URL('fixtures/cloud-barista/cloudlatencymap.csv', import.meta.url), 'utf8');
    const imp = catalog.importLatency(csv, 'cloudlatencymap.csv');
    expect(imp.pairs).toBeGreaterThan(10_000);
    expect(store.getLatencySource()).toMatchObject({ source: 'cloudlatencymap.csv' });
    const rec = new RecommendService(store);
    const r = rec.recommend({ weights: parseWeights('latency'), setSize: 2, limit: 3 });
    expect(r.latency.measuredPairs).toBeGreaterThan(5000);
    expect(r.candidates[0]!.scores.latency!.reason).toMatch(/\(measured\)/);
    const near = rec.recommend({ weights: parseWeights('cost=0.5,location=0.5'), near: [cityPoint('Busan', 'x')], connectedOnly: true, usable: (c) => c.name !== 'seoul' });
    // 'seoul' fetched Seoul's data but is unusable: 'seoul-2' reaches the same region.
    expect(near.candidates[0]).toMatchObject({ region: 'ap-northeast-2', connection: 'seoul-2' });
    expect(near.candidates.every((c) => c.connection !== 'seoul')).toBe(true);
    expect(rec.parseAnchor('virginia')).toEqual({ provider: 'aws', region: 'us-east-1' });
    expect(rec.parseAnchor('gcp:asia-northeast3')).toEqual({ provider: 'gcp', region: 'asia-northeast3' });
    expect(() => rec.parseAnchor('nowhere')).toThrow(UsageError);
    // PROVIDER-REGION names only for providers cbadm knows (the PROVIDERS list).
    expect(rec.parseAnchor('azure-koreacentral')).toEqual({ provider: 'azure', region: 'koreacentral' });
    expect(() => rec.parseAnchor('acme-zone-1')).toThrow(UsageError);
  });

  it('says how to fill an empty catalog', () => {
    expect(() => new RecommendService(store).recommend({ weights: parseWeights('cost') })).toThrow(/catalog is empty/);
  });
});
