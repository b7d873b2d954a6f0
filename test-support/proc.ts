/** Child processes as tests run them: everything they print, and how they ended. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Everything `child` prints, once it has ended. 'close' waits for its pipes too; 'exit' does not,
 * for a command that leaves a daemon holding them (`cbadm twin up`).
 */
export function collect(child: ChildProcess, until: 'close' | 'exit' = 'close'): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on(until, (code: number | null) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `file` with `input` on its stdin (none: stdin is closed at once). */
export function run(
  file: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; until?: 'close' | 'exit' } = {},
): Promise<RunResult> {
  const spawnOpts: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) };
  const child = spawn(file, args, spawnOpts);
  const done = collect(child, opts.until);
  // A child may exit before it reads its input (ssh refused): its exit code tells, not an EPIPE.
  child.stdin?.on('error', () => {});
  if (opts.input === undefined) child.stdin?.end();
  else child.stdin?.end(opts.input);
  return done;
}

/** The error `p` rejects with; a test fails when it resolves. */
export async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Whether `pid` runs; a zombie its parent has not reaped yet counts as dead (Linux /proc). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}
