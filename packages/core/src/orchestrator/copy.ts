/**
 * `mcis cp`: a file or a directory tree to or from many VMs at once through each VM's transport's
 * file copy (SSH: SFTP). Each VM gets one session; unchanged files are skipped (see
 * ssh/sftp-sync.ts), so a re-run moves only what changed. A VM whose transport has no file copy
 * fails alone, saying so.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Vm } from '../model.js';
import type { CopyStats } from '../exec/transport.js';
import { Semaphore } from '../util/limit.js';
import type { Selector } from './actions.js';
import type { OrchestratorDeps, RunOptions } from './deps.js';
import { execTargetOf, transportsOf } from './transport.js';

export interface CopyOptions extends RunOptions {
  ns: string;
  name: string;
  /** upload: `local` becomes `remote` on every VM; download: `remote` lands in `local/<vm>/`. */
  direction: 'upload' | 'download';
  local: string;
  remote: string;
  selector: Selector;
  checksum?: boolean;
  /** VMs copying at once. Default 16. */
  concurrency?: number;
}

export interface CopyVmResult extends CopyStats {
  vm: string;
  durationMs: number;
  /** Where the copy went (download: the local path; upload: the remote path as given). */
  dest: string;
  error?: string;
}

export async function runCopy(deps: OrchestratorDeps, vms: Vm[], o: CopyOptions): Promise<CopyVmResult[]> {
  if (o.direction === 'upload' && !existsSync(o.local)) {
    throw new UsageError(`${o.local} does not exist here`, { hint: 'give an existing local file or directory to upload' });
  }
  const sem = new Semaphore(o.concurrency ?? 16);
  const events = o.events;
  const transports = transportsOf(deps);
  return Promise.all(
    vms.map((vm) =>
      sem.run(async (): Promise<CopyVmResult> => {
        const dest = o.direction === 'upload' ? o.remote : join(o.local, vm.name, baseOf(o.remote));
        const empty = { vm: vm.name, dest, files: 0, copied: 0, skipped: 0, bytes: 0, durationMs: 0 };
        if (vm.status !== 'Running' || !transports.reachable(vm)) return { ...empty, error: `VM is ${vm.status}; copying needs Running` };
        const started = Date.now();
        const sync = {
          ...(o.checksum ? { checksum: true } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
          onFile: (p: { files: number; totalFiles: number; bytes: number; totalBytes: number }) =>
            events?.({ type: 'transfer', mcis: o.name, vm: vm.name, ...p }),
        };
        try {
          const target = execTargetOf(deps, vm);
          const stats =
            o.direction === 'upload'
              ? await transports.copy.upload(target, [{ local: o.local, remote: o.remote }], sync)
              : await transports.copy.download(target, o.remote, dest, sync);
          return { ...empty, ...stats, durationMs: Date.now() - started };
        } catch (e) {
          return { ...empty, durationMs: Date.now() - started, error: (e as Error).message };
        }
      }),
    ),
  );
}

/** The last component of a remote path (`/var/log/` → `log`). */
function baseOf(remote: string): string {
  const parts = remote.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? 'root';
}
