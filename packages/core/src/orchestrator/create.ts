/**
 * MCIS create: validate → record intent → ensure per-connection defaults → launch in parallel
 * (bounded per region and per provider, as Tumblebug does) → wait Running with a public IP → wait
 * for SSH → apply the partial-failure policy. Every VM record, with its client token, is written
 * before its create call, so re-running after a crash adopts instead of duplicating.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, ProviderError, UsageError } from '../errors.js';
import type { FirewallRef, Image, VmInfo } from '../driver/port.js';
import { noEvents, type EventSink } from '../events.js';
import type { McisManifest } from '../manifest.js';
import { nowIso, TAG } from '../domain.js';
import type { Mcis, OnFailure, Subgroup, Vm } from '../model.js';
import { Semaphore } from '../util/limit.js';
import { DEFAULT_TIMEOUTS, type OrchestratorDeps, type RunOptions } from './deps.js';
import type { DriverPool } from '../driver/pool.js';
import { cleanupUnusedDefaults, ensureDefaults, type ConnectionDefaults } from './resources.js';
import type { CreatePlan, FailoverMove, PlannedVm } from './plan.js';
import { acceptStatus, applyInfo, waitForVms } from './wait.js';
import { probeVms } from './ssh.js';
import { placeSubgroups, storedSubgroup } from './placement.js';
import { groupByConnection } from './group.js';
import { subgroupDifferences } from './plan-diff.js';
import { mcisView } from './view.js';
import { deleteFirewalls, firewallOf, syncConnection, syncFirewalls } from './firewall.js';
import { NO_INSTANCE } from './relaunch.js';

export type { CreatePlan, PlannedVm };

export const DEFAULT_PER_REGION = 20;
export const DEFAULT_REGIONS_PER_PROVIDER = 30;

export interface CreateOptions extends RunOptions {
  ns: string;
  manifest: McisManifest;
  /** VMs launched at once per region (default 20). */
  parallelism?: number;
  /** Regions worked at once per provider (default 30). */
  regionsPerProvider?: number;
  onFailure?: OnFailure;
  /**
   * When a requirement subgroup's launch fails with a capacity or quota error, move it to the next
   * candidate, at most this many times per subgroup (default 0). Only when this run creates the
   * MCIS: a resumed create never moves VMs.
   */
  maxFailover?: number;
}

/**
 * Checks everything that can be checked without a cloud call and places every subgroup (requirements
 * through the recommender over the stored catalog); throws UsageError naming the fields.
 */
export function planCreate(deps: OrchestratorDeps, opts: CreateOptions): CreatePlan {
  const m = opts.manifest;
  const { placed, issues, warnings } = placeSubgroups(deps, opts.ns, m);
  if (issues.length) {
    // The message names the count; each issue is its own line (and JSON entry) below it.
    throw new UsageError(`invalid MCIS '${m.metadata.name}': ${issues.length} problem(s) in the manifest`, { issues, hint: 'fix the fields listed; nothing was changed' });
  }
  const vms: PlannedVm[] = placed.flatMap((sg) =>
    Array.from({ length: sg.count }, (_, k) => ({ name: `${sg.name}-${k + 1}`, subgroup: sg.name, connection: sg.connection, provider: sg.provider, region: sg.region, spec: sg.spec, image: sg.image })),
  );
  const costs = placed.flatMap((p) => (p.costPerHour === null ? [] : [p.costPerHour]));
  const before = deps.store.getMcis(opts.ns, m.metadata.name);
  const existing = before && {
    status: mcisView(before, deps.store.listVms(opts.ns, before.name)).status,
    differences: subgroupDifferences(before.subgroups, placed.map((p) => storedSubgroup(m.spec.subgroups.find((s) => s.name === p.name)!, p))),
  };
  return {
    ns: opts.ns,
    name: m.metadata.name,
    subgroups: placed,
    totalCostPerHour: costs.length === placed.length ? Math.round(costs.reduce((a, c) => a + c, 0) * 10_000) / 10_000 : null,
    warnings,
    vms,
    connections: [...new Set(placed.map((p) => p.connection))],
    onFailure: opts.onFailure ?? m.spec.policy?.onFailure ?? 'continue',
    parallelism: opts.parallelism ?? m.spec.policy?.parallelism ?? DEFAULT_PER_REGION,
    ...(existing ? { existing } : {}),
  };
}

export interface CreateOutcome {
  plan: CreatePlan;
  /** VMs launched by this run. */
  launched: string[];
  /** VMs that already existed (adopted by client token or already running). */
  adopted: string[];
  failed: Array<{ vm: string; error: string }>;
  /** Whether this run created the MCIS record (rollback deletes it only then). */
  createdRecord: boolean;
  /** Subgroups moved to their next candidate after capacity/quota errors. */
  failovers: FailoverMove[];
}

function sameSubgroups(a: Mcis['subgroups'], b: Mcis['subgroups']): boolean {
  const norm = (s: Mcis['subgroups']) =>
    JSON.stringify(s.map((x) => [x.name, x.connection, x.count, x.spec, x.image, x.rootDisk ?? null, x.sshUser ?? null, x.requirements ?? null]));
  return norm(a) === norm(b);
}

/** The subgroup records to store for this plan. */
function storedSubgroups(plan: CreatePlan, m: McisManifest): Subgroup[] {
  return plan.subgroups.map((p) => storedSubgroup(m.spec.subgroups.find((s) => s.name === p.name)!, p));
}

/** Writes the MCIS record and one Creating record per missing VM, before any cloud call. */
/** Statuses a re-run replaces with a fresh launch: the VM is broken, gone, or never came up. */
const REPLACE: ReadonlySet<Vm['status']> = new Set(['Failed', 'Terminated', 'Undefined']);

function recordIntent(deps: OrchestratorDeps, plan: CreatePlan, m: McisManifest): { createdRecord: boolean; toLaunch: Vm[]; adopted: string[]; replace: Vm[] } {
  const now = nowIso();
  const existing = deps.store.getMcis(plan.ns, plan.name);
  let createdRecord = false;
  if (existing) {
    if (!sameSubgroups(existing.subgroups, storedSubgroups(plan, m))) {
      throw new ConflictError(`MCIS '${plan.name}' already exists in namespace '${plan.ns}' with different subgroups`, {
        hint: `change it with: cbadm plan -f FILE, then cbadm apply -f FILE (or use another name)`,
      });
    }
  } else {
    deps.store.createMcis({
      ns: plan.ns,
      name: plan.name,
      labels: m.metadata.labels ?? {},
      subgroups: storedSubgroups(plan, m),
      policy: recordedPolicy(plan, m),
      ...provisioning(m),
      ...firewallOf(m),
      ...(m.spec.loadBalancers?.length ? { loadBalancers: m.spec.loadBalancers } : {}),
      targetAction: 'create',
      createdAt: now,
      updatedAt: now,
    });
    createdRecord = true;
  }
  const toLaunch: Vm[] = [];
  const adopted: string[] = [];
  const replace: Vm[] = [];
  for (const p of plan.vms) {
    const sg = m.spec.subgroups.find((s) => s.name === p.subgroup)!;
    const conn = deps.store.getConnection(p.connection)!;
    let vm = deps.store.getVm(plan.ns, plan.name, p.name);
    if (!vm) {
      vm = {
        name: p.name,
        subgroup: p.subgroup,
        connection: p.connection,
        provider: conn.provider,
        region: conn.region,
        ...(conn.zone ? { zone: conn.zone } : {}),
        spec: p.spec,
        image: p.image,
        status: 'Creating',
        clientToken: randomUUID(),
        sshPort: conn.sshPort,
        sshUser: sg.sshUser ?? 'ubuntu',
        createdAt: now,
        updatedAt: now,
      };
      deps.store.putVm(plan.ns, plan.name, vm);
      toLaunch.push(vm);
    } else if (vm.status === 'Creating') {
      // An earlier run recorded the intent and may or may not have made the call: the client token
      // makes the repeat safe.
      toLaunch.push(vm);
      adopted.push(vm.name);
    } else if (REPLACE.has(vm.status) && vm.origin !== 'registered') {
      replace.push(vm);
    } else {
      adopted.push(vm.name);
    }
  }
  return { createdRecord, toLaunch, adopted, replace };
}

export async function runCreate(deps: OrchestratorDeps, pool: DriverPool, opts: CreateOptions): Promise<CreateOutcome> {
  const events: EventSink = opts.events ?? noEvents;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const plan = planCreate(deps, opts);
  const m = opts.manifest;
  const existing = deps.store.getMcis(plan.ns, plan.name);
  if (existing?.deleting) {
    throw new ConflictError(`MCIS '${plan.name}' is being deleted (since ${existing.deleting.since})`, { hint: `finish the delete first: cbadm mcis delete ${plan.name}, then create it again` });
  }
  if (existing) await recheckRecorded(deps, pool, plan, events);
  const { createdRecord, toLaunch, adopted, replace } = recordIntent(deps, plan, m);
  for (const sg of plan.subgroups.filter((s) => s.placedBy === 'requirements')) {
    const price = sg.pricePerHour === null ? '' : ` ($${sg.pricePerHour}/h each)`;
    events({ type: 'phase', mcis: plan.name, phase: 'placement', message: `${sg.name}: ${sg.connection} ${sg.spec}${price}; ${sg.reasons.join('; ')}` });
  }
  events({ type: 'phase', mcis: plan.name, phase: 'resources', message: `ensuring default resources on ${plan.connections.length} connection(s)` });

  // Work is grouped per region; each provider works at most N regions at once, each region at most
  // `parallelism` launches at once.
  const regionOf = (c: string) => {
    const conn = pool.connection(c);
    return `${conn.provider}/${conn.region}`;
  };
  const providerSems = new Map<string, Semaphore>();
  const providerSem = (p: string) => {
    let s = providerSems.get(p);
    if (!s) providerSems.set(p, (s = new Semaphore(opts.regionsPerProvider ?? DEFAULT_REGIONS_PER_PROVIDER)));
    return s;
  };

  const defaults = new Map<string, Promise<ConnectionDefaults>>();
  const ensure = (c: string) => {
    let d = defaults.get(c);
    if (!d) defaults.set(c, (d = ensureDefaults(deps, pool, pool.connection(c), events)));
    return d;
  };
  // The MCIS firewall comes after the defaults (it lives in the default network), before any launch,
  // already holding SSH and the rules known without the VMs' addresses: create waits for SSH next.
  const firewalls = new Map<string, Promise<FirewallRef | undefined>>();
  const ensureFw = (c: string) => {
    let f = firewalls.get(c);
    if (!f) {
      const synced = ensure(c).then(() => syncConnection(deps, pool, plan.ns, plan.name, c, events));
      firewalls.set(c, (f = synced.catch((e: unknown) => Promise.reject(new Error(`could not set the MCIS firewall's rules before launch: ${e instanceof Error ? e.message : String(e)}`)))));
    }
    return f;
  };
  const images = new Map<string, Promise<Image>>();
  const resolveImage = (c: string, image: string) => {
    const key = `${c}\u0000${image}`;
    let p = images.get(key);
    if (!p) images.set(key, (p = pool.get(c).then(({ driver }) => driver.catalog.resolveImage(image))));
    return p;
  };

  const failures = new Map<string, string>();
  /** The cloud's error behind each launch failure: failover moves only on capacity and quota. */
  const providerErrors = new Map<string, ProviderError>();
  const markFailed = (vm: Vm, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    failures.set(vm.name, message);
    if (error instanceof ProviderError) providerErrors.set(vm.name, error);
    deps.store.updateVm(plan.ns, plan.name, vm.name, (cur) => ({ ...cur, status: 'Failed', error: message, updatedAt: nowIso() }));
    events({ type: 'vm', mcis: plan.name, vm: vm.name, status: 'Failed', step: 'launch', message });
  };

  const launched: string[] = [];
  const launch = async (batch: Vm[]) => {
    const byRegion = new Map<string, Vm[]>();
    for (const vm of batch) byRegion.set(regionOf(vm.connection), [...(byRegion.get(regionOf(vm.connection)) ?? []), vm]);
    events({ type: 'phase', mcis: plan.name, phase: 'launch', message: `launching ${batch.length} VM(s) in ${byRegion.size} region(s)` });
    await Promise.all(
      [...byRegion].map(([region, vms]) =>
        providerSem(region.split('/')[0]!).run(async () => {
          const regionSem = new Semaphore(plan.parallelism);
          await Promise.all(vms.map((vm) => regionSem.run(() => launchOne(vm))));
        }),
      ),
    );
  };
  const launchOne = async (vm: Vm) => {
    try {
      const [{ driver }, d, image, firewall] = await Promise.all([pool.get(vm.connection), ensure(vm.connection), resolveImage(vm.connection, vm.image), ensureFw(vm.connection)]);
      const sg = m.spec.subgroups.find((s) => s.name === vm.subgroup)!;
      const sshUser = sg.sshUser ?? image.sshUser;
      deps.store.updateVm(plan.ns, plan.name, vm.name, (cur) => ({ ...cur, sshUser }));
      events({ type: 'vm', mcis: plan.name, vm: vm.name, status: 'Creating', step: 'launch' });
      const info = await driver.vms.create({
        name: vm.name,
        spec: vm.spec,
        imageId: image.id,
        ...(sg.rootDisk?.sizeGb ? { rootDiskGb: sg.rootDisk.sizeGb } : {}),
        network: d.network,
        keyName: d.keyName,
        publicKey: d.publicKey,
        sshUser,
        clientToken: vm.clientToken,
        ...(firewall ? { firewall } : {}),
        tags: { [TAG.managed]: 'true', [TAG.ns]: plan.ns, [TAG.mcis]: plan.name, [TAG.vm]: vm.name, [TAG.connection]: vm.connection },
        progress: (message) => events({ type: 'vm', mcis: plan.name, vm: vm.name, status: 'Creating', step: 'launch', message }),
      });
      deps.store.updateVm(plan.ns, plan.name, vm.name, (cur) => ({
        ...cur,
        providerId: info.providerId,
        nativeState: info.nativeState,
        zone: info.zone ?? cur.zone,
        updatedAt: nowIso(),
      }));
      launched.push(vm.name);
    } catch (e) {
      markFailed(vm, e);
    }
  };
  toLaunch.push(...(await retire(deps, pool, plan, replace, markFailed, events)));
  await launch(toLaunch);

  // Only a run that created the MCIS moves subgroups: a resumed create keeps the recorded placement.
  const budget = createdRecord ? (opts.maxFailover ?? 0) : 0;
  let moves: FailoverMove[] = [];
  if (budget > 0 && failures.size) {
    const { failOver } = await import('./failover.js'); // only when a launch failed and failover is allowed
    moves = await failOver({ deps, plan, budget, events, launched: new Set(launched), failures, providerErrors, relaunch: launch });
    if (moves.length) {
      // Default resources made in regions every subgroup left are removed now, not at delete time.
      const left = plan.connections.filter((c) => !plan.subgroups.some((sg) => sg.connection === c));
      for (const f of await deleteFirewalls(deps, pool, plan.ns, plan.name, events, new Set(left))) {
        events({ type: 'warning', message: `could not remove the MCIS firewall on ${f.connection} after failover: ${f.error}` });
      }
      for (const c of await cleanupUnusedDefaults(deps, pool, left, events)) {
        if (c.outcome === 'failed') events({ type: 'warning', message: `could not remove default resources of ${c.connection} after failover: ${c.error}` });
      }
    }
  }

  // Wait for every VM of this MCIS still Creating (this run's and a crashed run's).
  const creating = deps.store.listVms(plan.ns, plan.name).filter((v) => v.status === 'Creating' && v.providerId);
  events({ type: 'phase', mcis: plan.name, phase: 'boot', message: `waiting for ${creating.length} VM(s) to run` });
  const booted = await waitForVms({
    store: deps.store,
    pool,
    ns: plan.ns,
    mcis: plan.name,
    vms: creating,
    accept: acceptStatus('Running', { needPublicIp: (v) => deps.drivers.ownsExecTransport?.(v.provider) !== true }),
    pendingStatus: 'Creating',
    maxWaitMs: timeouts.runningMs,
    pollMs: timeouts.pollMs,
    step: 'boot',
    events,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  for (const f of booted.failed) markFailed(f.vm, f.reason);
  // The MCIS firewall held SSH and the CIDR rules at launch; the rules naming VMs (`subgroup:`,
  // `mcis`) can be filled in now that they have addresses (failures warn).
  if (booted.done.length) await syncFirewalls(deps, pool, plan.ns, plan.name, events);

  events({ type: 'phase', mcis: plan.name, phase: 'ssh', message: `waiting for SSH on ${booted.done.length} VM(s)` });
  // Until SSH answers the VM is still Creating for the user: it cannot be used yet.
  for (const vm of booted.done) deps.store.updateVm(plan.ns, plan.name, vm.name, (c) => ({ ...c, status: 'Creating' }));
  const ssh = await probeVms(deps, plan.name, booted.done, timeouts.sshMs, 'ssh', events, opts.signal);
  for (const vm of ssh.ok) {
    deps.store.updateVm(plan.ns, plan.name, vm.name, (c) => ({ ...c, status: 'Running', error: undefined, updatedAt: nowIso() }));
    events({ type: 'vm', mcis: plan.name, vm: vm.name, status: 'Running', step: 'ready', message: vm.publicIp ? `${vm.publicIp}:${vm.sshPort}` : vm.providerId });
  }
  for (const f of ssh.failed) markFailed(f.vm, f.reason);

  // Converged only when every VM of the manifest runs: VMs an earlier run left in another state
  // (Suspended, or one a describe outage left unchecked) are reported, not passed over.
  for (const p of plan.vms) {
    const rec = deps.store.getVm(plan.ns, plan.name, p.name);
    if (!failures.has(p.name) && rec?.status !== 'Running') failures.set(p.name, `is ${rec?.status ?? 'missing'}${rec?.error ? `: ${rec.error}` : ''}`);
  }
  return {
    plan,
    launched,
    adopted: adopted.filter((a) => !failures.has(a)),
    failed: [...failures].map(([vm, error]) => ({ vm, error })),
    createdRecord,
    failovers: moves,
  };
}

/**
 * A re-run starts from what the clouds say, not from the record: VMs gone from the cloud become
 * Undefined (to be replaced), a Failed VM the cloud runs after all is waited for again. A connection
 * that cannot be asked keeps its records as they are.
 */
async function recheckRecorded(deps: OrchestratorDeps, pool: DriverPool, plan: CreatePlan, events: EventSink): Promise<void> {
  const vms = deps.store.listVms(plan.ns, plan.name).filter((v) => v.providerId && v.origin !== 'registered' && v.status !== 'Terminated');
  const byConn = groupByConnection(vms);
  await Promise.all(
    [...byConn].map(async ([conn, list]) => {
      let infos: Map<string, VmInfo>;
      try {
        const { driver } = await pool.get(conn);
        infos = new Map((await driver.vms.describe(list.map((v) => v.providerId!))).map((i) => [i.providerId, i]));
      } catch (e) {
        events({ type: 'warning', message: `could not check the VMs on ${conn}: ${e instanceof Error ? e.message : String(e)}` });
        return;
      }
      for (const vm of list) {
        const info = infos.get(vm.providerId!);
        deps.store.updateVm(plan.ns, plan.name, vm.name, (c) => {
          if (!info) return { ...c, status: c.status === 'Terminating' ? 'Terminated' : 'Undefined', error: 'the cloud no longer knows this VM', updatedAt: nowIso() };
          const next = applyInfo(c, info);
          // Running in the cloud but Failed in the record (SSH never answered, or the wait lost
          // sight of it): wait for it and probe SSH again.
          if (c.status === 'Failed' && (info.status === 'Running' || info.status === 'Creating')) return { ...next, status: 'Creating' };
          return next;
        });
      }
    }),
  );
}

/**
 * Replaces broken or vanished VMs: whatever of them the cloud still holds is terminated first
 * (while the record still names it), then each record gets a fresh client token and goes back to
 * Creating. A VM that cannot be terminated is not relaunched, so nothing is doubled.
 */
async function retire(deps: OrchestratorDeps, pool: DriverPool, plan: CreatePlan, vms: Vm[], markFailed: (vm: Vm, e: unknown) => void, events: EventSink): Promise<Vm[]> {
  const ready: Vm[] = [];
  const byConn = groupByConnection(vms);
  await Promise.all(
    [...byConn].map(async ([conn, list]) => {
      const live = list.filter((v) => v.providerId && v.status !== 'Terminated');
      try {
        if (live.length) await (await pool.get(conn)).driver.vms.terminate(live.map((v) => v.providerId!));
      } catch (e) {
        for (const vm of live) markFailed(vm, e);
        list = list.filter((v) => !live.includes(v));
      }
      for (const vm of list) {
        if (vm.publicIp) deps.forgetHostKey?.(vm.publicIp, vm.sshPort);
        const fresh = deps.store.updateVm(plan.ns, plan.name, vm.name, (c) => ({
          ...c,
          status: 'Creating',
          clientToken: randomUUID(),
          ...NO_INSTANCE,
          error: undefined,
          updatedAt: nowIso(),
        }));
        events({ type: 'vm', mcis: plan.name, vm: vm.name, status: 'Creating', step: 'relaunch', message: `replacing a ${vm.status} VM` });
        ready.push(fresh);
      }
    }),
  );
  return ready;
}

/** The manifest's files and run as the record keeps them. */
export function provisioning(m: McisManifest): Pick<Mcis, 'files' | 'run'> {
  return { ...(m.spec.files?.length ? { files: m.spec.files } : {}), ...(m.spec.run?.length ? { run: m.spec.run } : {}) };
}

/** The MCIS policy as recorded: the plan's failure policy and parallelism, and apply's settings. */
export function recordedPolicy(plan: CreatePlan, m: McisManifest): Mcis['policy'] {
  const p = m.spec.policy;
  return {
    onFailure: plan.onFailure,
    parallelism: plan.parallelism,
    ...(p?.maxUnavailable ? { maxUnavailable: p.maxUnavailable } : {}),
    ...(p?.drain ? { drain: p.drain } : {}),
  };
}

/** Capacity and quota errors are worth telling apart in summaries. */
export function errorCode(e: unknown): string | undefined {
  return e instanceof ProviderError ? e.code : undefined;
}
