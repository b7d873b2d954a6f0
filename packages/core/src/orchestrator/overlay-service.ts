/**
 * `cbadm mcis network enable|disable|status`: turns the overlay on or off for a running MCIS (the
 * record, the firewall's UDP rule, the VMs' tunnels) and reads its matrix. The per-VM work is overlay.ts.
 */
import { nowIso } from '../domain.js';
import type { DriverPool } from '../driver/pool.js';
import { NotFoundError, OperationError, PartialError, UsageError } from '../errors.js';
import { noEvents } from '../events.js';
import { overlayIssues } from '../manifest.js';
import type { OverlaySpec } from '../model.js';
import type { OrchestratorDeps, RunOptions } from './deps.js';
import { overlayRulesMissing, syncFirewalls } from './firewall.js';
import { groupBy } from './group.js';
import { overlayStatus, syncOverlay, teardownOverlay, type OverlayFailure, type OverlayStatus } from './overlay.js';
import { OVERLAY_TOPOLOGIES, type OverlayTopology } from './overlay-topology.js';
import { mcisView, type McisView } from './view.js';

export const DEFAULT_OVERLAY_CIDR = '10.77.0.0/16';

type Locked = <T>(ns: string, name: string, what: string, fn: (pool: DriverPool) => Promise<T>) => Promise<T>;

/**
 * Brings the VMs' tunnels in line with the record: synced while the overlay is on (with
 * `onlyChanged`, VMs whose setup is unchanged are left alone), removed where it was left behind.
 * With `pool`, the firewalls follow when the sync left a peer unadmitted (a hub moved).
 */
export async function followOverlay(deps: OrchestratorDeps, ns: string, name: string, opts: RunOptions, pool?: DriverPool, onlyChanged = false): Promise<OverlayFailure[]> {
  const rec = deps.store.getMcis(ns, name);
  if (!rec) return [];
  const events = opts.events ?? noEvents;
  if (rec.overlay) {
    const failed = await syncOverlay(deps, ns, name, events, opts.signal, onlyChanged);
    if (pool && overlayRulesMissing(deps, ns, name)) failed.push(...firewallFailures(await syncFirewalls(deps, pool, ns, name, events)));
    return failed;
  }
  if (deps.store.listVms(ns, name).some((v) => v.overlayIp || v.overlayKey)) return teardownOverlay(deps, ns, name, events, opts.signal);
  return [];
}

/** A connection whose firewall could not be synced, reported like a failed VM. */
export const firewallFailures = (failed: Array<{ connection: string; error: string }>) => failed.map((f) => ({ vm: `firewall@${f.connection}`, error: f.error }));

/** 'a-1, g-1: the same error; b-2: another': one mention of each error, with the VMs it hit. */
export function byError(failed: ReadonlyArray<{ vm: string; error: string }>): string {
  return [...groupBy(failed, (f) => f.error)].map(([error, same]) => `${same.map((f) => f.vm).join(', ')}: ${error}`).join('; ');
}

export interface NetworkResult {
  mcis: McisView;
  failed: Array<{ vm: string; error: string }>;
}

export class OverlayService {
  constructor(
    private readonly deps: OrchestratorDeps,
    private readonly locked: Locked,
    /** Refuses an MCIS whose delete is unfinished. */
    private readonly requireActive: (ns: string, name: string) => unknown,
  ) {}

  /**
   * Turns the overlay on (or changes its network or topology): firewall first, so the tunnels can
   * shake hands at once. Without a topology the one in use stays (mesh when the overlay was off).
   */
  async enable(args: { ns: string; name: string; cidr?: string; port?: number; topology?: string } & RunOptions): Promise<NetworkResult> {
    const cidr = args.cidr ?? DEFAULT_OVERLAY_CIDR;
    const issues = overlayIssues(cidr, '--cidr');
    if (issues.length) throw new UsageError(`--cidr ${issues[0]!.message}`, { issues });
    if (args.topology !== undefined && !OVERLAY_TOPOLOGIES.includes(args.topology as OverlayTopology)) {
      throw new UsageError(`--topology '${args.topology}' is not one of ${OVERLAY_TOPOLOGIES.join(', ')}`, { hint: 'mesh: every VM peers with every other; hub: one hub per region, spokes peer with it' });
    }
    this.requireActive(args.ns, args.name);
    return this.locked(args.ns, args.name, 'mcis network enable', async (pool) => {
      const before = this.deps.store.getMcis(args.ns, args.name)?.overlay;
      const topology = (args.topology as OverlayTopology | undefined) ?? before?.topology;
      const overlay: OverlaySpec = { cidr, ...(args.port ? { port: args.port } : {}), ...(topology && topology !== 'mesh' ? { topology } : {}) };
      // A new network renumbers every VM: the old addresses are dropped before the sync.
      if (before && before.cidr !== overlay.cidr) {
        for (const v of this.deps.store.listVms(args.ns, args.name)) this.deps.store.updateVm(args.ns, args.name, v.name, (c) => ({ ...c, overlayIp: undefined }));
      }
      this.deps.store.updateMcis(args.ns, args.name, (m) => ({ ...m, overlay, updatedAt: nowIso() }));
      const failed = await this.settle(pool, args, 'enable');
      const refused = failed.filter((f) => f.unavailable);
      if (refused.length && refused.length === failed.length && !this.deps.store.listVms(args.ns, args.name).some((v) => v.overlayKey)) {
        // No VM can run the overlay at all (a Cloud-Twin without isolation): nothing is left changed.
        await this.undoEnable(pool, args, before);
        throw new OperationError(`mcis network enable ${args.name}: ${refused[0]!.error}`, { hint: 'nothing was changed' });
      }
      return this.report(args, 'enable', failed);
    });
  }

  /** Puts the record, the VMs' overlay fields and the firewall back as they were before an enable that no VM could take. */
  private async undoEnable(pool: DriverPool, args: { ns: string; name: string } & RunOptions, before: OverlaySpec | undefined): Promise<void> {
    this.deps.store.updateMcis(args.ns, args.name, (m) => ({ ...m, overlay: before, updatedAt: nowIso() }));
    if (!before) {
      for (const v of this.deps.store.listVms(args.ns, args.name)) {
        if (v.overlayIp || v.overlayHub) this.deps.store.updateVm(args.ns, args.name, v.name, (c) => ({ ...c, overlayIp: undefined, overlayHub: undefined, overlayConfig: undefined, updatedAt: nowIso() }));
      }
    }
    await syncFirewalls(this.deps, pool, args.ns, args.name, args.events ?? noEvents);
  }

  /** Turns the overlay off: tunnels, keys and /etc/hosts entries removed from every VM, then the UDP rule. */
  async disable(args: { ns: string; name: string } & RunOptions): Promise<NetworkResult> {
    this.requireActive(args.ns, args.name);
    return this.locked(args.ns, args.name, 'mcis network disable', async (pool) => {
      this.deps.store.updateMcis(args.ns, args.name, (m) => ({ ...m, overlay: undefined, updatedAt: nowIso() }));
      return this.report(args, 'disable', await this.settle(pool, args, 'disable'));
    });
  }

  /** Each VM's view of every other: latest handshake and ping RTT over the overlay. */
  async status(args: { ns: string; name: string } & RunOptions): Promise<OverlayStatus> {
    const rec = this.deps.store.getMcis(args.ns, args.name);
    if (!rec) throw new NotFoundError('MCIS', args.name, { hint: `list them with: cbadm mcis list --ns ${args.ns}` });
    return overlayStatus(this.deps, rec, args.signal);
  }

  /** Firewall and tunnels brought in line with the record; what failed, per VM or connection. */
  private async settle(pool: DriverPool, args: { ns: string; name: string } & RunOptions, what: 'enable' | 'disable'): Promise<OverlayFailure[]> {
    const events = args.events ?? noEvents;
    return [
      ...(what === 'enable' ? firewallFailures(await syncFirewalls(this.deps, pool, args.ns, args.name, events)) : []),
      ...(await followOverlay(this.deps, args.ns, args.name, args, pool)),
      ...(what === 'disable' ? firewallFailures(await syncFirewalls(this.deps, pool, args.ns, args.name, events)) : []),
    ];
  }

  private report(args: { ns: string; name: string }, what: 'enable' | 'disable', failed: OverlayFailure[]): NetworkResult {
    const rec = this.deps.store.getMcis(args.ns, args.name)!;
    const result = { mcis: mcisView(rec, this.deps.store.listVms(args.ns, args.name)), failed };
    if (failed.length) {
      throw new PartialError(`mcis network ${what} ${args.name}: ${failed.length} failed: ${byError(failed)}`, result, {
        hint: `fix the cause and run: cbadm mcis network ${what} ${args.name}`,
      });
    }
    return result;
  }
}
