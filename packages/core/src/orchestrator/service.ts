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
import { planCreate, runCreate, sshTargetOf, type CreateOptions, type CreateOutcome, type CreatePlan } from './create.js';
import { DEFAULT_TIMEOUTS, type OrchestratorDeps, type RunOptions } from './deps.js';
import { runExec, type ExecOptions, type ExecVmResult } from './exec.js';
import type { SshTarget } from '../ssh/executor.js';
import type { BenchmarkResult } from './benchmark.js';
import { DriverPool } from './driver-pool.js';
import type { FailoverMove } from './failover.js';
import { cleanupUnusedDefaults } from './resources.js';
import type { RegisterOptions } from './register.js';
import { mcisView, type McisView } from './view.js';
import { acceptStatus, applyInfo, waitForVms } from './wait.js';

export interface CreateResult {
  mcis: McisView;
  launched: string[];
  adopted: string[];
  failed: Array<{ vm: string; error: string }>;
  /** VMs removed by the refine policy. */
  removed: string[];
  rolledBack: boolean;
  /** Requirement subgroups moved to their next candidate (--max-failover). */
  failovers: FailoverMove[];
}

export class McisService {
  constructor(private readonly deps: OrchestratorDeps) {}

  private async withMcis<T>(ns: string, name: string, what: string, fn: (pool: DriverPool) => Promise<T>): Promise<T> {
    const key = `mcis/${ns}/${name}`;
    this.deps.store.acquireLock(key, what);
    const pool = new DriverPool(this.deps.store, this.deps.drivers, this.deps.credentials);
    try {
      return await fn(pool);
    } finally {
      await pool.closeAll();
      this.deps.store.releaseLock(key);
    }
  }

  private require(ns: string, name: string): Mcis {
    const m = this.deps.store.getMcis(ns, name);
    if (!m) throw new NotFoundError('MCIS', name, { hint: `list them with: cbadm mcis list --ns ${ns}` });
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
  async create(opts: CreateOptions): Promise<CreateResult> {
    const events = opts.events ?? noEvents;
    planCreate(this.deps, opts); // validate before taking any lock or writing anything
    const name = opts.manifest.metadata.name;
    return this.withMcis(opts.ns, name, 'mcis create', async (pool) => {
      const outcome: CreateOutcome = await runCreate(this.deps, pool, opts);
      const removed: string[] = [];
      let rolledBack = false;
      if (outcome.failed.length && outcome.plan.onFailure === 'rollback') {
        events({ type: 'phase', mcis: name, phase: 'rollback', message: `rolling back: ${outcome.failed.length} VM(s) failed` });
        const mine = new Set([...outcome.launched, ...outcome.failed.map((f) => f.vm)]);
        await this.terminateAndForget(pool, opts.ns, name, (v) => outcome.createdRecord || mine.has(v.name), opts);
        if (outcome.createdRecord) {
          this.deps.store.deleteMcis(opts.ns, name);
          await cleanupUnusedDefaults(this.deps, pool, outcome.plan.connections, events);
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
        throw new PartialError(`MCIS '${name}': ${outcome.failed.length} of ${outcome.plan.vms.length} VM(s) failed`, result, {
          hint: outcome.plan.onFailure === 'refine' ? 'the failed VMs were removed' : `remove the failed VMs with: cbadm mcis refine ${name}`,
        });
      }
      return result;
    });
  }

  async action(args: { ns: string; name: string; action: VmAction; selector: Selector } & RunOptions): Promise<{ mcis: McisView; outcome: ActionOutcome }> {
    this.require(args.ns, args.name);
    return this.withMcis(args.ns, args.name, `mcis ${args.action}`, async (pool) => {
      const outcome = await runAction(this.deps, pool, { ns: args.ns, mcis: args.name, action: args.action, selector: args.selector, ...(args.events ? { events: args.events } : {}), ...(args.signal ? { signal: args.signal } : {}) });
      const result = { mcis: this.view(args.ns, args.name), outcome };
      if (outcome.failed.length) {
        throw new PartialError(`${args.action}: ${outcome.failed.length} VM(s) failed: ${outcome.failed.map((f) => `${f.vm}: ${f.error}`).join('; ')}`, result);
      }
      return result;
    });
  }

  /** Terminates the selected VMs that might still exist in the cloud and waits until they are gone. */
  private async terminateAndForget(pool: DriverPool, ns: string, name: string, pick: (vm: Vm) => boolean, opts: RunOptions): Promise<void> {
    const timeouts = { ...DEFAULT_TIMEOUTS, ...this.deps.timeouts };
    const vms = this.deps.store.listVms(ns, name).filter((v) => pick(v) && v.providerId && v.status !== 'Terminated');
    const byConn = new Map<string, Vm[]>();
    for (const vm of vms) byConn.set(vm.connection, [...(byConn.get(vm.connection) ?? []), vm]);
    await Promise.all(
      [...byConn].map(async ([conn, list]) => {
        const { driver } = await pool.get(conn);
        await driver.vms.terminate(list.map((v) => v.providerId!));
      }),
    );
    const out = await waitForVms({
      store: this.deps.store,
      pool,
      ns,
      mcis: name,
      vms,
      accept: acceptStatus('Terminated', { missingMeans: 'done' }),
      pendingStatus: 'Terminating',
      maxWaitMs: timeouts.actionMs,
      pollMs: timeouts.pollMs,
      step: 'terminate',
      events: opts.events ?? noEvents,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (out.failed.length) throw new OperationError(`could not terminate ${out.failed.map((f) => `${f.vm.name} (${f.reason})`).join(', ')}`);
    for (const vm of vms) {
      this.deps.store.updateVm(ns, name, vm.name, (c) => ({ ...c, status: 'Terminated', publicIp: undefined }));
      if (vm.publicIp) this.deps.forgetHostKey?.(vm.publicIp, vm.sshPort);
    }
  }

  /** Deletes the record (refusing a live MCIS unless force) and default resources no MCIS uses any more. */
  async delete(args: { ns: string; name: string; force?: boolean } & RunOptions): Promise<{ deleted: string; cleanedConnections: string[] }> {
    this.require(args.ns, args.name);
    return this.withMcis(args.ns, args.name, 'mcis delete', async (pool) => {
      const vms = this.deps.store.listVms(args.ns, args.name);
      const live = vms.filter((v) => v.providerId && v.status !== 'Terminated');
      if (live.length && !args.force) {
        throw new ConflictError(`MCIS '${args.name}' still has ${live.length} VM(s) that may exist in the cloud: ${live.map((v) => `${v.name} (${v.status})`).join(', ')}`, {
          hint: `terminate them first (cbadm mcis terminate ${args.name}) or pass --force to terminate and delete`,
        });
      }
      if (live.length) await this.terminateAndForget(pool, args.ns, args.name, () => true, args);
      const connections = new Set(vms.map((v) => v.connection));
      for (const sg of this.require(args.ns, args.name).subgroups) connections.add(sg.connection);
      this.deps.store.deleteMcis(args.ns, args.name);
      const cleaned = await cleanupUnusedDefaults(this.deps, pool, connections, args.events ?? noEvents);
      return { deleted: args.name, cleanedConnections: cleaned };
    });
  }

  private async refineIn(pool: DriverPool, ns: string, name: string, opts: RunOptions): Promise<string[]> {
    const bad = (v: Vm) => v.status === 'Failed' || v.status === 'Undefined';
    const victims = this.deps.store.listVms(ns, name).filter(bad);
    await this.terminateAndForget(pool, ns, name, bad, opts);
    for (const vm of victims) this.deps.store.deleteVm(ns, name, vm.name);
    return victims.map((v) => v.name);
  }

  /** Drops Failed and Undefined VMs: terminates whatever of them exists in the cloud, removes the records. */
  async refine(args: { ns: string; name: string } & RunOptions): Promise<{ mcis: McisView; removed: string[] }> {
    this.require(args.ns, args.name);
    return this.withMcis(args.ns, args.name, 'mcis refine', async (pool) => {
      const removed = await this.refineIn(pool, args.ns, args.name, args);
      return { mcis: this.view(args.ns, args.name), removed };
    });
  }

  /** Reconciles the record with what the clouds say (status, addresses); VMs gone from the cloud become Undefined. */
  async refresh(args: { ns: string; name: string }): Promise<McisView> {
    this.require(args.ns, args.name);
    const pool = new DriverPool(this.deps.store, this.deps.drivers, this.deps.credentials);
    try {
      const vms = this.deps.store.listVms(args.ns, args.name).filter((v) => v.providerId);
      const byConn = new Map<string, Vm[]>();
      for (const vm of vms) byConn.set(vm.connection, [...(byConn.get(vm.connection) ?? []), vm]);
      await Promise.all(
        [...byConn].map(async ([conn, list]) => {
          const { driver } = await pool.get(conn);
          const infos = new Map((await driver.vms.describe(list.map((v) => v.providerId!))).map((i) => [i.providerId, i]));
          for (const vm of list) {
            const info = infos.get(vm.providerId!);
            this.deps.store.updateVm(args.ns, args.name, vm.name, (c) => {
              if (info) {
                // A VM we recorded as Failed (e.g. SSH never answered) stays Failed while the cloud says it runs.
                const next = applyInfo(c, info);
                return c.status === 'Failed' && info.status === 'Running' ? { ...next, status: 'Failed' } : next;
              }
              if (c.status === 'Terminated' || c.status === 'Terminating') return { ...c, status: 'Terminated', publicIp: undefined };
              return { ...c, status: 'Undefined', error: 'the cloud no longer knows this VM', updatedAt: nowIso() };
            });
          }
        }),
      );
    } finally {
      await pool.closeAll();
    }
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

  sshTarget(ns: string, name: string, vmName: string): SshTarget {
    this.require(ns, name);
    const [vm] = selectVms(this.deps.store.listVms(ns, name), name, { vm: vmName });
    if (vm!.status !== 'Running' || !vm!.publicIp) {
      throw new UsageError(`VM '${vmName}' is ${vm!.status}${vm!.publicIp ? '' : ' with no public IP'}; SSH needs a Running VM`, {
        hint: vm!.status === 'Suspended' ? `resume it: cbadm mcis resume ${name} --vm ${vmName}` : `check it: cbadm mcis status ${name} --refresh`,
      });
    }
    return sshTargetOf(this.deps, vm!);
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

  /** Runs a command on the selected Running VMs in parallel (see exec.ts); per-VM exit code and output. */
  async exec(args: ExecOptions): Promise<ExecVmResult[]> {
    this.require(args.ns, args.name);
    return runExec(this.deps, selectVms(this.deps.store.listVms(args.ns, args.name), args.name, args.selector), args);
  }
}
