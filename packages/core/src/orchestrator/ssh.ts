/** Readiness: a VM is usable only once commands run on it (SSH: its server answers with our key). */
import type { EventSink } from '../events.js';
import type { Vm } from '../model.js';
import { Semaphore } from '../util/limit.js';
import type { OrchestratorDeps } from './deps.js';
import { execTargetOf, transportsOf } from './transport.js';

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
  const transports = transportsOf(deps);
  const ok: Vm[] = [];
  const failed: Array<{ vm: Vm; reason: string }> = [];
  await Promise.all(
    vms.map((vm) =>
      sem.run(async () => {
        if (!transports.reachable(vm)) {
          failed.push({ vm, reason: 'no public IP' });
          return;
        }
        const target = execTargetOf(deps, vm);
        let kind: string | undefined;
        try {
          const transport = await transports.pick(target);
          kind = transport.kind;
          await transport.ready(target, { maxWaitMs, ...(signal ? { signal } : {}) });
          ok.push(vm);
        } catch (e) {
          const why = (e as Error).message;
          failed.push({ vm, reason: kind ? `${kind} did not answer: ${why}` : why });
          events({ type: 'vm', mcis, vm: vm.name, status: vm.status, step, message: (e as Error).message });
        }
      }),
    ),
  );
  return { ok, failed };
}
