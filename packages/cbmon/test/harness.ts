/**
 * End-to-end harness: the built `cbadm` (to run Cloud-Twin and make the MCIS) and the built `cbmon`,
 * as child processes with their own CB_HOME, as a user would run them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, type RunResult } from '../../../test-support/proc.js';

export const CBMON = fileURLToPath(new URL('../bin/run.js', import.meta.url));
export const CBADM = fileURLToPath(new URL('../../cbadm/bin/run.js', import.meta.url));

export type { RunResult };

/** A command line written as one string: `words('query mon --since 2m')`. */
export const words = (line: string): string[] => line.split(' ');

export class Cli {
  readonly home = mkdtempSync(join(tmpdir(), 'cbmon-e2e-'));
  readonly env: NodeJS.ProcessEnv;
  private readonly children = new Set<ChildProcess>();

  constructor(readonly sshPort: number) {
    this.env = { ...process.env, CB_HOME: this.home, CB_TWIN_SSH_PORT: String(sshPort) };
    for (const k of ['CB_OUTPUT', 'CB_NS', 'CBMON_INTERVAL', 'CBMON_PUSH', 'CBMON_LISTEN'])
      delete this.env[k];
  }

  private exec(bin: string, args: string[]): Promise<RunResult> {
    return collect(spawn(process.execPath, [bin, ...args], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  cbmon(args: string[]): Promise<RunResult> {
    return this.exec(CBMON, args);
  }

  cbadm(args: string[]): Promise<RunResult> {
    return this.exec(CBADM, args);
  }

  /** Runs with --json; throws with the output when the exit code is not the expected one. */
  async json<T>(tool: 'cbmon' | 'cbadm', args: string[], expectCode = 0): Promise<T> {
    const r = await this.exec(tool === 'cbmon' ? CBMON : CBADM, [...args, '--json']);
    if (r.code !== expectCode)
      throw new Error(
        `${tool} ${args.join(' ')} exited ${r.code} (wanted ${expectCode})\n${r.stderr}\n${r.stdout}`,
      );
    return JSON.parse(r.stdout) as T;
  }

  /** A long-running cbmon (stream, export prometheus…); killed at dispose if still running. */
  spawnCbmon(args: string[]): ChildProcess {
    const child = spawn(process.execPath, [CBMON, ...args], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  manifest(
    name: string,
    subgroups: Array<{ name: string; region: string; count: number; image?: string }>,
  ): string {
    const file = join(this.home, `${name}.yaml`);
    writeFileSync(
      file,
      [
        'apiVersion: cloud-barista.io/v1alpha1',
        'kind: MCIS',
        `metadata: { name: ${name} }`,
        'spec:',
        '  subgroups:',
        ...subgroups.map(
          (s) =>
            `    - { name: ${s.name}, connection: twin-aws-${s.region}, count: ${s.count}, spec: t3.micro, image: ${s.image ?? 'ubuntu-22.04'} }`,
        ),
        '',
      ].join('\n'),
    );
    return file;
  }

  async dispose(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    spawnSync(process.execPath, [CBMON, 'collector', 'stop'], { env: this.env });
    spawnSync(process.execPath, [CBADM, 'twin', 'down', '--yes'], { env: this.env });
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Reads a child's stdout line by line until `done` says enough (or the child exits). */
export function readLines(
  child: ChildProcess,
  done: (lines: string[]) => boolean,
  maxMs = 20_000,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let carry = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${maxMs} ms; got:\n${lines.join('\n')}`)),
      maxMs,
    );
    const finish = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(lines);
    };
    const onData = (d: Buffer) => {
      const parts = (carry + d.toString()).split('\n');
      carry = parts.pop() ?? '';
      lines.push(...parts);
      if (done(lines)) finish();
    };
    child.stdout?.on('data', onData);
    child.once('exit', finish);
  });
}
