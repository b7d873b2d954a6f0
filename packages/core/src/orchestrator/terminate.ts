/**
 * Terminating VMs the way every path needs it (delete, rollback, refine, apply): call the cloud,
 * wait until the instances are gone, record each VM's outcome as it comes.
 */
import { nowIso, TAG } from '../domain.js';
import type { DriverPool } from '../driver/pool.js';
import { noEvents } from '../events.js';
import type { Vm } from '../model.js';
import { DEFAULT_TIMEOUTS, type OrchestratorDeps, type RunOptions } from './deps.js';
import { groupByConnection } from './group.js';
import { acceptStatus, applyInfo, waitForVms } from './wait.js';

/**
 * Terminates the selected VMs that might still exist in the cloud and waits until they are gone.
 * Each VM's outcome is recorded as it comes: the ones the cloud removed become Terminated even
 * when others (another connection, an outage) fail; those keep their status and get the error.
 */
export async function terminateVms(deps: OrchestratorDeps, pool: DriverPool, ns: string, name: string, pick: (vm: Vm) => boolean, opts: RunOptions): Promise<{ done: string[]; failed: Array<{ vm: string; error: string }> }> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const vms = deps.store.listVms(ns, name).filter((v) => pick(v) && v.providerId && v.status !== 'Terminated');
  const failed: Array<{ vm: string; error: string }> = [];
  const byConn = groupByConnection(vms);
  const called: Vm[] = [];
  await Promise.all(
    [...byConn].map(async ([conn, list]) => {
      try {
        const { driver } = await pool.get(conn);
        await driver.vms.terminate(list.map((v) => v.providerId!));
        called.push(...list);
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        for (const vm of list) {
          failed.push({ vm: vm.name, error });
          deps.store.updateVm(ns, name, vm.name, (c) => ({ ...c, error, updatedAt: nowIso() }));
        }
      }
    }),
  );
  const out = await waitForVms({
    store: deps.store,
    pool,
    ns,
    mcis: name,
    vms: called,
    accept: acceptStatus('Terminated', { missingMeans: 'done' }),
    pendingStatus: 'Terminating',
    maxWaitMs: timeouts.actionMs,
    pollMs: timeouts.pollMs,
    step: 'terminate',
    events: opts.events ?? noEvents,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  for (const f of out.failed) failed.push({ vm: f.vm.name, error: f.reason });
  for (const vm of out.done) {
    deps.store.updateVm(ns, name, vm.name, (c) => ({ ...c, status: 'Terminated', publicIp: undefined, error: undefined }));
    if (vm.publicIp) deps.forgetHostKey?.(vm.publicIp, vm.sshPort);
  }
  return { done: out.done.map((v) => v.name), failed };
}

/**
 * Gives VM records that never got a provider id (a create killed around its call) the id of the
 * instance the cloud made for them, if any, found by tags, so a delete terminates it too.
 */
export async function adoptUnrecorded(deps: OrchestratorDeps, pool: DriverPool, ns: string, name: string): Promise<Array<{ vm: string; error: string }>> {
  const failed: Array<{ vm: string; error: string }> = [];
  const unrecorded = deps.store.listVms(ns, name).filter((v) => !v.providerId && v.status === 'Creating' && v.origin !== 'registered');
  const byConn = groupByConnection(unrecorded);
  await Promise.all(
    [...byConn].map(async ([conn, list]) => {
      try {
        const { driver } = await pool.get(conn);
        const found = await driver.vms.findByTags({ [TAG.managed]: 'true', [TAG.ns]: ns, [TAG.mcis]: name });
        for (const vm of list) {
          const info = found.find((i) => i.tags[TAG.vm] === vm.name && i.status !== 'Terminated');
          if (info) deps.store.updateVm(ns, name, vm.name, (c) => applyInfo(c, info));
          else deps.store.updateVm(ns, name, vm.name, (c) => ({ ...c, status: 'Terminated' }));
        }
      } catch (e) {
        for (const vm of list) failed.push({ vm: vm.name, error: `could not look for it in the cloud: ${e instanceof Error ? e.message : String(e)}` });
      }
    }),
  );
  return failed;
}
