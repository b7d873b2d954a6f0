import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectionService } from '../src/connections.js';
import { CredentialService } from '../src/credentials.js';
import { ConflictError, NotFoundError, OperationError, PartialError, UsageError } from '../src/errors.js';
import type { CbEvent } from '../src/events.js';
import type { McisManifest } from '../src/manifest.js';
import { validateMcisManifest } from '../src/orchestrator/mcis-manifest.js';
import { McisService } from '../src/orchestrator/service.js';
import { SqliteStateStore } from '../src/store/sqlite-store.js';
import { FakeCloud, FakeSsh } from './fake-cloud.js';
import { FAST_TIMEOUTS, eachTestState } from './state.js';

let store: SqliteStateStore;
let cloud: FakeCloud;
let ssh: FakeSsh;
let svc: McisService;

function manifest(over: Partial<{ name: string; counts: [number, number]; onFailure: 'continue' | 'rollback' | 'refine' }> = {}): McisManifest {
  const [a, b] = over.counts ?? [2, 2];
  const v = validateMcisManifest({
    apiVersion: 'cloud-barista.io/v1alpha1',
    kind: 'MCIS',
    metadata: { name: over.name ?? 'm1' },
    spec: {
      subgroups: [
        { name: 'seoul', connection: 'c-seoul', count: a, spec: 't3.small', image: 'ubuntu-22.04' },
        { name: 'tokyo', connection: 'c-tokyo', count: b, spec: 't3.small', image: 'ubuntu-22.04' },
      ],
      ...(over.onFailure ? { policy: { onFailure: over.onFailure } } : {}),
    },
  });
  if (!v.value) throw new Error(JSON.stringify(v.errors));
  return v.value;
}

eachTestState('cb-orch-', async ({ home, store: s }) => {
  store = s;
  cloud = new FakeCloud();
  ssh = new FakeSsh();
  const credentials = new CredentialService(store, home);
  const conns = new ConnectionService(store, cloud.registry());
  await conns.add({ name: 'c-seoul', provider: 'aws', region: 'ap-northeast-2' });
  await conns.add({ name: 'c-tokyo', provider: 'aws', region: 'ap-northeast-1' });
  svc = new McisService({ store, home, drivers: cloud.registry(), credentials, ssh, timeouts: FAST_TIMEOUTS });
});

describe('McisService.create', () => {
  it('creates every VM, shared defaults once per connection, and reports Running', async () => {
    const events: CbEvent[] = [];
    const r = await svc.create({ ns: 'default', manifest: manifest(), events: (e) => events.push(e) });
    expect(r.mcis.status).toBe('Running:4 (R:4/4)');
    expect(r.mcis.vms.map((v) => v.name)).toEqual(['seoul-1', 'seoul-2', 'tokyo-1', 'tokyo-2']);
    expect(r.mcis.vms.every((v) => v.publicIp && v.providerId)).toBe(true);
    expect(cloud.calls.filter((c) => c.startsWith('ensureNetwork'))).toHaveLength(2);
    expect(cloud.live()).toHaveLength(4);
    expect(cloud.live()[0]?.tags).toMatchObject({ 'cb-managed': 'true', 'cb-ns': 'default', 'cb-mcis': 'm1' });
    expect(events.some((e) => e.type === 'vm' && e.status === 'Running')).toBe(true);
  });

  it('re-running after an interruption adopts by client token and never duplicates', async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
    // Simulate a crash right after the create calls: records lost their provider ids and went back to Creating.
    for (const vm of store.listVms('default', 'm1')) store.updateVm('default', 'm1', vm.name, (v) => ({ ...v, status: 'Creating', providerId: undefined }));
    const r = await svc.create({ ns: 'default', manifest: manifest() });
    expect(r.mcis.status).toBe('Running:4 (R:4/4)');
    expect(cloud.vms.size).toBe(4);
    expect(new Set(r.mcis.vms.map((v) => v.providerId)).size).toBe(4);
  });

  it('refuses the same name with different subgroups, changing nothing', async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
    await expect(svc.create({ ns: 'default', manifest: manifest({ counts: [3, 2] }) })).rejects.toThrow(ConflictError);
    expect(cloud.vms.size).toBe(4);
  });

  it('rejects an unknown connection before any state change', async () => {
    const m = manifest();
    m.spec.subgroups[1]!.connection = 'nope';
    const err = await svc.create({ ns: 'default', manifest: m }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).issues[0]?.path).toBe('spec.subgroups[1].connection');
    expect(store.listMcis()).toEqual([]);
    expect(cloud.calls).toEqual([]);
  });

  it('continue: keeps the good VMs and exits partial', async () => {
    cloud.failCreate.set('tokyo-2', 'InsufficientInstanceCapacity');
    const err = await svc.create({ ns: 'default', manifest: manifest() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialError);
    const view = svc.view('default', 'm1');
    expect(view.status).toBe('Partial-Running:3 (R:3/4)');
    expect(view.vms.find((v) => v.name === 'tokyo-2')?.error).toMatch(/InsufficientInstanceCapacity/);
  });

  it('rollback: terminates what was made and removes the record and defaults', async () => {
    cloud.dieOnBoot.add('seoul-2');
    await expect(svc.create({ ns: 'default', manifest: manifest({ onFailure: 'rollback' }) })).rejects.toThrow(OperationError);
    expect(store.listMcis()).toEqual([]);
    expect(cloud.live()).toEqual([]);
    expect(cloud.networks.size).toBe(0);
    expect(store.listResources()).toEqual([]);
  });

  it('refine: drops the failed VMs (SSH never answered) and terminates them', async () => {
    ssh.unreachable.add('127.9.0.3');
    const err = await svc.create({ ns: 'default', manifest: manifest({ onFailure: 'refine' }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialError);
    const view = svc.view('default', 'm1');
    expect(view.vms).toHaveLength(3);
    // The shortfall against the manifest's 4 stays visible.
    expect(view.status).toBe('Partial-Running:3 (R:3/4)');
    expect(cloud.live()).toHaveLength(3);
  });
});

describe('McisService actions', () => {
  beforeEach(async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
  });

  it('suspends and resumes the whole MCIS', async () => {
    expect((await svc.action({ ns: 'default', name: 'm1', action: 'suspend', selector: {} })).mcis.status).toBe('Suspended:4 (R:0/4)');
    expect((await svc.action({ ns: 'default', name: 'm1', action: 'resume', selector: {} })).mcis.status).toBe('Running:4 (R:4/4)');
  });

  it('acts on one subgroup or one VM', async () => {
    const r = await svc.action({ ns: 'default', name: 'm1', action: 'suspend', selector: { subgroup: 'tokyo' } });
    expect(r.mcis.status).toBe('Partial-Suspended:2 (R:2/4)');
    expect(r.outcome.changed).toEqual(expect.arrayContaining(['tokyo-1', 'tokyo-2']));
    const one = await svc.action({ ns: 'default', name: 'm1', action: 'resume', selector: { vm: 'tokyo-1' } });
    expect(one.outcome.changed).toEqual(['tokyo-1']);
  });

  it('refuses an action the table forbids, changing nothing', async () => {
    await svc.action({ ns: 'default', name: 'm1', action: 'terminate', selector: { vm: 'seoul-1' } });
    await expect(svc.action({ ns: 'default', name: 'm1', action: 'resume', selector: { vm: 'seoul-1' } })).rejects.toThrow(/cannot resume VM 'seoul-1': it is Terminated/);
    expect(svc.view('default', 'm1').status).toBe('Partial-Running:3 (R:3/4)');
  });

  it('names a VM or subgroup that does not exist', async () => {
    await expect(svc.action({ ns: 'default', name: 'm1', action: 'reboot', selector: { vm: 'seoul-9' } })).rejects.toThrow(NotFoundError);
    await expect(svc.action({ ns: 'default', name: 'm1', action: 'reboot', selector: { subgroup: 'paris' } })).rejects.toThrow(NotFoundError);
    await expect(svc.action({ ns: 'default', name: 'nope', action: 'reboot', selector: {} })).rejects.toThrow(NotFoundError);
  });

  it('delete refuses a live MCIS, --force terminates, and defaults go with the last user', async () => {
    await svc.create({ ns: 'default', manifest: manifest({ name: 'm2', counts: [1, 1] }) });
    await expect(svc.delete({ ns: 'default', name: 'm1' })).rejects.toThrow(ConflictError);
    await svc.delete({ ns: 'default', name: 'm1', force: true });
    expect(cloud.networks.size).toBe(2); // m2 still uses both connections
    await svc.action({ ns: 'default', name: 'm2', action: 'terminate', selector: {} });
    const r = await svc.delete({ ns: 'default', name: 'm2' });
    expect(r.cleanedConnections.sort()).toEqual(['c-seoul', 'c-tokyo']);
    expect(cloud.networks.size).toBe(0);
    expect(cloud.keys.size).toBe(0);
    expect(cloud.live()).toEqual([]);
  });

  it('refresh marks VMs the cloud lost as Undefined; refine drops them', async () => {
    const gone = store.getVm('default', 'm1', 'seoul-2')!;
    cloud.vms.delete(gone.providerId!);
    const view = await svc.refresh({ ns: 'default', name: 'm1' });
    expect(view.vms.find((v) => v.name === 'seoul-2')?.status).toBe('Undefined');
    expect(view.status).toBe('Partial-Running:3 (R:3/4)');
    const refined = await svc.refine({ ns: 'default', name: 'm1' });
    expect(refined.removed).toEqual(['seoul-2']);
    expect(refined.mcis.vms).toHaveLength(3);
  });

  it('exec runs on every Running VM and reports per-VM exit codes', async () => {
    await svc.action({ ns: 'default', name: 'm1', action: 'suspend', selector: { vm: 'tokyo-2' } });
    const r = await svc.exec({ ns: 'default', name: 'm1', command: 'uptime', selector: {} });
    expect(r.map((x) => [x.vm, x.exitCode])).toEqual([['seoul-1', 0], ['seoul-2', 0], ['tokyo-1', 0], ['tokyo-2', null]]);
    expect(r[3]?.error).toMatch(/Suspended/);
  });
});
