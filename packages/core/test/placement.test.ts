/** Requirement-based subgroups: placement through the recommender, the dry-run plan, failover. */
import { describe, expect, it } from 'vitest';
import type { CatalogSource, SpecRecord } from '../src/records/catalog.js';
import { ConnectionService } from '../src/connections.js';
import { CredentialService } from '../src/credentials.js';
import type { DriverRegistry } from '../src/driver/port.js';
import { PartialError, ProviderError, UsageError } from '../src/errors.js';
import type { CbEvent } from '../src/events.js';
import type { McisManifest } from '../src/manifest.js';
import { validateMcisManifest } from '../src/orchestrator/mcis-manifest.js';
import { McisService, type CreateResult } from '../src/orchestrator/service.js';
import { SqliteStateStore } from '../src/store/sqlite-store.js';
import { FakeCloud, FakeSsh } from './fake-cloud.js';
import { FAST_TIMEOUTS, eachTestState } from './state.js';

let store: SqliteStateStore;
let cloud: FakeCloud;
let svc: McisService;
/** Regions whose create calls fail, with the error code and class. */
let failing: Map<string, { code: string; errorClass: 'capacity' | 'quota' }>;

function registry(): DriverRegistry {
  return {
    providers: () => cloud.registry().providers(),
    load: async () => (opts) => {
      const d = cloud.driver(opts.connection.region);
      const vms = d.vms;
      return {
        ...d,
        vms: {
          ...vms,
          create: async (req) => {
            const f = failing.get(opts.connection.region);
            if (f) throw new ProviderError({ provider: 'aws', code: f.code, message: 'planted', errorClass: f.errorClass, retryable: false });
            return vms.create(req);
          },
        },
      };
    },
  };
}

const spec = (region: string, connection: string, name: string, vcpu: number, memoryGiB: number, price: number): SpecRecord => ({ provider: 'aws', region, name, vcpu, memoryGiB, arch: 'x86_64', pricePerHour: price, connection });

function seedCatalog(ageDays = 0): void {
  const fetchedAt = new Date(Date.now() - ageDays * 86_400_000).toISOString();
  const regions: Array<[string, string, SpecRecord[]]> = [
    ['ap-northeast-2', 'c-seoul', [spec('ap-northeast-2', 'c-seoul', 't3.small', 2, 2, 0.026), spec('ap-northeast-2', 'c-seoul', 'm5.large', 2, 8, 0.118)]],
    ['ap-northeast-1', 'c-tokyo', [spec('ap-northeast-1', 'c-tokyo', 't3.small', 2, 2, 0.0272)]],
    ['us-east-1', 'c-virginia', [spec('us-east-1', 'c-virginia', 't3.small', 2, 2, 0.0208)]],
  ];
  for (const [region, connection, specs] of regions) {
    const source: CatalogSource = { provider: 'aws', region, connection, specSource: 'test', priceSource: 'test', specs: specs.length, priced: specs.length, images: 1, fetchedAt };
    store.replaceCatalog(source, specs, [{ provider: 'aws', region, id: `ami-${region}`, name: 'ubuntu', alias: 'ubuntu-22.04', os: 'Ubuntu 22.04', arch: 'x86_64', sshUser: 'ubuntu', connection }]);
  }
}

/** The PartialError a create ends with, and its result. */
async function partial(p: Promise<unknown>): Promise<{ message: string; result: CreateResult }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PartialError) return { message: e.message, result: e.result as CreateResult };
    throw e;
  }
  throw new Error('expected a partial failure');
}

function manifest(subgroups: unknown[], name = 'req'): McisManifest {
  const v = validateMcisManifest({ apiVersion: 'cloud-barista.io/v1alpha1', kind: 'MCIS', metadata: { name }, spec: { subgroups } });
  if (!v.value) throw new Error(JSON.stringify(v.errors));
  return v.value;
}

eachTestState('cb-place-', async ({ home, store: s }) => {
  store = s;
  cloud = new FakeCloud();
  failing = new Map();
  const conns = new ConnectionService(store, registry());
  await conns.add({ name: 'c-seoul', provider: 'aws', region: 'ap-northeast-2' });
  await conns.add({ name: 'c-tokyo', provider: 'aws', region: 'ap-northeast-1' });
  await conns.add({ name: 'c-virginia', provider: 'aws', region: 'us-east-1' });
  svc = new McisService({ store, home, drivers: registry(), credentials: new CredentialService(store, home), ssh: new FakeSsh(), timeouts: FAST_TIMEOUTS });
  seedCatalog();
});

describe('plan with requirements', () => {
  it('resolves each subgroup through the recommender and prices the plan', () => {
    const plan = svc.plan({
      ns: 'default',
      manifest: manifest([
        { name: 'users', count: 2, image: 'ubuntu-22.04', requirements: { vcpu: 2, near: 'Seoul' } },
        { name: 'batch', count: 3, image: 'ubuntu-22.04', requirements: { vcpu: 2, priority: 'cost' } },
        { name: 'db', count: 1, image: 'ubuntu-22.04', connection: 'c-tokyo', spec: 't3.small' },
      ]),
    });
    expect(plan.subgroups.map((s) => [s.name, s.connection, s.spec, s.count, s.costPerHour, s.placedBy])).toEqual([
      ['users', 'c-seoul', 't3.small', 2, 0.052, 'requirements'],
      ['batch', 'c-virginia', 't3.small', 3, 0.0624, 'requirements'],
      ['db', 'c-tokyo', 't3.small', 1, 0.0272, 'manifest'],
    ]);
    expect(plan.subgroups[0]!.imageId).toBe('ami-ap-northeast-2');
    expect(plan.subgroups[0]!.reasons[0]).toMatch(/^cost /);
    // Alternates are the best of each other region, in rank order.
    expect(plan.subgroups[0]!.alternates.map((a) => `${a.connection}/${a.spec}`)).toEqual(['c-tokyo/t3.small', 'c-virginia/t3.small']);
    expect(plan.totalCostPerHour).toBe(0.1416);
    expect(plan.vms.map((v) => `${v.name}@${v.region}`)).toEqual(['users-1@ap-northeast-2', 'users-2@ap-northeast-2', 'batch-1@us-east-1', 'batch-2@us-east-1', 'batch-3@us-east-1', 'db-1@ap-northeast-1']);
    expect(plan.warnings).toEqual([]);
  });

  it('latency places a subgroup next to the others', () => {
    const plan = svc.plan({
      ns: 'default',
      manifest: manifest([
        { name: 'db', count: 1, image: 'ubuntu-22.04', connection: 'c-tokyo', spec: 't3.small' },
        { name: 'app', count: 1, image: 'ubuntu-22.04', requirements: { priority: 'latency' } },
      ]),
    });
    expect(plan.subgroups.find((s) => s.name === 'app')).toMatchObject({ connection: 'c-tokyo' });
  });

  it('impossible requirements name the field and the constraint that eliminated the most; stale data warns', () => {
    const err = (() => {
      try {
        svc.plan({ ns: 'default', manifest: manifest([{ name: 'big', count: 1, image: 'ubuntu-22.04', requirements: { vcpu: 512, maxPrice: 1 } }]) });
      } catch (e) {
        return e as UsageError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.issues.map((i) => i.path)).toEqual(['spec.subgroups[0].requirements']);
    expect(err!.issues[0]!.message).toMatch(/^no spec with ≥ 512 vCPU on x86_64 under \$1\.000\/h: the largest is aws .* with 2 vCPU/);
    seedCatalog(30);
    const plan = svc.plan({ ns: 'default', manifest: manifest([{ name: 'a', count: 1, image: 'ubuntu-22.04', requirements: { vcpu: 1 } }]) });
    expect(plan.warnings[0]).toMatch(/30 days old/);
  });
});

describe('create with requirements and failover', () => {
  const m = () => manifest([{ name: 'web', count: 2, image: 'ubuntu-22.04', requirements: { vcpu: 2, near: 'Seoul', priority: 'location' } }]);

  it('without --max-failover, a capacity error fails the VMs where they were placed', async () => {
    failing.set('ap-northeast-2', { code: 'InsufficientInstanceCapacity', errorClass: 'capacity' });
    const err = await partial(svc.create({ ns: 'default', manifest: m() }));
    expect(err.result.failovers).toEqual([]);
    expect(err.result.mcis.vms.map((v) => `${v.status}@${v.region}`)).toEqual(['Failed@ap-northeast-2', 'Failed@ap-northeast-2']);
  });

  it('moves the subgroup to the next candidate, says so in events, records the new place', async () => {
    failing.set('ap-northeast-2', { code: 'InsufficientInstanceCapacity', errorClass: 'capacity' });
    failing.set('ap-northeast-1', { code: 'InsufficientInstanceCapacity', errorClass: 'capacity' });
    const events: CbEvent[] = [];
    const r = await svc.create({ ns: 'default', manifest: m(), maxFailover: 2, events: (e) => events.push(e) });
    // The next candidate is always in another region: Seoul, then Tokyo, then Virginia.
    expect(r.failovers.map((f) => `${f.from.connection}/${f.from.spec} → ${f.to.connection}/${f.to.spec} (${f.code})`)).toEqual([
      'c-seoul/t3.small → c-tokyo/t3.small (InsufficientInstanceCapacity)',
      'c-tokyo/t3.small → c-virginia/t3.small (InsufficientInstanceCapacity)',
    ]);
    expect(r.mcis.status).toBe('Running:2 (R:2/2)');
    expect(r.mcis.vms.map((v) => `${v.name}@${v.region}/${v.spec}`)).toEqual(['web-1@us-east-1/t3.small', 'web-2@us-east-1/t3.small']);
    expect(store.getMcis('default', 'req')!.subgroups[0]).toMatchObject({ connection: 'c-virginia', spec: 't3.small', requirements: { vcpu: 2 } });
    const fo = events.filter((e) => e.type === 'failover');
    expect(fo).toHaveLength(2);
    expect(fo[1]).toMatchObject({ subgroup: 'web', from: 'c-tokyo t3.small', to: 'c-virginia t3.small', code: 'InsufficientInstanceCapacity' });
    // The default networks made in Seoul and Tokyo before the failures are gone: nothing uses them.
    expect(store.getResource('c-seoul', 'network')).toBeUndefined();
    expect(store.getResource('c-tokyo', 'network')).toBeUndefined();
    expect(store.getResource('c-virginia', 'network')).toBeDefined();
  });

  it('the budget bounds the moves', async () => {
    failing.set('ap-northeast-2', { code: 'VcpuLimitExceeded', errorClass: 'quota' });
    failing.set('ap-northeast-1', { code: 'VcpuLimitExceeded', errorClass: 'quota' });
    const err = await partial(svc.create({ ns: 'default', manifest: m(), maxFailover: 1 }));
    expect(err.result.failovers.map((f) => f.to.connection)).toEqual(['c-tokyo']);
  });

  it('never fails over when resuming a create', async () => {
    failing.set('ap-northeast-2', { code: 'InsufficientInstanceCapacity', errorClass: 'capacity' });
    await svc.create({ ns: 'default', manifest: m() }).catch(() => undefined);
    // As if the first run had been killed after recording its intents, before any create call.
    const interrupted = () => {
      for (const vm of store.listVms('default', 'req')) store.updateVm('default', 'req', vm.name, (v) => ({ ...v, status: 'Creating', error: undefined }));
    };
    interrupted();
    const again = await partial(svc.create({ ns: 'default', manifest: m(), maxFailover: 3 }));
    expect(again.message).toMatch(/2 of 2 VM\(s\) failed/);
    expect(again.result.failovers).toEqual([]);
    expect(store.getMcis('default', 'req')!.subgroups[0]).toMatchObject({ connection: 'c-seoul' });
    // Capacity came back: the resumed create finishes in the recorded place.
    interrupted();
    failing.clear();
    const ok = await svc.create({ ns: 'default', manifest: m(), maxFailover: 3 });
    expect(ok.mcis.vms.map((v) => v.region)).toEqual(['ap-northeast-2', 'ap-northeast-2']);
  });
});
