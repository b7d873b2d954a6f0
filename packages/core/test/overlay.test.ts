/**
 * The overlay's follow-ups in the MCIS service against the in-memory cloud: what a VM whose setup
 * failed leaves in the record, and that an `apply` with nothing to change tries it again.
 */
import { describe, expect, it } from 'vitest';
import { ConnectionService } from '../src/connections.js';
import { CredentialService } from '../src/credentials.js';
import { OperationError, PartialError } from '../src/errors.js';
import type { McisManifest } from '../src/manifest.js';
import { validateMcisManifest } from '../src/orchestrator/mcis-manifest.js';
import type { OrchestratorDeps } from '../src/orchestrator/deps.js';
import { overlayRulesMissing } from '../src/orchestrator/firewall.js';
import { OVERLAY_LAUNCHER } from '../src/orchestrator/overlay.js';
import { McisService, type ApplyResult } from '../src/orchestrator/service.js';
import type { SshOutputSink, SshTarget } from '../src/ssh/executor.js';
import type { SqliteStateStore } from '../src/store/sqlite-store.js';
import { FakeCloud, FakeSsh } from './fake-cloud.js';
import { FAST_TIMEOUTS, eachTestState } from './state.js';

let store: SqliteStateStore;
let ssh: FakeSsh;
let svc: McisService;
let deps: OrchestratorDeps;

function manifest(topology: 'mesh' | 'hub' | 'off' = 'mesh'): McisManifest {
  const v = validateMcisManifest({
    apiVersion: 'cloud-barista.io/v1alpha1',
    kind: 'MCIS',
    metadata: { name: 'ov' },
    spec: {
      subgroups: [{ name: 'seoul', connection: 'c-seoul', count: 3, spec: 't3.small', image: 'ubuntu-22.04' }],
      ...(topology === 'off' ? {} : { network: { overlay: { cidr: '10.77.0.0/16', ...(topology === 'hub' ? { topology } : {}) } } }),
    },
  });
  if (!v.value) throw new Error(JSON.stringify(v.errors));
  return v.value;
}

eachTestState('cb-overlay-', async ({ home, store: s }) => {
  store = s;
  const cloud = new FakeCloud();
  ssh = new FakeSsh();
  await new ConnectionService(store, cloud.registry()).add({ name: 'c-seoul', provider: 'aws', region: 'ap-northeast-2' });
  deps = { store, home, drivers: cloud.registry(), credentials: new CredentialService(store, home), ssh, timeouts: FAST_TIMEOUTS };
  svc = new McisService(deps);
});

const setups = (host: string) => ssh.execs.filter((e) => e.host === host && e.command === OVERLAY_LAUNCHER).length;

describe('overlay setup that failed', () => {
  it('leaves the VM without a key, and a no-op apply sets it up again (exit 3 while it still fails)', async () => {
    const first = await svc.create({ ns: 'default', manifest: manifest() });
    const victim = first.mcis.vms[0]!;
    expect(store.listVms('default', 'ov').every((v) => v.overlayKey && v.overlayIp)).toBe(true);
    // The first VM's SSH drops whenever a command runs: its part of a re-sync fails.
    ssh.execFails.add(victim.publicIp!);
    await svc.network.enable({ ns: 'default', name: 'ov' }).catch((e: unknown) => expect(e).toBeInstanceOf(PartialError));
    const after = store.listVms('default', 'ov');
    expect(after.find((v) => v.name === victim.name)?.overlayKey).toBeUndefined();
    expect(after.filter((v) => v.name !== victim.name).every((v) => v.overlayKey)).toBe(true);

    // Still failing: the no-op apply tries, and says so (exit 3), not "nothing to do".
    const tries = setups(victim.publicIp!);
    const again = await svc.apply({ ns: 'default', manifest: manifest() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(again).toBeInstanceOf(PartialError);
    expect(((again as PartialError).result as ApplyResult).plan.changes).toEqual([]);
    expect(setups(victim.publicIp!)).toBeGreaterThan(tries);

    // Reachable again: the same no-op apply gives it a key and its address, every peer updated.
    ssh.execFails.clear();
    const before = ssh.execs.length;
    const ok = await svc.apply({ ns: 'default', manifest: manifest() });
    expect(ok.plan.changes).toEqual([]);
    expect(ok.failed).toEqual([]);
    expect(store.listVms('default', 'ov').every((v) => v.overlayKey && v.overlayIp)).toBe(true);
    expect(ssh.execs.slice(before).filter((e) => e.command === OVERLAY_LAUNCHER)).toHaveLength(3);

    // All joined: a further no-op apply touches no VM.
    const quiet = ssh.execs.length;
    await svc.apply({ ns: 'default', manifest: manifest() });
    expect(ssh.execs.length).toBe(quiet);
  });

  it("tells when a firewall's last sync left out a peer the overlay now needs (then the sync has the firewall follow)", async () => {
    await svc.create({ ns: 'default', manifest: manifest() });
    const publics = store.listVms('default', 'ov').map((v) => `udp/51820-51820/${v.publicIp}/32`);
    const held = (applied: string[]) => store.updateMcis('default', 'ov', (m) => ({ ...m, firewalls: { 'c-seoul': { status: 'ready', id: 'sg-1', name: 'cb-default-ov', applied } } }));
    held(['tcp/22-22/0.0.0.0/0', ...publics]);
    expect(overlayRulesMissing(deps, 'default', 'ov')).toBe(false);
    // A cloud that gives hosts back without /32 holds the same.
    held(publics.map((k) => k.replace(/\/32$/, '')));
    expect(overlayRulesMissing(deps, 'default', 'ov')).toBe(false);
    held(publics.slice(1));
    expect(overlayRulesMissing(deps, 'default', 'ov')).toBe(true);
  });

  it('with hubs, the retry sets up the failed spoke and its hub only: the other spokes are unchanged', async () => {
    await svc.create({ ns: 'default', manifest: manifest('hub') });
    const [hub, other, spoke] = store.listVms('default', 'ov');
    expect(hub?.overlayHub).toBe(true);
    ssh.execFails.add(spoke!.publicIp!);
    await svc.network.enable({ ns: 'default', name: 'ov' }).catch((e: unknown) => expect(e).toBeInstanceOf(PartialError));
    expect(store.listVms('default', 'ov').find((v) => v.name === spoke!.name)?.overlayKey).toBeUndefined();
    ssh.execFails.clear();
    const before = ssh.execs.length;
    await svc.apply({ ns: 'default', manifest: manifest('hub') });
    const hosts = ssh.execs.slice(before).filter((e) => e.command === OVERLAY_LAUNCHER).map((e) => e.host).sort();
    expect(hosts).toEqual([hub!.publicIp, spoke!.publicIp].sort());
    expect(hosts).not.toContain(other!.publicIp);
    expect(store.listVms('default', 'ov').every((v) => v.overlayKey)).toBe(true);
  });
});

/** VMs whose launcher refuses the overlay, as a Cloud-Twin VM without isolation does. */
class RefusingSsh extends FakeSsh {
  override async exec(target: SshTarget, command: string, opts: { output?: SshOutputSink } = {}) {
    if (command !== OVERLAY_LAUNCHER) return super.exec(target, command, opts);
    this.execs.push({ host: target.host, command });
    return { exitCode: 97, stdout: '', stderr: 'the overlay needs VMs with networks of their own\n', durationMs: 1 };
  }
}

describe('an overlay no VM can run', () => {
  it('enable changes nothing and says why once (exit 1), not as a failure of every VM', async () => {
    await svc.create({ ns: 'default', manifest: manifest('off') });
    // Its own deps: the transports the other service made hold the other SSH.
    const refusing = new McisService({ ...deps, transports: undefined, ssh: new RefusingSsh() });
    const e = await refusing.network.enable({ ns: 'default', name: 'ov' }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(OperationError);
    expect((e as OperationError).exitCode).toBe(1);
    expect((e as Error).message).toBe('mcis network enable ov: the overlay needs VMs with networks of their own');
    expect(store.getMcis('default', 'ov')?.overlay).toBeUndefined();
    expect(store.listVms('default', 'ov').map((v) => [v.overlayIp, v.overlayKey, v.overlayHub])).toEqual([[undefined, undefined, undefined], [undefined, undefined, undefined], [undefined, undefined, undefined]]);
  });

  it('a create whose VMs run but cannot join says so, and points at apply, not at refine', async () => {
    const refusing = new McisService({ ...deps, transports: undefined, ssh: new RefusingSsh() });
    const e = await refusing.create({ ns: 'default', manifest: manifest() }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(PartialError);
    expect((e as PartialError).hint).toMatch(/the VMs run; .*cbadm apply -f FILE/);
    expect(store.listVms('default', 'ov').map((v) => v.status)).toEqual(['Running', 'Running', 'Running']);
  });

  it('names each error once with the VMs it hit', async () => {
    const { byError } = await import('../src/orchestrator/overlay-service.js');
    expect(byError([{ vm: 'a-1', error: 'x' }, { vm: 'b-1', error: 'y' }, { vm: 'a-2', error: 'x' }])).toBe('a-1, a-2: x; b-1: y');
  });
});
