/**
 * End-to-end harness: runs the built `cbadm` as a child process with its own CB_HOME against a
 * Cloud-Twin on loopback, as a user would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from '../../../test-support/proc.js';

export const CBADM = fileURLToPath(new URL('../bin/run.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export type { RunResult };

/** What `twin up --json` says the twin serves. */
export interface TwinServes {
  adminUrl: string;
  caFile: string;
  endpoints: Record<string, string>;
}

/** After this long a command is reported as slow (it goes on running). */
const SLOW_MS = 45_000;

function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') || '(empty: the twin logged nothing)';
  } catch {
    return '(no log)';
  }
}

export class Cli {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  /** The twin's state dir under this CB_HOME (`cbadm twin up` puts it there). */
  get twinDir(): string {
    return join(this.home, 'twin');
  }

  /** The port of every twin VM's SSH server: a free one unless the test names one. */
  readonly sshPort: number;

  constructor(opts: { sshPort?: number; env?: NodeJS.ProcessEnv } = {}) {
    this.home = mkdtempSync(join(tmpdir(), 'cb-e2e-'));
    this.sshPort = opts.sshPort ?? freePortSync();
    // A twin that answers at once: waits poll it often and its VMs stop quickly (a test that
    // watches a stop sets its own delay); both are settings a user has too.
    this.env = { ...process.env, CB_HOME: this.home, CB_TWIN_SSH_PORT: String(this.sshPort), CB_POLL_MS: '100', CB_TWIN_STOP_DELAY: '100ms', CB_OUTPUT: '', CB_NS: '', ...opts.env };
    delete this.env.CB_OUTPUT;
    delete this.env.CB_NS;
  }

  async run(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    // A command that hangs is otherwise seen only as a test's timeout: say which, with the twin's
    // latest log lines, while it still runs.
    const slow = setTimeout(() => process.stderr.write(`cbadm ${args.join(' ')} still runs after ${SLOW_MS / 1000} s; the twin's log ends:\n${logTail(join(this.twinDir, 'twin.out'))}\n`), SLOW_MS);
    try {
      // Until 'exit', not 'close': `twin up` leaves the twin holding our pipes.
      return await run(process.execPath, [CBADM, ...args], { env: { ...this.env, ...opts.env }, input: opts.input ?? '', until: 'exit' });
    } finally {
      clearTimeout(slow);
    }
  }

  /** Cloud-Twin up with VMs that boot in `bootDelay`, and its connections added: most files start so. */
  async twinUp(bootDelay: string): Promise<void> {
    await this.json(['twin', 'up', '--boot-delay', bootDelay]);
    await this.json(['twin', 'connect']);
  }

  /** `twin up` with VMs that boot in `bootDelay` (and any other flags): what it serves, checked running. */
  async twinStart(bootDelay: string, more: string[] = []): Promise<TwinServes> {
    const up = await this.json<TwinServes & { running: boolean }>(['twin', 'up', '--boot-delay', bootDelay, ...more]);
    if (!up.running) throw new Error(`twin up --json says the twin is not running: ${JSON.stringify(up)}`);
    return up;
  }

  /** Runs and parses --json output; throws with stderr when the exit code is not the expected one. */
  async json<T>(args: string[], expectCode = 0): Promise<T> {
    // Flags must stay before `--`, which starts a remote command.
    const dash = args.indexOf('--');
    const r = await this.run(dash < 0 ? [...args, '--json'] : [...args.slice(0, dash), '--json', ...args.slice(dash)]);
    if (r.code !== expectCode) throw new Error(`cbadm ${args.join(' ')} exited ${r.code} (wanted ${expectCode})\n${r.stderr}\n${r.stdout}`);
    return JSON.parse(r.stdout) as T;
  }

  spawnRaw(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn(process.execPath, [CBADM, ...args], { env: { ...this.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async dispose(): Promise<void> {
    spawnSync(process.execPath, [CBADM, 'twin', 'down', '--yes'], { env: this.env });
    rmSync(this.home, { recursive: true, force: true });
  }
}

export function manifestYaml(name: string, subgroups: Array<{ name: string; connection: string; count: number; spec?: string; image?: string }>, policy = ''): string {
  return [
    'apiVersion: cloud-barista.io/v1alpha1',
    'kind: MCIS',
    `metadata: { name: ${name} }`,
    'spec:',
    '  subgroups:',
    ...subgroups.map((s) => `    - { name: ${s.name}, connection: ${s.connection}, count: ${s.count}, spec: ${s.spec ?? 't3.micro'}, image: ${s.image ?? 'ubuntu-22.04'} }`),
    ...(policy ? [`  policy: ${policy}`] : []),
    '',
  ].join('\n');
}

/** Quotes a word for sh. */
export const shq = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `cbadm ARGS` inside a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are the
 * terminal unless `redirect` (shell text such as `> out.txt`) sends some elsewhere. Each `answers`
 * entry is typed once its pattern shows on the screen. Returns the exit code and the screen text.
 */
export function runInPty(
  cli: Cli,
  args: string[],
  opts: { redirect?: string; answers?: Array<[RegExp, string]>; env?: NodeJS.ProcessEnv; columns?: number; timeoutMs?: number } = {},
): Promise<{ code: number | null; screen: string }> {
  const cmd = `stty cols ${opts.columns ?? 120} rows 40; exec ${shq(process.execPath)} ${shq(CBADM)} ${args.map(shq).join(' ')} ${opts.redirect ?? ''}`;
  // A person at a terminal, not a CI job: CI=true (set by .ci/run) would turn live progress and colour off.
  const env: NodeJS.ProcessEnv = { ...cli.env, TERM: 'xterm-256color', ...opts.env };
  delete env.CI;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    const pending = [...(opts.answers ?? [])];
    let seen = 0;
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      const next = pending[0];
      if (next && next[0].test(screen.slice(seen))) {
        pending.shift();
        seen = screen.length;
        child.stdin.write(next[1]);
      }
    });
    child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
    // An answer whose question never shows would wait forever: end it, and the screen says where it stopped.
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

/**
 * A loopback port nothing listens on, as test-support/net.ts freePort finds it, but from a child so
 * the constructor stays synchronous: two runs on one host, or two files at once, never share VM SSH ports.
 */
function freePortSync(): number {
  const script = "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });";
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  const port = Number(r.stdout);
  if (r.status !== 0 || !Number.isInteger(port) || port <= 0) throw new Error(`no free port: ${r.stderr}`);
  return port;
}
