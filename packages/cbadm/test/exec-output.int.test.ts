/**
 * End to end: `mcis exec` with output far larger than memory should hold. The built cbadm runs
 * against a Cloud-Twin; its peak resident memory (VmHWM) is read from /proc while it runs.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CBADM, Cli, manifestYaml } from './harness.js';

const cli = new Cli();
const MB = 1_000_000;
const MiB = 1024 * 1024;
/** `bytes` of x in lines of 100 (fold leaves the last line without a newline). */
const lines = (bytes: number) => `head -c ${bytes} /dev/zero | tr '\\0' x | fold -w 100`;

interface Measured {
  code: number | null;
  /** Peak resident set size of the cbadm process, bytes. */
  peakRss: number;
  stdoutBytes: number;
  /** Lines per VM prefix, and lines that were not `VM | x…x` (mixed or cut lines). */
  perVm: Map<string, number>;
  bad: string[];
  stderr: string;
  /** All of stdout, only when asked (it is small then). */
  stdout: string;
}

function peakRss(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined; // exited
  }
}

/** Runs cbadm, checking stdout line by line as it streams past (never holding it unless `keep`). */
function measured(args: string[], keep = false): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CBADM, ...args], { env: cli.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const r: Measured = { code: null, peakRss: 0, stdoutBytes: 0, perVm: new Map(), bad: [], stderr: '', stdout: '' };
    const sample = () => (r.peakRss = Math.max(r.peakRss, peakRss(child.pid!) ?? 0));
    const timer = setInterval(sample, 25);
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      r.stdoutBytes += Buffer.byteLength(d);
      if (keep) r.stdout += d;
      const text = partial + d;
      const cut = text.lastIndexOf('\n');
      partial = text.slice(cut + 1);
      for (const line of text.slice(0, cut).split('\n')) {
        const m = /^(big-\d) \| x{1,100}$/.exec(line);
        if (m) r.perVm.set(m[1]!, (r.perVm.get(m[1]!) ?? 0) + 1);
        else if (r.bad.length < 5) r.bad.push(line.slice(0, 200));
      }
    });
    child.stderr.on('data', (d: Buffer) => (r.stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      r.code = code;
      resolve(r);
    });
  });
}

beforeAll(async () => {
  await cli.twinUp('300ms');
  const file = join(cli.home, 'big.yaml');
  writeFileSync(file, manifestYaml('big', [{ name: 'big', connection: 'twin-aws-ap-northeast-2', count: 2 }]));
  const created = await cli.json<{ mcis: { status: string } }>(['mcis', 'create', '-f', file]);
  expect(created.mcis.status).toBe('Running:2 (R:2/2)');
}, 120_000);
afterAll(() => cli.dispose());

describe('mcis exec with large output', () => {
  it('streams 2 × 200 MB line by line, prefixed, never mixed, in far less memory than the output', async () => {
    const r = await measured(['mcis', 'exec', 'big', '--', lines(200 * MB)]);
    expect(r.peakRss).toBeGreaterThan(0);
    // 400 MB went through; holding it (as exec once did, with copies) takes more than twice that.
    expect(r.peakRss, `peak RSS ${Math.round(r.peakRss / MiB)} MiB`).toBeLessThan(200 * MiB);
    expect(r.code, r.stderr).toBe(0);
    expect(r.bad).toEqual([]);
    expect(Object.fromEntries(r.perVm)).toEqual({ 'big-1': 2 * MB, 'big-2': 2 * MB });
    expect(r.stderr).toMatch(/── big-1 \(exit 0, \d+ ms, stdout 201999999 B, stderr 0 B\)/);
    expect(r.stderr).toMatch(/── big-2 \(exit 0, \d+ ms, stdout 201999999 B, stderr 0 B\)/);
  }, 90_000);

  it('--json keeps the last --max-output of each VM with the full byte counts, in bounded memory', async () => {
    const r = await measured(['mcis', 'exec', 'big', '--json', '--max-output', '64KiB', '--', lines(200 * MB)], true);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as Array<{ vm: string; exitCode: number; stdout: string; stdoutBytes: number; stderrBytes: number; truncated: boolean }>;
    for (const x of results) {
      expect(x).toMatchObject({ exitCode: 0, stdoutBytes: 200 * MB + 2 * MB - 1, stderrBytes: 0, truncated: true });
      expect(x.stdout).toHaveLength(64 * 1024);
      expect(x.stdout.endsWith(`\n${'x'.repeat(100)}`)).toBe(true);
    }
    expect(r.peakRss).toBeGreaterThan(0);
    expect(r.peakRss, `peak RSS ${Math.round(r.peakRss / MiB)} MiB`).toBeLessThan(200 * MiB);
  }, 60_000);

  it('splits an over-long line, prefixes stderr on stderr, and keeps the exit code rules', async () => {
    const r = await cli.run(['mcis', 'exec', 'big', '--', "echo to-stderr >&2; head -c 150000 /dev/zero | tr '\\0' y; exit 4"]);
    expect(r.code).toBe(1); // every VM failed
    for (const vm of ['big-1', 'big-2']) {
      const mine = r.stdout.split('\n').filter((l) => l.startsWith(`${vm} | `)).map((l) => l.length - `${vm} | `.length);
      expect(mine).toEqual([65536, 65536, 150000 - 2 * 65536]);
      expect(r.stderr).toContain(`${vm} | to-stderr\n`);
      expect(r.stderr).toMatch(new RegExp(`── ${vm} \\(exit 4, \\d+ ms, stdout 150000 B, stderr 10 B\\)`));
    }
    expect(r.stderr).toContain('the command failed on 2 of 2 VM(s)');
  }, 30_000);

  it('a reader that goes away (`| head`) ends it at once and silently, exit 141 as SIGPIPE would', async () => {
    const child = spawn(process.execPath, [CBADM, 'mcis', 'exec', 'big', '--', 'yes'], { env: cli.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([code, stderr]).toEqual([141, '']);
    // The remote commands went with the connections: no `yes` is left on either VM.
    const yesLeft = async () => (await cli.json<Array<{ stdout: string }>>(['mcis', 'exec', 'big', '--', 'ps -eo comm= | grep -cx yes || true'])).map((r) => r.stdout.trim());
    for (let i = 0; i < 50 && (await yesLeft()).some((n) => n !== '0'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await yesLeft()).toEqual(['0', '0']);
  }, 30_000);

  it('refuses a --max-output that is not a size, naming the flag (exit 2)', async () => {
    const bad = await cli.run(['mcis', 'exec', 'big', '--max-output', 'lots', '--', 'true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-output \(CB_EXEC_MAX_OUTPUT\) must be a size/);
    const env = await cli.run(['mcis', 'exec', 'big', '--', 'true'], { env: { CB_EXEC_MAX_OUTPUT: '1TB' } });
    expect(env.code).toBe(2);
    const small = await cli.json<Array<{ stdout: string; truncated: boolean }>>(['mcis', 'exec', 'big', '--', 'echo abcdef']);
    expect(small.map((x) => [x.stdout, x.truncated])).toEqual([['abcdef\n', false], ['abcdef\n', false]]);
  }, 30_000);
});
