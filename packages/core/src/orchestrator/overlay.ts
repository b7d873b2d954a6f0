/**
 * The MCIS overlay on the VMs: a WireGuard network (a full mesh, or hubs and spokes per region) set
 * up, kept in step with the MCIS and taken down, every command through the exec transport. Keys are made here (x25519); a VM's private key
 * travels once, inside the setup script's stdin, and is never recorded, logged or put in argv.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nowIso } from '../domain.js';
import type { EventSink } from '../events.js';
import type { Mcis, Vm } from '../model.js';
import { SshCommandTimeoutError } from '../ssh/types.js';
import { Semaphore } from '../util/limit.js';
import type { OrchestratorDeps } from './deps.js';
import { assignOverlayIps, matrixRow, OVERLAY_IFACE, parseStatus, setupConfig, type PeerStatus } from './overlay-plan.js';
import { chooseHubs, overlaySources, planPeers } from './overlay-topology.js';
import { execTargetOf, transportsOf } from './transport.js';
import { EXEC_SH_AS_ROOT, UNAVAILABLE_HERE } from '../exec/as-root.js';

export const OVERLAY_SCRIPTS_DIR = fileURLToPath(new URL('../../overlay-scripts/', import.meta.url));
const script = (name: 'wg-setup' | 'wg-down' | 'wg-status') => readFileSync(`${OVERLAY_SCRIPTS_DIR}${name}.sh`, 'utf8');

/**
 * Runs the script read from stdin as root. A Cloud-Twin VM without isolation shares the twin host's
 * network, so a tunnel made there would be the host's: it refuses, naming the fix.
 */
export const OVERLAY_LAUNCHER = [
  'if [ -n "${CB_TWIN_INSTANCE_ID:-}" ] && [ -z "${CB_TWIN_ISOLATED:-}" ]; then',
  `echo "the overlay needs VMs with networks of their own: this Cloud-Twin runs without isolation (run it as root: cbadm twin up --isolation on)" >&2; exit ${UNAVAILABLE_HERE}; fi;`,
  EXEC_SH_AS_ROOT,
].join(' ');

const SETUP_TIMEOUT_MS = 120_000;
/** Setups run at once, as many as the SSH pool holds: each is one short session, mostly waiting on the network and the VM. */
const PARALLEL = 64;

/** A fresh WireGuard key pair, base64 as `wg` writes them. */
export function wgKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const b64 = (k: { export(o: { format: 'jwk' }): { d?: string; x?: string } }, f: 'd' | 'x') => Buffer.from(k.export({ format: 'jwk' })[f]!, 'base64url').toString('base64');
  return { privateKey: b64(privateKey, 'd'), publicKey: b64(publicKey, 'x') };
}

/** The script wg-setup.sh with its configuration as a here-document: all of it goes on stdin. */
export function setupStdin(config: string): string {
  return `(\n${script('wg-setup')}\n) <<'CB_OVERLAY_CONF'\n${config}CB_OVERLAY_CONF\n`;
}

/** VMs that take part: running, reachable at a public address. */
function members(deps: OrchestratorDeps, ns: string, name: string): Vm[] {
  const transports = transportsOf(deps);
  return deps.store.listVms(ns, name).filter((v) => v.status === 'Running' && v.publicIp && transports.reachable(v));
}

/**
 * The UDP sources one connection's firewall needs for the overlay (undefined while it is off), with
 * the hubs the next sync keeps or picks: `vms` are the MCIS's VMs the firewall counts.
 */
export function overlaySourcesOf(deps: OrchestratorDeps, rec: Mcis, connection: string, vms: readonly Vm[]): string[] | undefined {
  if (!rec.overlay) return undefined;
  const hubs = rec.overlay.topology === 'hub' ? chooseHubs(members(deps, rec.ns, rec.name)) : undefined;
  return overlaySources(connection, vms, hubs);
}

/** Whether a running member has not joined (its last setup failed, or it never had one): a no-op apply then syncs. */
export function overlayPending(deps: OrchestratorDeps, ns: string, name: string): boolean {
  return !!deps.store.getMcis(ns, name)?.overlay && members(deps, ns, name).some((v) => !v.overlayKey || !v.overlayIp);
}

/** A VM the overlay could not be set up on; `unavailable`: the VM cannot run it at all (its launcher said so). */
export interface OverlayFailure {
  vm: string;
  error: string;
  unavailable?: boolean;
}

class OverlayUnavailable extends Error {}

const tail = (text: string) => text.trim().split('\n').slice(-2).join(' | ');

/** What a VM's overlayConfig records: digests of its configuration without the key, and of the setup script that applies it. */
function configDigests(): (config: string) => string {
  const scripted = createHash('sha256').update(script('wg-setup')).update('\0');
  return (config) => scripted.copy().update(config).digest('base64url').slice(0, 22);
}

/**
 * Makes every running VM's overlay match the MCIS: addresses assigned (kept once given), keys made
 * for VMs without one, then each VM told its full peer set (peers gone are dropped by `wg setconf`).
 * With `onlyChanged` (a retry of VMs that failed, when nothing else changed), a VM whose configuration
 * is the one it last took is left alone. Per-VM failures come back, the others are set up. Does
 * nothing while the overlay is off.
 */
export async function syncOverlay(deps: OrchestratorDeps, ns: string, name: string, events: EventSink, signal?: AbortSignal, onlyChanged = false): Promise<OverlayFailure[]> {
  const rec = deps.store.getMcis(ns, name);
  const overlay = rec?.overlay;
  if (!overlay) return [];
  const live = members(deps, ns, name);
  // Addresses for every VM that still exists, so a suspended VM keeps its own.
  const all = deps.store.listVms(ns, name).filter((v) => v.status !== 'Terminated' && v.status !== 'Failed');
  const ips = assignOverlayIps(overlay.cidr, all);
  const secrets = new Map<string, string>();
  for (const v of live) {
    const keys = v.overlayKey ? undefined : wgKeyPair();
    if (keys) secrets.set(v.name, keys.privateKey);
    const ip = ips.get(v.name)!;
    if (keys || v.overlayIp !== ip) {
      deps.store.updateVm(ns, name, v.name, (c) => ({ ...c, overlayIp: ip, ...(keys ? { overlayKey: keys.publicKey } : {}), updatedAt: nowIso() }));
    }
  }
  const current = members(deps, ns, name);
  const topology = overlay.topology ?? 'mesh';
  const joined = current.map((v) => ({ name: v.name, connection: v.connection, overlayIp: v.overlayIp!, overlayHub: v.overlayHub }));
  const hubs = topology === 'hub' ? chooseHubs(joined) : new Map<string, string>();
  const hubNames = new Set(hubs.values());
  // Recorded so a hub stays one while it runs (and `mcis get` can tell); cleared on all others,
  // a suspended former hub included, so it does not take the role back when it resumes.
  for (const v of deps.store.listVms(ns, name)) {
    const hub = hubNames.has(v.name) || undefined;
    if (v.overlayHub !== hub) deps.store.updateVm(ns, name, v.name, (c) => ({ ...c, overlayHub: hub, updatedAt: nowIso() }));
  }
  const plan = planPeers(joined, topology, overlay.cidr, hubs);
  const transports = transportsOf(deps);
  const limit = new Semaphore(PARALLEL);
  const failed: OverlayFailure[] = [];
  const digest = configDigests();
  const digests = new Map(current.map((vm) => [vm.name, digest(setupConfig(vm, plan.get(vm.name)!, current, overlay, name))]));
  const todo = current.filter((vm) => !onlyChanged || secrets.has(vm.name) || vm.overlayConfig !== digests.get(vm.name));
  const shape = topology === 'hub' ? `hubs and spokes (${hubs.size} hub(s))` : 'WireGuard mesh';
  const unchanged = current.length - todo.length;
  events({ type: 'phase', mcis: name, phase: 'overlay', message: `${shape} of ${current.length} VM(s) on ${overlay.cidr}${unchanged ? `, ${unchanged} unchanged` : ''}` });
  const opts = { timeoutMs: SETUP_TIMEOUT_MS, ...(signal ? { signal } : {}) };
  await Promise.all(
    todo.map((vm) =>
      limit.run(async () => {
        const stdin = setupStdin(setupConfig(vm, plan.get(vm.name)!, current, overlay, name, secrets.get(vm.name)));
        try {
          const target = execTargetOf(deps, vm);
          // Straight to the setup: a VM that does not answer yet (just launched or resumed) is waited
          // for and tried once more, so a running one costs one SSH session, not a probe and a session.
          const r = await transports.exec(target, OVERLAY_LAUNCHER, { stdin, ...opts }).catch(async (e: unknown) => {
            if (signal?.aborted || e instanceof SshCommandTimeoutError) throw e;
            await transports.ready(target, { maxWaitMs: SETUP_TIMEOUT_MS, ...(signal ? { signal } : {}) });
            return transports.exec(target, OVERLAY_LAUNCHER, { stdin, ...opts });
          });
          if (r.exitCode === UNAVAILABLE_HERE) throw new OverlayUnavailable(tail(r.stderr));
          if (r.exitCode !== 0) throw new Error(`overlay setup exited ${r.exitCode ?? r.signal}: ${tail(r.stderr) || tail(r.stdout)}`);
          deps.store.updateVm(ns, name, vm.name, (c) => ({ ...c, overlayConfig: digests.get(vm.name), updatedAt: nowIso() }));
          events({ type: 'vm', mcis: name, vm: vm.name, status: 'Running', step: 'overlay', message: tail(r.stdout) });
        } catch (e) {
          // Whatever failed (a private key never delivered, a VM that lost its key with a new disk: exit
          // 3), the VM joins afresh next time, with a new key: a sync, or a no-op apply, sees it lacks one.
          deps.store.updateVm(ns, name, vm.name, (c) => ({ ...c, overlayKey: undefined, overlayConfig: undefined, updatedAt: nowIso() }));
          const error = (e as Error).message;
          failed.push({ vm: vm.name, error, ...(e instanceof OverlayUnavailable ? { unavailable: true } : {}) });
          events({ type: 'warning', message: `${vm.name}: ${error}` });
        }
      }),
    ),
  );
  return failed;
}

/** Takes the overlay off every running VM and forgets the VMs' addresses and keys; the record's overlay is cleared by the caller. */
export async function teardownOverlay(deps: OrchestratorDeps, ns: string, name: string, events: EventSink, signal?: AbortSignal): Promise<Array<{ vm: string; error: string }>> {
  const transports = transportsOf(deps);
  const limit = new Semaphore(PARALLEL);
  const failed: Array<{ vm: string; error: string }> = [];
  const stdin = `export IFACE=${OVERLAY_IFACE}\n${script('wg-down')}`;
  await Promise.all(
    members(deps, ns, name).map((vm) =>
      limit.run(async () => {
        try {
          const r = await transports.exec(execTargetOf(deps, vm), OVERLAY_LAUNCHER, { stdin, timeoutMs: SETUP_TIMEOUT_MS, ...(signal ? { signal } : {}) });
          if (r.exitCode !== 0) throw new Error(`overlay teardown exited ${r.exitCode ?? r.signal}: ${tail(r.stderr)}`);
          events({ type: 'vm', mcis: name, vm: vm.name, status: 'Running', step: 'overlay', message: tail(r.stdout) });
        } catch (e) {
          failed.push({ vm: vm.name, error: (e as Error).message });
        }
      }),
    ),
  );
  for (const v of deps.store.listVms(ns, name)) {
    if ((v.overlayIp || v.overlayKey) && !failed.some((f) => f.vm === v.name)) {
      deps.store.updateVm(ns, name, v.name, (c) => ({ ...c, overlayIp: undefined, overlayKey: undefined, overlayHub: undefined, overlayConfig: undefined, updatedAt: nowIso() }));
    }
  }
  return failed;
}

/** One row of `mcis network status`: a VM's view of every other member. */
export interface OverlayVmStatus {
  vm: string;
  overlayIp: string | null;
  /** Whether its interface exists; false also when the VM could not be asked (then `error`). */
  up: boolean;
  error?: string;
  peers: PeerStatus[];
}

export interface OverlayStatus {
  mcis: string;
  enabled: boolean;
  topology: 'mesh' | 'hub' | null;
  cidr: string | null;
  port: number | null;
  vms: OverlayVmStatus[];
}

/** Asks each running VM for its peers' latest handshakes and pings each other VM over the overlay: the matrix. */
export async function overlayStatus(deps: OrchestratorDeps, rec: Mcis, signal?: AbortSignal): Promise<OverlayStatus> {
  const { ns, name } = rec;
  const vms = members(deps, ns, name).filter((v) => v.overlayIp);
  const transports = transportsOf(deps);
  const limit = new Semaphore(PARALLEL);
  const nameOfKey = new Map(vms.flatMap((v) => (v.overlayKey ? [[v.overlayKey, v.name] as const] : [])));
  const rows = await Promise.all(
    vms.map((vm) =>
      limit.run(async (): Promise<OverlayVmStatus> => {
        const others = vms.filter((o) => o.name !== vm.name);
        const stdin = `export IFACE=${OVERLAY_IFACE} PEERS='${others.map((o) => o.overlayIp).join(' ')}'\n${script('wg-status')}`;
        try {
          const r = await transports.exec(execTargetOf(deps, vm), OVERLAY_LAUNCHER, { stdin, timeoutMs: 60_000, ...(signal ? { signal } : {}) });
          if (r.exitCode !== 0) throw new Error(`status exited ${r.exitCode ?? r.signal}: ${tail(r.stderr)}`);
          const s = parseStatus(r.stdout);
          const peers = matrixRow(others, s, nameOfKey);
          return { vm: vm.name, overlayIp: vm.overlayIp ?? null, up: s.up, peers };
        } catch (e) {
          return { vm: vm.name, overlayIp: vm.overlayIp ?? null, up: false, error: (e as Error).message, peers: [] };
        }
      }),
    ),
  );
  return { mcis: name, enabled: !!rec.overlay, topology: rec.overlay ? (rec.overlay.topology ?? 'mesh') : null, cidr: rec.overlay?.cidr ?? null, port: rec.overlay ? (rec.overlay.port ?? 51820) : null, vms: rows.sort((a, b) => a.vm.localeCompare(b.vm)) };
}
