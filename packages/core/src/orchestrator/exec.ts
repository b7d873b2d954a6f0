/**
 * `mcis exec`: one command on many VMs at once. Output passes through bounded memory whatever its
 * size: each VM's lines reach the caller as they arrive, and the result keeps only the last
 * `maxOutputBytes` of each stream, with the byte counts of all of it.
 */
import type { Vm } from '../model.js';
import { CappedBuffer } from '../util/capped-buffer.js';
import { Semaphore } from '../util/limit.js';
import { LineSplitter } from '../util/line-splitter.js';
import type { Selector } from './actions.js';
import type { ExecResult, OrchestratorDeps, RunOptions } from './deps.js';
import { execTargetOf, transportsOf } from './transport.js';

/** What a result keeps of each VM's stdout and of its stderr unless told otherwise. */
export const DEFAULT_EXEC_MAX_OUTPUT_BYTES = 1024 * 1024;

export interface ExecLine {
  vm: string;
  stream: 'stdout' | 'stderr';
  /** One line without its `\n`, or a piece of one longer than maxLineBytes; valid only during the call. */
  data: Buffer;
}

export interface ExecOptions extends RunOptions {
  ns: string;
  name: string;
  command: string;
  selector: Selector;
  /** Per VM, connect included. */
  timeoutMs?: number;
  /** VMs running the command at once. Default 64. */
  concurrency?: number;
  /** Kept per VM of stdout and of stderr in the result: the last bytes. Default 1 MiB; 0 keeps none. */
  maxOutputBytes?: number;
  /**
   * Gets each VM's lines as they arrive. Lines of different VMs interleave but never mix; a returned
   * promise holds that VM's output back until it settles.
   */
  onLine?: (line: ExecLine) => void | Promise<void>;
  /** Longer lines reach onLine in pieces of this size. Default 64 KiB. */
  maxLineBytes?: number;
}

export interface ExecVmResult extends ExecResult {
  vm: string;
  error?: string;
  /** Bytes the command wrote to stdout and to stderr; `stdout` and `stderr` hold at most the last maxOutputBytes. */
  stdoutBytes: number;
  stderrBytes: number;
  /** True when `stdout` or `stderr` holds less than the command wrote. */
  truncated: boolean;
}

/** One VM's stream: the capped copy for the result, and lines for the caller. */
class Capture {
  readonly kept: CappedBuffer;
  private readonly lines: LineSplitter | undefined;
  private held: Promise<void>[] = [];

  constructor(vm: string, stream: ExecLine['stream'], o: ExecOptions) {
    this.kept = new CappedBuffer(o.maxOutputBytes ?? DEFAULT_EXEC_MAX_OUTPUT_BYTES);
    const onLine = o.onLine;
    this.lines = onLine
      ? new LineSplitter((data) => {
          const held = onLine({ vm, stream, data });
          if (held) this.held.push(held);
        }, o.maxLineBytes)
      : undefined;
  }

  push(chunk: Buffer): void | Promise<void> {
    this.kept.push(chunk);
    this.lines?.push(chunk);
    return this.release();
  }

  async end(): Promise<void> {
    this.lines?.end();
    await this.release();
  }

  private release(): Promise<void> | undefined {
    if (!this.held.length) return undefined;
    const all = Promise.all(this.held);
    this.held = [];
    return all.then(() => undefined);
  }
}

export async function runExec(deps: OrchestratorDeps, vms: Vm[], o: ExecOptions): Promise<ExecVmResult[]> {
  const sem = new Semaphore(o.concurrency ?? 64);
  const transports = transportsOf(deps);
  return Promise.all(
    vms.map((vm) =>
      sem.run(async (): Promise<ExecVmResult> => {
        if (vm.status !== 'Running' || !transports.reachable(vm)) {
          return { vm: vm.name, exitCode: null, stdout: '', stderr: '', durationMs: 0, stdoutBytes: 0, stderrBytes: 0, truncated: false, error: `VM is ${vm.status}; exec needs Running` };
        }
        const started = Date.now();
        const out = new Capture(vm.name, 'stdout', o);
        const err = new Capture(vm.name, 'stderr', o);
        let status: Pick<ExecVmResult, 'exitCode' | 'signal' | 'error'>;
        try {
          const r = await transports.exec(execTargetOf(deps, vm), o.command, {
            ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
            ...(o.signal ? { signal: o.signal } : {}),
            onStdout: (d) => out.push(d),
            onStderr: (d) => err.push(d),
          });
          status = { exitCode: r.exitCode, ...(r.signal ? { signal: r.signal } : {}) };
        } catch (e) {
          status = { exitCode: null, error: (e as Error).message };
        }
        // A last line without `\n` still reaches the caller, after a timeout too.
        await Promise.all([out.end(), err.end()]);
        return {
          vm: vm.name,
          ...status,
          stdout: out.kept.text(),
          stderr: err.kept.text(),
          durationMs: Date.now() - started,
          stdoutBytes: out.kept.totalBytes,
          stderrBytes: err.kept.totalBytes,
          truncated: out.kept.truncated || err.kept.truncated,
        };
      }),
    ),
  );
}
