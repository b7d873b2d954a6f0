/**
 * Issue 11 items 1-7 against the in-memory cloud: every command converges after a kill, a fault or
 * an outage, and the record never says something the cloud does not.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectionService } from '../src/connections.js';
import { CredentialService } from '../src/credentials.js';
import { ConflictError, PartialError } from '../src/errors.js';
import type { McisManifest } from '../src/manifest.js';
import { validateMcisManifest } from '../src/orchestrator/mcis-manifest.js';
import type { ActionOutcome } from '../src/orchestrator/actions.js';
import type { CleanupReport } from '../src/orchestrator/cleanup.js';
import { McisService, type CreateResult, type DeleteResult } from '../src/orchestrator/service.js';
import { SqliteStateStore } from '../src/store/sqlite-store.js';
import { FakeCloud, FakeSsh } from './fake-cloud.js';
import { FAST_TIMEOUTS, eachTestState } from './state.js';

const SEOUL = 'ap-northeast-2';
const TOKYO = 'ap-northeast-1';

let store: SqliteStateStore;
let cloud: FakeCloud;
let svc: McisService;

function manifest(name = 'm1', counts: [number, number] = [2, 2]): McisManifest {
  const v = validateMcisManifest({
    apiVersion: 'cloud-barista.io/v1alpha1',
    kind: 'MCIS',
    metadata: { name },
    spec: {
      // A count of 0 leaves the subgroup out.
      subgroups: [
        { name: 'seoul', connection: 'c-seoul', count: counts[0], spec: 't3.small', image: 'ubuntu-22.04' },
        { name: 'tokyo', connection: 'c-tokyo', count: counts[1], spec: 't3.small', image: 'ubuntu-22.04' },
      ].filter((s) => s.count > 0),
    },
  });
  if (!v.value) throw new Error(JSON.stringify(v.errors));
  return v.value;
}

async function caught<T>(p: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(type);
  return e as T;
}

/** Every record with a provider id names a VM the cloud has in the recorded status, and nothing else lives. */
function expectRecordMatchesCloud(ns: string, name: string): void {
  for (const vm of store.listVms(ns, name).filter((v) => v.providerId)) {
    const info = cloud.vms.get(vm.providerId!)?.info;
    expect([vm.name, info?.status ?? 'gone']).toEqual([vm.name, vm.status === 'Terminated' && !info ? 'gone' : vm.status]);
  }
}

eachTestState('cb-conv-', async ({ home, store: s }) => {
  store = s;
  cloud = new FakeCloud();
  const conns = new ConnectionService(store, cloud.registry());
  await conns.add({ name: 'c-seoul', provider: 'aws', region: SEOUL });
  await conns.add({ name: 'c-tokyo', provider: 'aws', region: TOKYO });
  svc = new McisService({ store, home, drivers: cloud.registry(), credentials: new CredentialService(store, home), ssh: new FakeSsh(), timeouts: FAST_TIMEOUTS });
});

describe('delete and cleanup (items 1-3)', () => {
  it('a delete that cannot finish keeps the record Deleting, cleans healthy connections, and a re-run finishes it', async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
    cloud.networkDown.add(TOKYO);
    const err = await caught(svc.delete({ ns: 'default', name: 'm1', force: true }), PartialError);
    const r = err.result as DeleteResult;
    expect(r.deleted).toBeNull();
    expect(r.connections.map((c) => [c.connection, c.outcome]).sort()).toEqual([['c-seoul', 'cleaned'], ['c-tokyo', 'failed']]);
    expect(r.connections.find((c) => c.connection === 'c-tokyo')?.error).toMatch(/Unavailable/);
    // The healthy region was cleaned; the record stays, Deleting, with no VM pointing at nothing.
    expect([...cloud.networks]).toEqual(['cb-default-c-tokyo']);
    expect(cloud.live()).toEqual([]);
    expect(svc.view('default', 'm1').state).toBe('Deleting');
    expect(store.listVms('default', 'm1')).toEqual([]);
    await caught(svc.action({ ns: 'default', name: 'm1', action: 'suspend', selector: {} }), ConflictError);
    await caught(svc.create({ ns: 'default', manifest: manifest() }), ConflictError);

    cloud.networkDown.delete(TOKYO);
    const again = await svc.delete({ ns: 'default', name: 'm1' });
    expect(again.deleted).toBe('m1');
    expect(again.cleanedConnections).toEqual(['c-tokyo']);
    expect(store.listMcis()).toEqual([]);
    expect(store.listResources()).toEqual([]);
    expect(cloud.networks.size).toBe(0);
  });

  it('a failed delete records each VM as it went: terminated ones leave the record, the failing one stays with its error', async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
    const stuck = store.getVm('default', 'm1', 'tokyo-1')!;
    cloud.failAction.set(stuck.providerId!, 'RequestLimitExceeded');
    const err = await caught(svc.delete({ ns: 'default', name: 'm1', force: true }), PartialError);
    expect((err.result as DeleteResult).failedVms.map((f) => f.vm)).toContain('tokyo-1');
    // The connection whose VMs are gone is cleaned anyway; the one with a VM left keeps its network.
    expect((err.result as DeleteResult).connections.map((c) => [c.connection, c.outcome]).sort()).toEqual([['c-seoul', 'cleaned'], ['c-tokyo', 'in-use']]);
    expect([...cloud.networks]).toEqual(['cb-default-c-tokyo']);
    const left = store.listVms('default', 'm1');
    expect(left.map((v) => v.name).sort()).toEqual(['tokyo-1', 'tokyo-2']);
    expect(left.find((v) => v.name === 'tokyo-1')?.error).toMatch(/RequestLimitExceeded/);
    expectRecordMatchesCloud('default', 'm1');
    expect(cloud.live().map((i) => i.providerId).sort()).toEqual(left.map((v) => v.providerId).sort());

    cloud.failAction.clear();
    expect((await svc.delete({ ns: 'default', name: 'm1' })).deleted).toBe('m1');
    expect(cloud.live()).toEqual([]);
    expect(cloud.networks.size).toBe(0);
  });

  it('ensureDefaults checks a stored ready network against the cloud and remakes what is gone', async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
    expect(store.getResource('c-seoul', 'network')?.status).toBe('ready');
    // Removed behind our back (a killed delete, a console).
    cloud.networks.delete('cb-default-c-seoul');
    cloud.keys.delete('cb-default-c-seoul');
    await svc.create({ ns: 'default', manifest: manifest('m2', [1, 1]) });
    expect(cloud.networks.has('cb-default-c-seoul')).toBe(true);
    expect(cloud.keys.has('cb-default-c-seoul')).toBe(true);
  });

  it('connection cleanup finds what no record accounts for, by tags; --dry-run changes nothing', async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
    const lost = store.listVms('default', 'm1').filter((v) => v.connection === 'c-seoul').map((v) => v.providerId);
    store.deleteMcis('default', 'm1'); // the record is gone, the cloud objects are not
    await svc.create({ ns: 'default', manifest: manifest('m2', [0, 1]) });

    const dry = await svc.cleanupConnection({ connection: 'c-seoul', dryRun: true });
    expect(dry.found.map((o) => [o.kind, o.id]).sort()).toEqual([...lost.map((id) => ['vm', id]), ['keypair', 'cb-default-c-seoul'], ['network', 'vpc-cb-default-c-seoul']].sort());
    expect(cloud.live().filter((i) => lost.includes(i.providerId))).toHaveLength(2);
    expect(cloud.networks.has('cb-default-c-seoul')).toBe(true);

    const done = await svc.cleanupConnection({ connection: 'c-seoul' });
    expect(done.removed).toHaveLength(4);
    expect(cloud.live().filter((i) => lost.includes(i.providerId))).toEqual([]);
    expect(cloud.networks.has('cb-default-c-seoul')).toBe(false);
    expect(store.getResource('c-seoul', 'network')).toBeUndefined();

    // On c-tokyo, m2 is live: its VM and the network stay; m1's lost tokyo VMs go.
    const tokyo = await svc.cleanupConnection({ connection: 'c-tokyo' });
    expect(tokyo.inUseBy).toEqual(['default/m2']);
    expect(tokyo.removed.map((o) => [o.kind, o.mcis])).toEqual([['vm', 'm1'], ['vm', 'm1']]);
    expect(svc.view('default', 'm2').status).toBe('Running:1 (R:1/1)');
    expect(cloud.networks.has('cb-default-c-tokyo')).toBe(true);
  });

  it('connection cleanup reports a removal that failed (exit 3) and what it did remove', async () => {
    await svc.create({ ns: 'default', manifest: manifest('m1', [1, 0]) });
    const vm = store.getVm('default', 'm1', 'seoul-1')!;
    store.deleteMcis('default', 'm1');
    cloud.failAction.set(vm.providerId!, 'RequestLimitExceeded');
    const err = await caught(svc.cleanupConnection({ connection: 'c-seoul' }), PartialError);
    const r = err.result as CleanupReport;
    expect(r.removed.map((o) => o.kind)).toEqual(['keypair']);
    expect(r.failed.map((f) => [f.kind, f.error.match(/RequestLimitExceeded|VMs on it/)?.[0]])).toEqual([['vm', 'RequestLimitExceeded'], ['network', 'VMs on it']]);
    expect(cloud.networks.has('cb-default-c-seoul')).toBe(true);

    cloud.failAction.clear();
    expect((await svc.cleanupConnection({ connection: 'c-seoul' })).removed.map((o) => o.kind).sort()).toEqual(['network', 'vm']);
    expect(cloud.live()).toEqual([]);
  });
});

describe('actions (items 4-5)', () => {
  beforeEach(async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
  });

  it('a suspend killed half-way is re-checked against the cloud and continued', async () => {
    // What a kill leaves: every record Suspending, the cloud stopping one VM and untouched for the rest.
    for (const vm of store.listVms('default', 'm1')) store.updateVm('default', 'm1', vm.name, (c) => ({ ...c, status: 'Suspending' }));
    const first = cloud.vms.get(store.getVm('default', 'm1', 'seoul-1')!.providerId!)!;
    first.info = { ...first.info, status: 'Suspending', nativeState: 'stopping' };
    first.settle = 'Suspended';
    const r = await svc.action({ ns: 'default', name: 'm1', action: 'suspend', selector: {} });
    expect(r.mcis.status).toBe('Suspended:4 (R:0/4)');
    expect(r.outcome.failed).toEqual([]);
    expect(cloud.live().every((i) => i.status === 'Suspended')).toBe(true);
    expectRecordMatchesCloud('default', 'm1');
  });

  it('repeating an action is a no-op that succeeds: already Suspended, already Running, already Terminated', async () => {
    await svc.action({ ns: 'default', name: 'm1', action: 'suspend', selector: {} });
    const calls = cloud.calls.length;
    const again = await svc.action({ ns: 'default', name: 'm1', action: 'suspend', selector: {} });
    expect(again.outcome).toEqual<ActionOutcome>({ action: 'suspend', changed: [], already: ['seoul-1', 'seoul-2', 'tokyo-1', 'tokyo-2'], skipped: [], failed: [] });
    expect(cloud.calls.length).toBe(calls);
    await svc.action({ ns: 'default', name: 'm1', action: 'resume', selector: {} });
    expect((await svc.action({ ns: 'default', name: 'm1', action: 'resume', selector: { vm: 'seoul-1' } })).outcome.already).toEqual(['seoul-1']);
    await svc.action({ ns: 'default', name: 'm1', action: 'terminate', selector: {} });
    expect((await svc.action({ ns: 'default', name: 'm1', action: 'terminate', selector: {} })).outcome.already).toHaveLength(4);
  });

  it('a batch action records the outcome per VM: one failure neither undoes the others nor lends them its error', async () => {
    const bad = store.getVm('default', 'm1', 'seoul-2')!;
    cloud.failAction.set(bad.providerId!, 'RequestLimitExceeded');
    const err = await caught(svc.action({ ns: 'default', name: 'm1', action: 'suspend', selector: {} }), PartialError);
    const { outcome, mcis } = err.result as { outcome: ActionOutcome; mcis: { status: string } };
    expect(outcome.failed).toEqual([{ vm: 'seoul-2', error: expect.stringContaining(bad.providerId!) as string }]);
    expect(outcome.changed.sort()).toEqual(['seoul-1', 'tokyo-1', 'tokyo-2']);
    expect(mcis.status).toBe('Partial-Suspended:3 (R:1/4)');
    expectRecordMatchesCloud('default', 'm1');
  });
});

describe('create (items 6-7)', () => {
  it('an outage during the boot wait is a partial result with per-VM reasons, no VM left Creating', async () => {
    cloud.describeDown.add(TOKYO);
    const err = await caught(svc.create({ ns: 'default', manifest: manifest() }), PartialError);
    const r = err.result as CreateResult;
    expect(r.failed.map((f) => f.vm).sort()).toEqual(['tokyo-1', 'tokyo-2']);
    for (const f of r.failed) expect(f.error).toMatch(/could not check the VM in boot: aws: Unavailable/);
    const view = svc.view('default', 'm1');
    expect(view.vms.filter((v) => v.status === 'Creating')).toEqual([]);
    expect(view.status).toBe('Partial-Failed:2 (R:2/4)');

    // The region comes back: the re-run finds the VMs running and adopts them, launching nothing new.
    cloud.describeDown.delete(TOKYO);
    const again = await svc.create({ ns: 'default', manifest: manifest() });
    expect(again.mcis.status).toBe('Running:4 (R:4/4)');
    expect(cloud.vms.size).toBe(4);
  });

  it('a re-run relaunches Failed, vanished and refined-away VMs with fresh tokens, and exits 0 only once converged', async () => {
    cloud.failCreate.set('tokyo-2', 'InsufficientInstanceCapacity');
    await caught(svc.create({ ns: 'default', manifest: manifest() }), PartialError);
    // Still no capacity: the re-run tries again and still reports the shortfall (exit 3, not 0).
    const still = await caught(svc.create({ ns: 'default', manifest: manifest() }), PartialError);
    expect((still.result as CreateResult).failed.map((f) => f.vm)).toEqual(['tokyo-2']);

    cloud.failCreate.clear();
    const vanished = store.getVm('default', 'm1', 'seoul-2')!;
    cloud.vms.delete(vanished.providerId!); // the cloud lost it; the record still says Running
    const r = await svc.create({ ns: 'default', manifest: manifest() });
    expect(r.mcis.status).toBe('Running:4 (R:4/4)');
    expect(r.launched.sort()).toEqual(['seoul-2', 'tokyo-2']);
    const seoul2 = store.getVm('default', 'm1', 'seoul-2')!;
    expect(seoul2.clientToken).not.toBe(vanished.clientToken);
    expect(seoul2.providerId).not.toBe(vanished.providerId);
    expect(cloud.live()).toHaveLength(4);

    // refine removes a failed VM; status keeps the shortfall; a re-run brings it back.
    store.updateVm('default', 'm1', 'tokyo-1', (c) => ({ ...c, status: 'Failed' }));
    cloud.dieOnBoot.add('tokyo-1');
    const refined = await svc.refine({ ns: 'default', name: 'm1' });
    expect(refined.removed).toEqual(['tokyo-1']);
    expect(refined.mcis.status).toBe('Partial-Running:3 (R:3/4)');
    cloud.dieOnBoot.clear();
    expect((await svc.create({ ns: 'default', manifest: manifest() })).mcis.status).toBe('Running:4 (R:4/4)');
    expect(cloud.live()).toHaveLength(4);
  });
});
