/**
 * McisService: the one entry point commands call. It owns the per-MCIS lock (two commands never
 * work one MCIS at once; a killed command's lock is taken over) and the driver pool's lifetime.
 */
import { ConflictError, NotFoundError, OperationError, PartialError, UsageError } from '../errors.js';
import type { VmAction } from '../driver/port.js';
import { noEvents } from '../events.js';
import { nowIso } from '../domain.js';
import type { Mcis, Vm } from '../model.js';
import { runAction, selectVms, type ActionOutcome, type Selector } from './actions.js';
import { planCreate, runCreate, type CreateOptions, type CreateOutcome, type CreatePlan } from './create.js';
import type { OrchestratorDeps, RunOptions } from './deps.js';
import { runExec, type ExecOptions, type ExecVmResult } from './exec.js';
import type { CopyOptions, CopyVmResult } from './copy.js';
import type { ExecTarget } from '../exec/transport.js';
import { execTargetOf, transportsOf } from './transport.js';
import type { BenchmarkResult } from './benchmark.js';
import { DriverPool } from '../driver/pool.js';
import { cleanupUnusedDefaults } from './resources.js';
import type { CleanupReport } from './cleanup.js';
import type { ForcedRemoval } from './forced-removal.js';
import type { RegisterOptions } from './register.js';
import { mcisView, type McisView } from './view.js';
import { adoptUnrecorded, terminateVms } from './terminate.js';
import { deleteFirewalls } from './firewall.js';
import { drainBalancers, reconfigureBalancers, syncBalancers, withLoadBalancers } from './nlb.js';
import { NlbService } from './nlb-service.js';
import { followOverlay, OverlayService } from './overlay-service.js';
import { overlayPending } from './overlay.js';
import type { McisPlan } from './apply.js';
import { driftOf, emptyCloudView } from './diff.js';
import { afterVmsChange } from './after-vms-change.js';
import { reconcileRecord } from './reconcile.js';
import type { ApplyResult, CreateResult, DeleteResult, DriftResult } from './results.js';

export type { ApplyResult, CreateResult, DeleteResult, DriftResult } from './results.js';

export class McisService {
  constructor(private readonly deps: OrchestratorDeps) {
    this.nlb = new NlbService(deps, this);
  }

  /** `mcis nlb`: the load balancers of an MCIS (nlb-service.ts). */
  readonly nlb: NlbService;

  /** A driver pool for one call, closed after it whatever happens. */
  private async withPool<T>(fn: (pool: DriverPool) => Promise<T>): Promise<T> {
    const pool = new DriverPool(this.deps.store, this.deps.drivers, this.deps.credentials);
    try {
      return await fn(pool);
    } finally {
      await pool.closeAll();
    }
  }

  private async withMcis<T>(ns: string, name: string, what: string, fn: (pool: DriverPool) => Promise<T>): Promise<T> {
    const key = `mcis/${ns}/${name}`;
    this.deps.store.acquireLock(key, what);
    try {
      return await this.withPool(fn);
    } finally {
      this.deps.store.releaseLock(key);
    }
  }

  private require(ns: string, name: string): Mcis {
    const m = this.deps.store.getMcis(ns, name);
    if (!m) throw new NotFoundError('MCIS', name, { hint: `list them with: cbadm mcis list --ns ${ns}` });
    return m;
  }

  /** Like require, but refuses an MCIS whose delete is unfinished: only the delete may touch it. */
  private requireActive(ns: string, name: string): Mcis {
    const m = this.require(ns, name);
    if (m.deleting) throw new ConflictError(`MCIS '${name}' is being deleted (since ${m.deleting.since})`, { hint: `finish the delete with: cbadm mcis delete ${name}${ns === 'default' ? '' : ` --ns ${ns}`}` });
    return m;
  }

  view(ns: string, name: string): McisView {
    return mcisView(this.require(ns, name), this.deps.store.listVms(ns, name));
  }

  list(ns?: string): McisView[] {
    return this.deps.store.listMcis(ns).map((m) => mcisView(m, this.deps.store.listVms(m.ns, m.name)));
  }

  /** What create would do; validates everything that needs no cloud call and changes nothing. */
  plan(opts: CreateOptions): CreatePlan {
    return planCreate(this.deps, opts);
  }

  /**
   * Creates the MCIS, or continues one an interrupted run left behind. Throws PartialError (exit 3)
   * when some VMs failed under `continue`/`refine`, OperationError after a rollback.
   */
  async create(input: CreateOptions): Promise<CreateResult> {
    const opts = withLoadBalancers(input);
    const events = opts.events ?? noEvents;
    planCreate(this.deps, opts); // validate before taking any lock or writing anything
    const name = opts.manifest.metadata.name;
    return this.withMcis(opts.ns, name, 'mcis create', async (pool) => {
      const outcome: CreateOutcome = await runCreate(this.deps, pool, opts);
      outcome.failed.push(...(await afterVmsChange(this.deps, pool, opts)));
      const removed: string[] = [];
      let rolledBack = false;
      if (outcome.failed.length && outcome.plan.onFailure === 'rollback') {
        events({ type: 'phase', mcis: name, phase: 'rollback', message: `rolling back: ${outcome.failed.length} VM(s) failed` });
        const mine = new Set([...outcome.launched, ...outcome.failed.map((f) => f.vm)]);
        const term = await terminateVms(this.deps, pool, opts.ns, name, (v) => outcome.createdRecord || mine.has(v.name), opts);
        if (term.failed.length) {
          throw new OperationError(`MCIS '${name}': rollback could not terminate ${term.failed.map((f) => `${f.vm} (${f.error})`).join(', ')}`, {
            hint: `the record keeps them; remove them with: cbadm mcis delete ${name} --force`,
          });
        }
        if (outcome.createdRecord) {
          const fw = await deleteFirewalls(this.deps, pool, opts.ns, name, events);
          for (const f of fw) events({ type: 'warning', message: `could not remove the MCIS firewall on ${f.connection}: ${f.error}; run: cbadm connection cleanup ${f.connection}` });
          this.deps.store.deleteMcis(opts.ns, name);
          for (const c of await cleanupUnusedDefaults(this.deps, pool, outcome.plan.connections, events)) {
            if (c.outcome === 'failed') events({ type: 'warning', message: `could not remove default resources of ${c.connection}: ${c.error}; run: cbadm connection cleanup ${c.connection}` });
          }
        }
        rolledBack = true;
        throw new OperationError(
          `MCIS '${name}' rolled back: ${outcome.failed.map((f) => `${f.vm}: ${f.error}`).join('; ')}`,
          { hint: 'fix the cause and create it again, or use --on-failure continue to keep the VMs that worked' },
        );
      }
      if (outcome.failed.length && outcome.plan.onFailure === 'refine') {
        removed.push(...(await this.refineIn(pool, opts.ns, name, opts)));
      }
      this.deps.store.updateMcis(opts.ns, name, (m) => ({ ...m, targetAction: 'create', updatedAt: nowIso() }));
      const result: CreateResult = {
        mcis: this.view(opts.ns, name),
        launched: outcome.launched,
        adopted: outcome.adopted,
        failed: outcome.failed,
        removed,
        rolledBack,
        failovers: outcome.failovers,
      };
      if (outcome.failed.length) {
        // Failed after launch (the firewall, overlay or a balancer): the VMs run and refine would keep them.
        const running = new Set(this.deps.store.listVms(opts.ns, name).flatMap((v) => (v.status === 'Running' ? [v.name] : [])));
        const afterLaunch = outcome.failed.every((f) => running.has(f.vm) || f.vm.startsWith('firewall@'));
        throw new PartialError(`MCIS '${name}': ${outcome.failed.length} of ${outcome.plan.vms.length} VM(s) failed`, result, {
          hint: afterLaunch
            ? 'the VMs run; fix the cause and apply the same manifest again (cbadm apply -f FILE): it retries what failed after launch'
            : outcome.plan.onFailure === 'refine'
              ? 'the failed VMs were removed'
              : `remove the failed VMs with: cbadm mcis refine ${name}`,
        });
      }
      return result;
    });
  }

  /**
   * What `apply` would change: the manifest against the record and against the clouds (a refresh
   * through each driver's describe and tag lookup). Changes nothing.
   */
  async planChanges(input: CreateOptions): Promise<McisPlan> {
    const opts = withLoadBalancers(input);
    const create = planCreate(this.deps, opts);
    const { refresh, buildPlan } = await import('./apply.js');
    const record = this.deps.store.getMcis(opts.ns, create.name);
    const vms = record ? this.deps.store.listVms(opts.ns, create.name) : [];
    return this.withPool(async (pool) => {
      const cloud = record ? await refresh(this.deps, pool, opts.ns, create.name, vms, create.connections) : emptyCloudView();
      return buildPlan(this.deps, create, opts.manifest, record, vms, cloud);
    });
  }

  /**
   * Makes the MCIS what the manifest says (create when it does not exist). `approve` sees the plan,
   * made under the MCIS lock, before anything changes; throwing there changes nothing. Throws
   * PartialError (exit 3) with the result when some VMs failed.
   */
  async apply(input: CreateOptions & { approve?: (plan: McisPlan) => Promise<void> }): Promise<ApplyResult> {
    const opts = withLoadBalancers(input);
    const create = planCreate(this.deps, opts);
    const { ns } = opts;
    const name = create.name;
    const { refresh, buildPlan, runApply } = await import('./apply.js');
    const record = this.deps.store.getMcis(ns, name);
    if (!record) {
      const plan = buildPlan(this.deps, create, opts.manifest, undefined, [], emptyCloudView());
      await opts.approve?.(plan);
      const r = await this.create(opts);
      return { plan, created: r.launched, replaced: [], destroyed: [], failed: r.failed, mcis: r.mcis };
    }
    this.requireActive(ns, name);
    return this.withMcis(ns, name, 'mcis apply', async (pool) => {
      const vms = this.deps.store.listVms(ns, name);
      const plan = buildPlan(this.deps, create, opts.manifest, record, vms, await refresh(this.deps, pool, ns, name, vms, create.connections));
      if (!plan.changes.length) {
        // Nothing to change, but a VM whose overlay setup failed is tried again, with the VMs whose
        // configuration that changes (its hub, or every peer of a mesh); then the balancers, which target overlay IPs.
        const failed = overlayPending(this.deps, ns, name) ? await followOverlay(this.deps, ns, name, opts, pool, true) : [];
        failed.push(...(await reconfigureBalancers(this.deps, ns, name, opts.manifest.spec.loadBalancers, opts.events ?? noEvents, opts.signal)));
        return applied({ plan, created: [], replaced: [], destroyed: [], failed, mcis: this.view(ns, name) });
      }
      await opts.approve?.(plan);
      const outcome = await runApply({ deps: this.deps, pool, terminate: (pick) => terminateVms(this.deps, pool, ns, name, pick, opts) }, opts, create, plan);
      outcome.failed.push(...(await afterVmsChange(this.deps, pool, opts)));
      this.deps.store.updateMcis(ns, name, (m) => ({ ...m, targetAction: 'create', updatedAt: nowIso() }));
      return applied({ ...outcome, mcis: this.view(ns, name) });
    });
  }

  /** `mcis network enable|disable|status` (overlay-service.ts), under this MCIS's lock. */
  get network(): OverlayService {
    return new OverlayService(this.deps, (ns, name, what, fn) => this.withMcis(ns, name, what, fn), (ns, name) => this.requireActive(ns, name));
  }

  /** Sets one subgroup's count and applies it (Tumblebug's scale-out; scale-in removes the highest indexes). */
  async scale(args: { ns: string; name: string; subgroup: string; count: number } & RunOptions): Promise<ApplyResult> {
    const record = this.requireActive(args.ns, args.name);
    if (!record.subgroups.some((s) => s.name === args.subgroup)) {
      throw new UsageError(`MCIS '${args.name}' has no subgroup '${args.subgroup}'`, { hint: `its subgroups: ${record.subgroups.map((s) => s.name).join(', ')}` });
    }
    const { manifestOf } = await import('./apply.js');
    const manifest = manifestOf(record);
    manifest.spec.subgroups = manifest.spec.subgroups.map((s) => (s.name === args.subgroup ? { ...s, count: args.count } : s));
    return this.apply({ ns: args.ns, manifest, ...(args.events ? { events: args.events } : {}), ...(args.signal ? { signal: args.signal } : {}) });
  }

  /** Where the clouds disagree with the record (VMs gone or stopped outside cbadm, unknown instances). Changes nothing. */
  async drift(ns: string, name: string): Promise<DriftResult> {
    this.require(ns, name);
    const { refresh } = await import('./apply.js');
    const vms = this.deps.store.listVms(ns, name);
    return this.withPool(async (pool) => {
      const cloud = await refresh(this.deps, pool, ns, name, vms);
      return { ns, name, changes: driftOf(vms, cloud, this.deps.store.getMcis(ns, name)), unreachable: [...cloud.unreachable].map(([connection, error]) => ({ connection, error })) };
    });
  }

  async action(args: { ns: string; name: string; action: VmAction; selector: Selector } & RunOptions): Promise<{ mcis: McisView; outcome: ActionOutcome }> {
    this.requireActive(args.ns, args.name);
    return this.withMcis(args.ns, args.name, `mcis ${args.action}`, async (pool) => {
      const events = args.events ?? noEvents;
      await drainBalancers(this.deps, args.ns, args.name, args.action, selectVms(this.deps.store.listVms(args.ns, args.name), args.name, args.selector), events, args.signal);
      const outcome = await runAction(this.deps, pool, { ns: args.ns, mcis: args.name, action: args.action, selector: args.selector, ...(args.events ? { events: args.events } : {}), ...(args.signal ? { signal: args.signal } : {}) });
      // A resumed or rebooted VM has lost its tunnel, a suspended one leaves its peers: every peer
      // follows, and so do the balancers (a resumed target serves again).
      if (outcome.changed.length) {
        outcome.failed.push(...(await followOverlay(this.deps, args.ns, args.name, args, pool)));
        outcome.failed.push(...(await syncBalancers(this.deps, args.ns, args.name, events, { signal: args.signal, suspendedOk: true })));
      }
      const result = { mcis: this.view(args.ns, args.name), outcome };
      if (outcome.failed.length) {
        throw new PartialError(`${args.action}: ${outcome.failed.length} VM(s) failed: ${outcome.failed.map((f) => `${f.vm}: ${f.error}`).join('; ')}`, result);
      }
      return result;
    });
  }

  /**
   * Deletes the MCIS: records the intent (state Deleting), terminates its VMs, removes the default
   * resources it was the last user of, and only then the record. Anything that fails leaves the
   * record Deleting with the per-VM and per-connection reasons (PartialError, exit 3): re-running
   * the delete finishes it. Refuses a live MCIS unless force.
   */
  async delete(args: { ns: string; name: string; force?: boolean } & RunOptions): Promise<DeleteResult> {
    this.require(args.ns, args.name);
    return this.withMcis(args.ns, args.name, 'mcis delete', async (pool) => {
      const events = args.events ?? noEvents;
      let m = this.require(args.ns, args.name);
      if (!m.deleting) {
        const vms = this.deps.store.listVms(args.ns, args.name);
        const live = vms.filter((v) => v.status !== 'Terminated' && (v.providerId || v.status === 'Creating') && v.origin !== 'registered');
        if (live.length && !args.force) {
          throw new ConflictError(`MCIS '${args.name}' still has ${live.length} VM(s) that may exist in the cloud: ${live.map((v) => `${v.name} (${v.status})`).join(', ')}`, {
            hint: `terminate them first (cbadm mcis terminate ${args.name}) or pass --force to terminate and delete`,
          });
        }
        const connections = [...new Set([...vms.map((v) => v.connection), ...m.subgroups.map((s) => s.connection)])].filter((c) => c !== 'external');
        m = this.deps.store.updateMcis(args.ns, args.name, (c) => ({ ...c, deleting: { since: nowIso(), connections }, targetAction: 'delete', updatedAt: nowIso() }));
      }
      const failedVms = await adoptUnrecorded(this.deps, pool, args.ns, args.name);
      const term = await terminateVms(this.deps, pool, args.ns, args.name, (v) => v.origin !== 'registered' && !failedVms.some((f) => f.vm === v.name), args);
      failedVms.push(...term.failed);
      // Records of VMs that are gone go now: nothing is left for them to point at.
      const stuck = new Set(failedVms.map((f) => f.vm));
      for (const vm of this.deps.store.listVms(args.ns, args.name)) if (!stuck.has(vm.name)) this.deps.store.deleteVm(args.ns, args.name, vm.name);
      // The MCIS firewall goes once its VMs are gone (a cloud refuses to delete a group in use).
      const stuckConns = new Set(this.deps.store.listVms(args.ns, args.name).map((v) => v.connection));
      const live = new Set(Object.keys(this.require(args.ns, args.name).firewalls ?? {}).filter((c) => !stuckConns.has(c)));
      const fwFailed = await deleteFirewalls(this.deps, pool, args.ns, args.name, events, live);
      const hint = `the MCIS stays in state Deleting; fix the cause and re-run: cbadm mcis delete ${args.name}${args.ns === 'default' ? '' : ` --ns ${args.ns}`}`;
      // Every connection independently: one whose VMs are stuck reports in-use, the others are cleaned now.
      const connections = await cleanupUnusedDefaults(this.deps, pool, m.deleting?.connections ?? [], events);
      const cleanedConnections = connections.filter((c) => c.outcome === 'cleaned').map((c) => c.connection);
      const broken = connections.filter((c) => c.outcome === 'failed');
      const fwLeft = Object.keys(this.require(args.ns, args.name).firewalls ?? {});
      if (failedVms.length || broken.length || fwLeft.length) {
        const result: DeleteResult = { deleted: null, failedVms, connections, cleanedConnections };
        const why = [
          ...(failedVms.length ? [`${failedVms.length} VM(s) could not be terminated: ${failedVms.map((f) => `${f.vm}: ${f.error}`).join('; ')}`] : []),
          ...(fwLeft.length ? [`the MCIS firewall on ${fwLeft.join(', ')} could not be removed${fwFailed.length ? `: ${fwFailed.map((f) => `${f.connection}: ${f.error}`).join('; ')}` : ' (its VMs are still there)'}`] : []),
          ...(broken.length ? [`default resources of ${broken.length} connection(s) could not be removed: ${broken.map((c) => `${c.connection}: ${c.error}`).join('; ')}`] : []),
        ];
        throw new PartialError(`delete ${args.name}: ${why.join('; ')}`, result, { hint });
      }
      this.deps.store.deleteMcis(args.ns, args.name);
      return { deleted: args.name, failedVms: [], connections, cleanedConnections };
    });
  }

  /** Finds the connection's cb-managed objects no record accounts for, and removes them (see cleanup.ts). */
  async cleanupConnection(args: { connection: string; dryRun?: boolean } & RunOptions): Promise<CleanupReport> {
    const { cleanupConnection } = await import('./cleanup.js');
    return this.withPool((pool) => cleanupConnection(this.deps, pool, args));
  }

  /** Removes a connection whose default resources are stuck: cleans the cloud by tags, forgets the rest (see forced-removal.ts). */
  async removeConnectionForced(args: { connection: string } & RunOptions): Promise<ForcedRemoval> {
    const { removeConnectionForced } = await import('./forced-removal.js');
    return this.withPool((pool) => removeConnectionForced(this.deps, pool, args));
  }

  private async refineIn(pool: DriverPool, ns: string, name: string, opts: RunOptions): Promise<string[]> {
    const bad = (v: Vm) => v.status === 'Failed' || v.status === 'Undefined';
    const victims = this.deps.store.listVms(ns, name).filter(bad);
    const { failed } = await terminateVms(this.deps, pool, ns, name, bad, opts);
    const removed = victims.filter((v) => !failed.some((f) => f.vm === v.name));
    for (const vm of removed) this.deps.store.deleteVm(ns, name, vm.name);
    if (failed.length) {
      throw new PartialError(`refine ${name}: ${failed.length} VM(s) could not be terminated and were kept: ${failed.map((f) => `${f.vm}: ${f.error}`).join('; ')}`, { removed: removed.map((v) => v.name), failed });
    }
    return removed.map((v) => v.name);
  }

  /** Drops Failed and Undefined VMs: terminates whatever of them exists in the cloud, removes the records. */
  async refine(args: { ns: string; name: string } & RunOptions): Promise<{ mcis: McisView; removed: string[] }> {
    this.requireActive(args.ns, args.name);
    return this.withMcis(args.ns, args.name, 'mcis refine', async (pool) => {
      const removed = await this.refineIn(pool, args.ns, args.name, args);
      return { mcis: this.view(args.ns, args.name), removed };
    });
  }

  /** Reconciles the record with what the clouds say (status, addresses); VMs gone from the cloud become Undefined. */
  async refresh(args: { ns: string; name: string }): Promise<McisView> {
    this.require(args.ns, args.name);
    await this.withPool((pool) => reconcileRecord(this.deps, pool, args.ns, args.name));
    return this.view(args.ns, args.name);
  }

  /** Adopts existing machines reachable over SSH as an MCIS (see register.ts). */
  async register(o: RegisterOptions): Promise<McisView> {
    const key = `mcis/${o.ns}/${o.name}`;
    this.deps.store.acquireLock(key, 'mcis register');
    try {
      // Loaded on use, like benchmark: every CLI start opens this service, few commands register.
      const { registerMachines } = await import('./register.js');
      await registerMachines(this.deps, o);
      return this.view(o.ns, o.name);
    } finally {
      this.deps.store.releaseLock(key);
    }
  }

  /** How to reach a Running VM through its transport (core.exec): for `mcis ssh` and cbmon's agents. */
  execTarget(ns: string, name: string, vmName: string): ExecTarget {
    this.require(ns, name);
    const [vm] = selectVms(this.deps.store.listVms(ns, name), name, { vm: vmName });
    const reachable = transportsOf(this.deps).reachable(vm!);
    if (vm!.status !== 'Running' || !reachable) {
      const why = vm!.status !== 'Running' ? `is ${vm!.status}; reaching it needs a Running VM` : 'has no public IP to reach it by';
      throw new UsageError(`VM '${vmName}' ${why}`, {
        hint: vm!.status === 'Suspended' ? `resume it: cbadm mcis resume ${name} --vm ${vmName}` : `check it: cbadm mcis status ${name} --refresh`,
      });
    }
    return execTargetOf(this.deps, vm!);
  }

  /**
   * Measures CPU, memory, disk and TCP RTT on every Running VM over SSH (nothing installed) and
   * stores the figures per (provider, region, spec) for the recommender. Changes no VM.
   */
  async benchmark(args: { ns: string; name: string; timeoutMs?: number } & RunOptions): Promise<BenchmarkResult> {
    this.require(args.ns, args.name);
    const { runBenchmark } = await import('./benchmark.js');
    return runBenchmark(this.deps, args.ns, args.name, this.deps.store.listVms(args.ns, args.name), args);
  }

  /** Copies a file or tree to or from the selected Running VMs over SFTP (see copy.ts); per-VM counts. */
  async copy(args: CopyOptions): Promise<CopyVmResult[]> {
    this.require(args.ns, args.name);
    const { runCopy } = await import('./copy.js');
    return runCopy(this.deps, selectVms(this.deps.store.listVms(args.ns, args.name), args.name, args.selector), args);
  }

  /** Runs a command on the selected Running VMs in parallel (see exec.ts); per-VM exit code and output. */
  async exec(args: ExecOptions): Promise<ExecVmResult[]> {
    this.require(args.ns, args.name);
    return runExec(this.deps, selectVms(this.deps.store.listVms(args.ns, args.name), args.name, args.selector), args);
  }
}

/** An apply's result, or PartialError (exit 3) with it when something failed. */
function applied(result: ApplyResult): ApplyResult {
  if (result.failed.length) {
    throw new PartialError(`apply ${result.plan.name}: ${result.failed.length} VM(s) failed: ${result.failed.map((f) => `${f.vm}: ${f.error}`).join('; ')}`, result, {
      hint: `fix the cause and run apply again: it continues from where this run stopped`,
    });
  }
  return result;
}
