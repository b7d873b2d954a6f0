/**
 * Waiting for VMs to settle: one describe call per connection per round (not per VM), records
 * updated as states change, a pure acceptor deciding when each VM is done.
 */
import type { VmInfo } from '../driver/port.js';
import type { EventSink } from '../events.js';
import type { Vm, VmStatus } from '../model.js';
import { nowIso } from '../domain.js';
import { poll, PollTimeoutError, type Acceptance } from '../util/poll.js';
import type { DriverPool } from '../driver/pool.js';
import type { McisStore } from '../store/state-store.js';
import { groupByConnection } from './group.js';

export type Settle = 'done' | 'failed' | 'pending';

/** Decides, from what the cloud says, whether a VM (its record) reached the wanted state. */
export type VmAcceptor = (info: VmInfo | undefined, vm: Vm) => { verdict: Settle; reason?: string };

/**
 * `needPublicIp`: a Running VM counts only with its address, where it is reached by one (a
 * predicate per VM: containers entered through their driver's transport have none).
 */
export function acceptStatus(want: VmStatus, opts: { needPublicIp?: boolean | ((vm: Vm) => boolean); missingMeans?: Settle } = {}): VmAcceptor {
  return (info, vm) => {
    if (!info) return { verdict: opts.missingMeans ?? 'failed', reason: 'the cloud no longer knows this VM' };
    if (info.status === want) {
      const needIp = typeof opts.needPublicIp === 'function' ? opts.needPublicIp(vm) : opts.needPublicIp;
      if (needIp && !info.publicIp) return { verdict: 'pending' };
      return { verdict: 'done' };
    }
    if (want !== 'Terminated' && (info.status === 'Terminated' || info.status === 'Terminating')) {
      return { verdict: 'failed', reason: `the VM went ${info.nativeState} while waiting for ${want}` };
    }
    if (info.status === 'Failed') return { verdict: 'failed', reason: `the VM failed (${info.nativeState})` };
    return { verdict: 'pending' };
  };
}

export interface WaitOutcome {
  done: Vm[];
  failed: Array<{ vm: Vm; reason: string }>;
}

/** Applies what the cloud said to a VM record (status, ips, native state). */
export function applyInfo(vm: Vm, info: VmInfo): Vm {
  return {
    ...vm,
    providerId: info.providerId,
    status: info.status,
    nativeState: info.nativeState,
    publicIp: info.publicIp,
    privateIp: info.privateIp,
    zone: info.zone ?? vm.zone,
    updatedAt: nowIso(),
  };
}

/**
 * Rounds in a row a connection's describe may fail (an outage; the driver has already retried each
 * call) before its pending VMs are given up on with the cloud's error as their reason. Other
 * connections' VMs keep being waited for.
 */
export const MAX_UNCHECKED_ROUNDS = 4;

export async function waitForVms(args: {
  store: Pick<McisStore, 'updateVm'>;
  pool: DriverPool;
  ns: string;
  mcis: string;
  vms: Vm[];
  accept: VmAcceptor;
  /** Status to record while still pending (e.g. 'Suspending'); undefined records what the cloud says. */
  pendingStatus?: VmStatus;
  maxWaitMs: number;
  pollMs: number;
  step: string;
  events: EventSink;
  signal?: AbortSignal;
}): Promise<WaitOutcome> {
  const outcome: WaitOutcome = { done: [], failed: [] };
  let pending = args.vms.filter((v) => v.providerId);
  for (const v of args.vms) if (!v.providerId) outcome.failed.push({ vm: v, reason: 'no provider id recorded' });
  const unchecked = new Map<string, number>();
  // One round: describe every pending VM (one call per connection), record what the cloud says.
  const round = async (): Promise<number> => {
    const byConn = groupByConnection(pending);
    const next: Vm[] = [];
    await Promise.all(
      [...byConn].map(async ([conn, vms]) => {
        let infos: Map<string, VmInfo>;
        try {
          const { driver } = await args.pool.get(conn);
          infos = new Map((await driver.vms.describe(vms.map((v) => v.providerId!))).map((i) => [i.providerId, i]));
          unchecked.delete(conn);
        } catch (e) {
          const fails = (unchecked.get(conn) ?? 0) + 1;
          unchecked.set(conn, fails);
          if (fails < MAX_UNCHECKED_ROUNDS) {
            next.push(...vms);
            return;
          }
          // The record keeps the status it had (the cloud may well have done it): a re-run re-checks.
          const reason = `could not check the VM in ${args.step}: ${e instanceof Error ? e.message : String(e)}`;
          for (const vm of vms) outcome.failed.push({ vm: args.store.updateVm(args.ns, args.mcis, vm.name, (c) => ({ ...c, error: reason, updatedAt: nowIso() })), reason });
          return;
        }
        for (const vm of vms) {
          const info = infos.get(vm.providerId!);
          const { verdict, reason } = args.accept(info, vm);
          const updated = args.store.updateVm(args.ns, args.mcis, vm.name, (cur) => {
            const base = info ? applyInfo(cur, info) : cur;
            if (verdict === 'pending' && args.pendingStatus) return { ...base, status: args.pendingStatus };
            if (verdict === 'failed') return { ...base, status: info ? base.status : 'Undefined', error: reason };
            return { ...base, error: undefined };
          });
          if (updated.status !== vm.status) {
            args.events({ type: 'vm', mcis: args.mcis, vm: vm.name, status: updated.status, step: args.step, message: info?.nativeState });
          }
          if (verdict === 'done') outcome.done.push(updated);
          else if (verdict === 'failed') outcome.failed.push({ vm: updated, reason: reason ?? 'failed' });
          else next.push(updated);
        }
      }),
    );
    pending = next;
    return pending.length;
  };
  try {
    await poll(round, (left): Acceptance<void> => (left === 0 ? { state: 'success', value: undefined } : { state: 'retry' }), {
      maxWaitMs: args.maxWaitMs,
      minDelayMs: args.pollMs,
      maxDelayMs: args.pollMs * 8,
      what: `VMs in ${args.step}`,
      ...(args.signal ? { signal: args.signal } : {}),
    });
  } catch (e) {
    if (!(e instanceof PollTimeoutError)) throw e;
    for (const vm of pending) {
      const reason = `timed out after ${args.maxWaitMs} ms in ${args.step}`;
      outcome.failed.push({ vm: args.store.updateVm(args.ns, args.mcis, vm.name, (c) => ({ ...c, error: reason })), reason });
    }
  }
  return outcome;
}
