/**
 * Lifecycle actions on a whole MCIS, one subgroup or one VM. Checked against the transition table
 * first (a refused action changes nothing), then one batched driver call per connection, then a
 * wait until every VM settles.
 */
import { NotFoundError, UsageError } from '../errors.js';
import type { CloudDriver, VmAction } from '../driver/port.js';
import { noEvents, type EventSink } from '../events.js';
import { assertCanApply, planAction, TRANSITIONS } from '../lifecycle.js';
import { nowIso } from '../domain.js';
import type { Vm } from '../model.js';
import { DEFAULT_TIMEOUTS, type OrchestratorDeps, type RunOptions } from './deps.js';
import type { DriverPool } from '../driver/pool.js';
import { probeVms } from './ssh.js';
import { acceptStatus, applyInfo, waitForVms } from './wait.js';
import { groupByConnection } from './group.js';

export interface Selector {
  subgroup?: string;
  vm?: string;
}

/** The VMs a selector names; unknown subgroup or VM names are NotFoundError. */
export function selectVms(vms: Vm[], mcis: string, sel: Selector): Vm[] {
  if (sel.vm) {
    const vm = vms.find((v) => v.name === sel.vm);
    if (!vm) throw new NotFoundError('VM', sel.vm, { hint: `MCIS '${mcis}' has: ${vms.map((v) => v.name).join(', ') || 'no VMs'}` });
    if (sel.subgroup && vm.subgroup !== sel.subgroup) throw new UsageError(`VM '${sel.vm}' is not in subgroup '${sel.subgroup}'`);
    return [vm];
  }
  if (sel.subgroup) {
    const picked = vms.filter((v) => v.subgroup === sel.subgroup);
    if (!picked.length) {
      const groups = [...new Set(vms.map((v) => v.subgroup))];
      throw new NotFoundError('subgroup', sel.subgroup, { hint: `MCIS '${mcis}' has subgroups: ${groups.join(', ') || 'none'}` });
    }
    return picked;
  }
  return vms;
}

export interface ActionOutcome {
  action: VmAction;
  changed: string[];
  /** VMs already where the action takes them (a repeat is a no-op). */
  already: string[];
  skipped: Array<{ vm: string; reason: string }>;
  failed: Array<{ vm: string; error: string }>;
}

/**
 * Runs the action on the selected VMs. A VM a killed run left mid-transition is checked against the
 * cloud first and the action continued; a VM already in the target status is left alone. Each VM's
 * outcome is recorded as it happens: one VM's failure neither undoes nor hides what the cloud did
 * with the others.
 */
export async function runAction(
  deps: OrchestratorDeps,
  pool: DriverPool,
  args: { ns: string; mcis: string; action: VmAction; selector: Selector } & RunOptions,
): Promise<ActionOutcome> {
  const events: EventSink = args.events ?? noEvents;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const { ns, mcis, action } = args;
  const t = TRANSITIONS[action];
  let selected = selectVms(deps.store.listVms(ns, mcis), mcis, args.selector);
  const registered = selected.filter((v) => v.origin === 'registered');
  if (registered.length) {
    throw new UsageError(`cannot ${action} ${registered.map((v) => v.name).join(', ')}: registered machines have no cloud API behind them`, {
      hint: `exec, ssh and monitoring work on them (cbadm mcis exec ${mcis} -- …); power them on and off where they live`,
    });
  }
  const checked = await recheckInFlight(deps, pool, ns, mcis, action, selected);
  selected = selected.map((v) => deps.store.getVm(ns, mcis, v.name) ?? v);
  const planOf = (vm: Vm) => planAction(vm.status, action, { checked: checked.has(vm.name) });
  if (args.selector.vm && planOf(selected[0]!) === 'refuse') assertCanApply(selected[0]!.name, selected[0]!.status, action);

  const skipped: ActionOutcome['skipped'] = [];
  const already: string[] = [];
  const targets: Vm[] = [];
  const waiting: Vm[] = [];
  for (const vm of selected) {
    const plan = planOf(vm);
    if (plan === 'already') already.push(vm.name);
    else if (plan === 'recheck') skipped.push({ vm: vm.name, reason: `is ${vm.status} and the cloud could not be asked: ${vm.error ?? 'unknown'}` });
    else if (plan === 'refuse') skipped.push({ vm: vm.name, reason: `is ${vm.status}; ${action} needs ${t.from.join(' or ')}` });
    else if (!vm.providerId) skipped.push({ vm: vm.name, reason: 'was never created in the cloud' });
    else if (plan === 'wait') waiting.push(vm);
    else targets.push(vm);
  }
  if (!targets.length && !waiting.length) {
    if (already.length && !skipped.length) {
      return { action, changed: [], already, skipped, failed: [] };
    }
    throw new UsageError(`nothing to ${action} in MCIS '${mcis}': ${skipped.map((s) => `${s.vm} ${s.reason}`).join('; ') || 'no VMs selected'}`, {
      hint: `see the VM statuses with: cbadm mcis status ${mcis} --refresh`,
    });
  }
  // Refuse up front when a cloud cannot do it, before touching anything.
  for (const conn of new Set(targets.map((v) => v.connection))) {
    const { driver, connection } = await pool.get(conn);
    const why = driver.capabilities.unsupported[action];
    if (why) throw new UsageError(`${action} is not supported on connection '${conn}' (${connection.provider}): ${why}`);
  }

  const failed: ActionOutcome['failed'] = [];
  const byConn = groupByConnection(targets);
  const called: Vm[] = [...waiting];
  await Promise.all(
    [...byConn].map(async ([conn, vms]) => {
      for (const vm of vms) {
        deps.store.updateVm(ns, mcis, vm.name, (c) => ({ ...c, status: t.via, updatedAt: nowIso() }));
        events({ type: 'vm', mcis, vm: vm.name, status: t.via, step: action });
      }
      let driver: CloudDriver;
      try {
        driver = (await pool.get(conn)).driver;
      } catch (e) {
        for (const vm of vms) {
          failed.push({ vm: vm.name, error: (e as Error).message });
          deps.store.updateVm(ns, mcis, vm.name, (c) => ({ ...c, status: vm.status, error: (e as Error).message }));
        }
        return;
      }
      try {
        await driver.vms[action](vms.map((v) => v.providerId!));
        called.push(...vms);
        return;
      } catch {
        // A batch call that failed may have done part of the work (GCE and ARM act per VM): ask
        // once per VM, so each gets its own outcome and its own error.
      }
      await Promise.all(
        vms.map(async (vm) => {
          try {
            await driver.vms[action]([vm.providerId!]);
            called.push(vm);
          } catch (e) {
            const error = e instanceof Error ? e.message : String(e);
            failed.push({ vm: vm.name, error });
            // Record what the cloud says now rather than guess; if it cannot say, what we knew before.
            const info = await driver.vms.describe([vm.providerId!]).then((i) => i[0], () => undefined);
            deps.store.updateVm(ns, mcis, vm.name, (c) => ({ ...(info ? applyInfo(c, info) : { ...c, status: vm.status }), error }));
          }
        }),
      );
    }),
  );
  const settled = await waitForVms({
    store: deps.store,
    pool,
    ns,
    mcis,
    vms: called.map((v) => deps.store.getVm(ns, mcis, v.name)!),
    accept: acceptStatus(t.to, { needPublicIp: (v) => t.to === 'Running' && deps.drivers.ownsExecTransport?.(v.provider) !== true, missingMeans: action === 'terminate' ? 'done' : 'failed' }),
    pendingStatus: t.via,
    maxWaitMs: timeouts.actionMs,
    pollMs: timeouts.pollMs,
    step: action,
    events,
    ...(args.signal ? { signal: args.signal } : {}),
  });
  for (const f of settled.failed) failed.push({ vm: f.vm.name, error: f.reason });

  let done = settled.done;
  if (t.to === 'Running') {
    // Resumed VMs may come back on new addresses; they are Running once SSH answers again.
    for (const vm of done) deps.store.updateVm(ns, mcis, vm.name, (c) => ({ ...c, status: t.via }));
    const ssh = await probeVms(deps, mcis, done, timeouts.sshMs, action, events, args.signal);
    for (const f of ssh.failed) {
      failed.push({ vm: f.vm.name, error: f.reason });
      deps.store.updateVm(ns, mcis, f.vm.name, (c) => ({ ...c, status: 'Failed', error: f.reason }));
    }
    done = ssh.ok;
  }
  for (const vm of done) {
    const rec = deps.store.updateVm(ns, mcis, vm.name, (c) => ({
      ...c,
      status: t.to,
      error: undefined,
      ...(t.to === 'Terminated' ? { publicIp: undefined } : {}),
      updatedAt: nowIso(),
    }));
    if (t.to === 'Terminated' && vm.publicIp) deps.forgetHostKey?.(vm.publicIp, vm.sshPort);
    events({ type: 'vm', mcis, vm: vm.name, status: rec.status, step: 'done' });
  }
  deps.store.updateMcis(ns, mcis, (m) => ({ ...m, targetAction: action, updatedAt: nowIso() }));
  return { action, changed: done.map((v) => v.name), already, skipped, failed };
}

/**
 * Asks the cloud about VMs a killed run left mid-transition and records its answer. Returns the
 * names it could check; the others keep their status (and the cloud's error).
 */
async function recheckInFlight(deps: OrchestratorDeps, pool: DriverPool, ns: string, mcis: string, action: VmAction, vms: Vm[]): Promise<Set<string>> {
  const stale = vms.filter((v) => planAction(v.status, action) === 'recheck' && v.providerId);
  const checked = new Set<string>();
  const byConn = groupByConnection(stale);
  await Promise.all(
    [...byConn].map(async ([conn, list]) => {
      try {
        const { driver } = await pool.get(conn);
        const infos = new Map((await driver.vms.describe(list.map((v) => v.providerId!))).map((i) => [i.providerId, i]));
        for (const vm of list) {
          const info = infos.get(vm.providerId!);
          deps.store.updateVm(ns, mcis, vm.name, (c) =>
            info ? { ...applyInfo(c, info), error: undefined } : { ...c, status: c.status === 'Terminating' ? 'Terminated' : 'Undefined', error: 'the cloud no longer knows this VM', updatedAt: nowIso() },
          );
          checked.add(vm.name);
        }
      } catch (e) {
        for (const vm of list) deps.store.updateVm(ns, mcis, vm.name, (c) => ({ ...c, error: e instanceof Error ? e.message : String(e) }));
      }
    }),
  );
  return checked;
}
