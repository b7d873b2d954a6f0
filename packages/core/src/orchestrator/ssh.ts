/**
 * Readiness: a VM is usable only once its SSH server answers with our key, or, where its driver
 * owns the exec transport (Docker containers), once a command runs through that.
 */
import type { EventSink } from '../events.js';
import { UsageError } from '../errors.js';
import type { Interactive } from '../exec/transport.js';
import type { Vm } from '../model.js';
import { Semaphore } from '../util/limit.js';
import type { OrchestratorDeps } from './deps.js';
import { privateKeyPath } from './resources.js';
import { execTargetOf } from './transport.js';

/** Whether the VM is entered through its driver's own transport (no address, no SSH). */
export function ownTransport(deps: Pick<OrchestratorDeps, 'drivers' | 'exec'>, vm: Pick<Vm, 'provider'>): boolean {
  return deps.exec !== undefined && deps.drivers.ownsExecTransport?.(vm.provider) === true;
}

/** How a user opens a shell on a VM its driver's transport reaches; undefined for one reached over SSH. */
export async function ownShell(deps: OrchestratorDeps, mcis: string, vm: Vm): Promise<Interactive | undefined> {
  if (!ownTransport(deps, vm)) return undefined;
  if (vm.status !== 'Running') throw new UsageError(`VM '${vm.name}' is ${vm.status}; a shell needs a Running VM`, { hint: `check it: cbadm mcis status ${mcis} --refresh` });
  return deps.exec!.interactive(execTargetOf(deps, vm));
}

/** SSH handshakes are CPU-bound on both ends: keep a bounded number in flight. */
const PROBE_CONCURRENCY = 32;

export async function probeVms(
  deps: OrchestratorDeps,
  mcis: string,
  vms: Vm[],
  maxWaitMs: number,
  step: string,
  events: EventSink,
  signal?: AbortSignal,
): Promise<{ ok: Vm[]; failed: Array<{ vm: Vm; reason: string }> }> {
  const sem = new Semaphore(PROBE_CONCURRENCY);
  const ok: Vm[] = [];
  const failed: Array<{ vm: Vm; reason: string }> = [];
  await Promise.all(
    vms.map((vm) =>
      sem.run(async () => {
        if (ownTransport(deps, vm)) {
          try {
            await deps.exec!.ready(execTargetOf(deps, vm), { maxWaitMs, ...(signal ? { signal } : {}) });
            ok.push(vm);
          } catch (e) {
            failed.push({ vm, reason: `commands do not run: ${(e as Error).message}` });
            events({ type: 'vm', mcis, vm: vm.name, status: vm.status, step, message: (e as Error).message });
          }
          return;
        }
        if (!vm.publicIp) {
          failed.push({ vm, reason: 'no public IP' });
          return;
        }
        try {
          await deps.ssh.probe(
            { host: vm.publicIp, port: vm.sshPort, user: vm.sshUser, privateKeyPath: vm.sshKeyPath ?? privateKeyPath(deps, vm.connection), label: vm.name },
            { maxWaitMs, ...(signal ? { signal } : {}) },
          );
          ok.push(vm);
        } catch (e) {
          failed.push({ vm, reason: `SSH did not answer: ${(e as Error).message}` });
          events({ type: 'vm', mcis, vm: vm.name, status: vm.status, step, message: (e as Error).message });
        }
      }),
    ),
  );
  return { ok, failed };
}
