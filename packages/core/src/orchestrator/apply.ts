/**
 * `plan` and `apply` on an existing MCIS: refresh what the clouds hold, diff it with the manifest
 * (diff.ts), then converge — scale in (after the drain hook), destroy unknown instances, record the
 * new subgroups, and replace changed VMs a few per subgroup at a time, each round through the same
 * create path (intents before cloud calls, client tokens, SSH wait). Every step is idempotent, so a
 * killed apply re-run plans again from the record and the clouds and finishes the job.
 */
import { nowIso, TAG } from '../domain.js';
import type { DriverPool } from '../driver/pool.js';
import { noEvents, type EventSink } from '../events.js';
import { API_VERSION, type McisManifest } from '../manifest.js';
import type { Mcis, Vm } from '../model.js';
import { provisioning, recordedPolicy, runCreate, type CreateOptions, type CreateOutcome } from './create.js';
import { execTargetOf, transportsOf } from './transport.js';
import type { OrchestratorDeps } from './deps.js';
import { countChanges, diffMcis, emptyCloudView, type Change, type ChangeOp, type CloudView } from './diff.js';
import { groupBy, groupByConnection } from './group.js';
import { NO_INSTANCE } from './relaunch.js';
import { firewallOf, readFirewalls } from './firewall.js';
import { storedSubgroup } from './placement.js';
import type { CreatePlan } from './plan.js';
import { defined } from '../util/defined.js';
import { withoutBalancers } from '../nlb/spec.js';

export interface McisPlan {
  ns: string;
  name: string;
  /** False: apply creates it (the changes are all `create`). */
  exists: boolean;
  changes: Change[];
  summary: Record<ChangeOp, number>;
  /** Cost per hour of the VMs as they are and as planned; null when some spec has no price. */
  costPerHour: { before: number | null; after: number | null };
  /** Connections the refresh could not ask: their VMs were taken as recorded. */
  unreachable: string[];
  warnings: string[];
}

/** Asks each connection for the recorded instances and for any instance tagged with this MCIS. */
export async function refresh(deps: OrchestratorDeps, pool: DriverPool, ns: string, name: string, vms: Vm[], extraConnections: string[] = []): Promise<CloudView> {
  const view = emptyCloudView();
  const cloudVms = vms.filter((v) => v.origin !== 'registered');
  const connections = new Set([...cloudVms.map((v) => v.connection), ...extraConnections]);
  const byConn = groupByConnection(cloudVms);
  const known = new Set(cloudVms.flatMap((v) => (v.providerId ? [v.providerId] : [])));
  // A record killed before it got its id owns the instance tagged with its name: not an orphan.
  const unrecorded = new Set(cloudVms.filter((v) => !v.providerId).map((v) => v.name));
  const record = deps.store.getMcis(ns, name);
  const firewalls = record?.firewalls ? readFirewalls(deps, pool, record) : undefined;
  await Promise.all(
    [...connections].map(async (conn) => {
      try {
        const { driver } = await pool.get(conn);
        const ids = (byConn.get(conn) ?? []).flatMap((v) => (v.providerId ? [v.providerId] : []));
        const [described, tagged] = await Promise.all([
          ids.length ? driver.vms.describe(ids) : Promise.resolve([]),
          driver.vms.findByTags({ [TAG.managed]: 'true', [TAG.ns]: ns, [TAG.mcis]: name }),
        ]);
        for (const i of described) view.seen.set(i.providerId, i.status);
        for (const i of tagged) {
          if (known.has(i.providerId) || unrecorded.has(i.tags[TAG.vm] ?? '')) continue;
          view.orphans.push({ connection: conn, providerId: i.providerId, ...(i.tags[TAG.vm] ? { vm: i.tags[TAG.vm] } : {}), status: i.status });
        }
      } catch (e) {
        view.unreachable.set(conn, e instanceof Error ? e.message : String(e));
      }
    }),
  );
  if (firewalls) view.firewalls = await firewalls;
  return view;
}

export function buildPlan(deps: OrchestratorDeps, create: CreatePlan, m: McisManifest, record: Mcis | undefined, vms: Vm[], cloud: CloudView): McisPlan {
  const changes = diffMcis(create, record, vms, cloud, { labels: m.metadata.labels ?? {}, ...provisioning(m), firewall: { ...firewallOf(m), subgroups: m.spec.subgroups } });
  const live = vms.filter((v) => v.origin !== 'registered' && v.status !== 'Terminated' && v.providerId);
  const prices = live.map((v) => deps.store.listSpecRecords({ provider: v.provider, region: v.region }).find((s) => s.name === v.spec)?.pricePerHour ?? null);
  const before = prices.some((p) => p === null) ? null : Math.round(prices.reduce<number>((a, p) => a + (p ?? 0), 0) * 10_000) / 10_000;
  return {
    ns: create.ns,
    name: create.name,
    exists: record !== undefined,
    changes,
    summary: countChanges(changes),
    costPerHour: { before: record ? before : 0, after: create.totalCostPerHour },
    unreachable: [...cloud.unreachable.keys()],
    warnings: [...create.warnings, ...[...cloud.unreachable].map(([c, why]) => `could not ask ${c} (${why}): its VMs are shown as recorded`)],
  };
}

export interface ApplyDeps {
  deps: OrchestratorDeps;
  pool: DriverPool;
  /** Terminates the picked VMs and waits until they are gone (the service's terminate path). */
  terminate(pick: (vm: Vm) => boolean): Promise<{ done: string[]; failed: Array<{ vm: string; error: string }> }>;
}

export interface ApplyOutcome {
  plan: McisPlan;
  created: string[];
  replaced: string[];
  destroyed: string[];
  failed: Array<{ vm: string; error: string }>;
}

/** Executes `plan` (made from `create` and the manifest in `opts`) on an existing MCIS. */
export async function runApply(a: ApplyDeps, opts: CreateOptions, create: CreatePlan, plan: McisPlan): Promise<ApplyOutcome> {
  const { deps, pool } = a;
  const events: EventSink = opts.events ?? noEvents;
  const m = opts.manifest;
  const { ns, name } = plan;
  const failed: Array<{ vm: string; error: string }> = [];
  const destroyed: string[] = [];

  // 1. Scale in and removed subgroups: drain, terminate, forget.
  const leaving = new Set(plan.changes.filter((c) => c.op === 'destroy' && !c.orphan).map((c) => c.target));
  if (leaving.size) {
    events({ type: 'phase', mcis: name, phase: 'scale-in', message: `removing ${leaving.size} VM(s)` });
    const drained = await drain(deps, ns, name, [...leaving], m.spec.policy?.drain, events);
    for (const f of drained.failed) {
      failed.push(f);
      leaving.delete(f.vm);
    }
    const term = await a.terminate((v) => leaving.has(v.name));
    failed.push(...term.failed);
    for (const vm of deps.store.listVms(ns, name)) {
      if (!leaving.has(vm.name) || term.failed.some((f) => f.vm === vm.name)) continue;
      if (vm.status === 'Terminated' || !vm.providerId) {
        deps.store.deleteVm(ns, name, vm.name);
        destroyed.push(vm.name);
      }
    }
  }
  // 2. Instances tagged with this MCIS that no record holds.
  const orphans = plan.changes.filter((c) => c.orphan);
  for (const [conn, list] of groupBy(orphans, (c) => c.orphan!.connection)) {
    try {
      await (await pool.get(conn)).driver.vms.terminate(list.map((c) => c.orphan!.providerId));
      destroyed.push(...list.map((c) => c.target));
    } catch (e) {
      failed.push(...list.map((c) => ({ vm: c.target, error: `could not terminate the unknown instance ${c.orphan!.providerId}: ${(e as Error).message}` })));
    }
  }

  // 3. The record takes the new shape: create's intent check then sees the manifest it is given.
  deps.store.updateMcis(ns, name, (cur) => ({
    ...cur,
    labels: m.metadata.labels ?? {},
    subgroups: create.subgroups.map((p) => storedSubgroup(m.spec.subgroups.find((s) => s.name === p.name)!, p)),
    policy: recordedPolicy(create, m),
    files: undefined,
    run: undefined,
    firewall: undefined,
    ssh: undefined,
    loadBalancers: m.spec.loadBalancers?.length ? m.spec.loadBalancers : undefined,
    overlay: undefined,
    ...provisioning(m),
    ...firewallOf(m),
    updatedAt: nowIso(),
  }));

  // 4. Replace a few VMs per subgroup at a time; the first round also launches the new ones.
  const replaces = plan.changes.filter((c) => c.op === 'replace');
  const perRound = m.spec.policy?.maxUnavailable ?? 1;
  const queues = groupBy(replaces, (c) => c.subgroup ?? '');
  const created = new Set<string>();
  const replaced = new Set<string>();
  const wanted = new Map(create.vms.map((v) => [v.name, v]));
  const replaceNames = new Set(replaces.map((c) => c.target));
  let round = 0;
  const needsCreate = plan.changes.some((c) => c.op === 'create');
  while (round === 0 ? needsCreate || replaces.length > 0 : [...queues.values()].some((q) => q.length > 0)) {
    const batch = [...queues.values()].flatMap((q) => q.splice(0, perRound));
    round++;
    if (batch.length) {
      events({ type: 'phase', mcis: name, phase: 'replace', message: `round ${round}: replacing ${batch.map((c) => c.target).join(', ')}` });
      const names = new Set(batch.map((c) => c.target));
      const term = await a.terminate((v) => names.has(v.name));
      for (const f of term.failed) {
        failed.push(f);
        names.delete(f.vm);
      }
      for (const vmName of names) {
        const p = wanted.get(vmName)!;
        const conn = deps.store.getConnection(p.connection)!;
        // Gone and reshaped: create's re-run path launches it fresh with a new client token.
        deps.store.updateVm(ns, name, vmName, (c) => ({
          ...c,
          connection: p.connection,
          provider: conn.provider,
          region: conn.region,
          zone: conn.zone,
          sshPort: conn.sshPort,
          spec: p.spec,
          image: p.image,
          status: 'Undefined',
          ...NO_INSTANCE,
          error: 'replacing',
          updatedAt: nowIso(),
        }));
      }
    }
    const outcome: CreateOutcome = await runCreate(deps, pool, opts);
    for (const v of outcome.launched) (replaceNames.has(v) ? replaced : created).add(v);
    failed.push(...outcome.failed.filter((f) => !failed.some((x) => x.vm === f.vm)));
    if (outcome.failed.length) break; // a failed round stops the rollout: the rest keep their old VMs
  }
  return { plan, created: [...created], replaced: [...replaced], destroyed, failed };
}

/** Runs the manifest's drain command on each leaving Running VM; a VM whose drain fails stays. */
async function drain(deps: OrchestratorDeps, ns: string, name: string, vms: string[], command: string | undefined, events: EventSink): Promise<{ failed: Array<{ vm: string; error: string }> }> {
  const failed: Array<{ vm: string; error: string }> = [];
  if (!command) return { failed };
  const transports = transportsOf(deps);
  const running = deps.store.listVms(ns, name).filter((v) => vms.includes(v.name) && v.status === 'Running' && transports.reachable(v));
  await Promise.all(
    running.map(async (vm) => {
      events({ type: 'vm', mcis: name, vm: vm.name, status: vm.status, step: 'drain', message: command });
      try {
        const r = await transports.exec(execTargetOf(deps, vm), command, { timeoutMs: 10 * 60_000 });
        if (r.exitCode !== 0) failed.push({ vm: vm.name, error: `drain exited ${r.exitCode}: ${r.stderr.trim().slice(-200)}; the VM was kept` });
      } catch (e) {
        failed.push({ vm: vm.name, error: `drain failed: ${(e as Error).message}; the VM was kept` });
      }
    }),
  );
  return { failed };
}


/** The manifest an MCIS record stands for: what `mcis scale` edits and applies. */
export function manifestOf(mcis: Mcis): McisManifest {
  // The balancers' subgroups and rules are generated from `loadBalancers`: the manifest gives those back.
  return {
    apiVersion: API_VERSION,
    kind: 'MCIS',
    metadata: { name: mcis.name, namespace: mcis.ns, ...(Object.keys(mcis.labels).length ? { labels: mcis.labels } : {}) },
    spec: withoutBalancers({
      ...(mcis.loadBalancers?.length ? { loadBalancers: mcis.loadBalancers } : {}),
      subgroups: mcis.subgroups.map((s) => ({
        name: s.name,
        count: s.count,
        image: s.image,
        ...defined({ rootDisk: s.rootDisk, sshUser: s.sshUser, firewall: s.firewall }),
        ...(s.requirements ? { requirements: s.requirements } : { connection: s.connection, spec: s.spec }),
      })),
      ...(mcis.files ? { files: mcis.files } : {}),
      ...(mcis.run ? { run: mcis.run } : {}),
      ...(mcis.firewall ? { firewall: mcis.firewall } : {}),
      ...(mcis.ssh ? { ssh: mcis.ssh } : {}),
      ...(mcis.overlay ? { network: { overlay: mcis.overlay } } : {}),
      policy: {
        onFailure: mcis.policy.onFailure,
        ...(mcis.policy.parallelism ? { parallelism: mcis.policy.parallelism } : {}),
        ...(mcis.policy.maxUnavailable ? { maxUnavailable: mcis.policy.maxUnavailable } : {}),
        ...(mcis.policy.drain ? { drain: mcis.policy.drain } : {}),
      },
    }),
  };
}
