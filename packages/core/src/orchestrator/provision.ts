/**
 * The manifest's `files` and `run` on new VMs, once per instance as cloud-init does, but through
 * each VM's exec transport and reported per VM: files are synced (SSH: over SFTP; a transport
 * without file copy fails the VM when there are files), then the commands run in order, stopping at the
 * first that fails. A VM is marked provisioned only when all of it worked, so a re-run of create or
 * apply finishes the VMs an interrupted run left half done (and never repeats the finished ones).
 */
import { nowIso } from '../domain.js';
import type { EventSink } from '../events.js';
import type { McisManifest } from '../manifest.js';
import type { Vm } from '../model.js';
import { Semaphore } from '../util/limit.js';
import type { OrchestratorDeps } from './deps.js';
import { execTargetOf, transportsOf } from './transport.js';

const RUN_TIMEOUT_MS = 30 * 60_000;

/** Provisions the Running VMs of the MCIS not yet provisioned; returns the ones that failed. */
export async function provisionVms(deps: OrchestratorDeps, ns: string, name: string, m: McisManifest, events: EventSink, signal?: AbortSignal): Promise<Array<{ vm: string; error: string }>> {
  const files = m.spec.files ?? [];
  const run = m.spec.run ?? [];
  if (!files.length && !run.length) return [];
  const transports = transportsOf(deps);
  const todo = deps.store.listVms(ns, name).filter((v) => v.status === 'Running' && transports.reachable(v) && !v.provisionedAt && v.origin !== 'registered');
  const failed: Array<{ vm: string; error: string }> = [];
  const sem = new Semaphore(32);
  await Promise.all(
    todo.map((vm) =>
      sem.run(async () => {
        try {
          await provisionOne(deps, name, vm, files, run, events, signal);
          deps.store.updateVm(ns, name, vm.name, (c) => ({ ...c, provisionedAt: nowIso(), error: undefined }));
          events({ type: 'vm', mcis: name, vm: vm.name, status: 'Running', step: 'provisioned' });
        } catch (e) {
          const error = (e as Error).message;
          failed.push({ vm: vm.name, error });
          deps.store.updateVm(ns, name, vm.name, (c) => ({ ...c, error, updatedAt: nowIso() }));
          events({ type: 'vm', mcis: name, vm: vm.name, status: 'Running', step: 'provision', message: error });
        }
      }),
    ),
  );
  return failed;
}

async function provisionOne(deps: OrchestratorDeps, mcis: string, vm: Vm, files: Array<{ src: string; dest: string }>, run: string[], events: EventSink, signal?: AbortSignal): Promise<void> {
  const transports = transportsOf(deps);
  const target = execTargetOf(deps, vm);
  if (files.length) {
    events({ type: 'vm', mcis, vm: vm.name, status: 'Running', step: 'files', message: `${files.length} path(s)` });
    await transports.copy.upload(target, files.map((f) => ({ local: f.src, remote: f.dest })), signal ? { signal } : {});
  }
  for (const [i, command] of run.entries()) {
    events({ type: 'vm', mcis, vm: vm.name, status: 'Running', step: `run ${i + 1}/${run.length}`, message: command });
    const r = await transports.exec(target, command, { timeoutMs: RUN_TIMEOUT_MS, ...(signal ? { signal } : {}) });
    if (r.exitCode !== 0) {
      const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`spec.run[${i}] exited ${r.exitCode ?? r.signal}: ${command}${tail ? ` — ${tail}` : ''}`);
    }
  }
}
