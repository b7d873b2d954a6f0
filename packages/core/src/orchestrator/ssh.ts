/** SSH readiness: a VM is usable only once its SSH server answers with our key. */
import type { EventSink } from '../events.js';
import type { Vm } from '../model.js';
import { Semaphore } from '../util/limit.js';
import type { OrchestratorDeps } from './deps.js';
import { privateKeyPath } from './resources.js';

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
