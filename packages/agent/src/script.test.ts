/**
 * The agent script is product code on machines we do not control: it must pass shellcheck as POSIX
 * sh (Debian's `shellcheck` package; CI installs it) and parse under dash and busybox sh.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../test-support/tools.js';
import { AGENT_SCRIPT_PATH } from './script.js';

function has(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

const shellcheck = optionalTool('shellcheck', 'apt-get install -y shellcheck') !== undefined;
// Tools the agent meets on real VMs: their checks must run in CI.
optionalTool('busybox', 'apt-get install -y busybox');
optionalTool('wget', 'apt-get install -y wget');

describe('agent script', () => {
  it.runIf(shellcheck)('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', '-S', 'style', AGENT_SCRIPT_PATH], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([['dash'], ['bash'], ['busybox']].filter(([sh]) => has(sh!)))('parses under %s', (sh) => {
    const args =
      sh === 'busybox'
        ? ['sh', '-n', AGENT_SCRIPT_PATH]
        : sh === 'bash'
          ? ['--posix', '-n', AGENT_SCRIPT_PATH]
          : ['-n', AGENT_SCRIPT_PATH];
    const r = spawnSync(sh, args, { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('agent push without curl', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) {
      spawnSync('sh', [join(d, 'home', '.cbmon', 'agent.sh'), 'uninstall'], { env: { HOME: join(d, 'home'), PATH: join(d, 'bin') } });
      rmSync(d, { recursive: true, force: true });
    }
  });

  /** A PATH with this machine's tools but no curl; `wget` is GNU wget or, with `busybox`, busybox's. */
  function machine(wget: 'gnu' | 'busybox'): { env: NodeJS.ProcessEnv; home: string } {
    const d = mkdtempSync(join(tmpdir(), 'cbmon-nocurl-'));
    dirs.push(d);
    const bin = join(d, 'bin');
    mkdirSync(bin);
    for (const dir of ['/usr/bin', '/bin']) {
      for (const t of readdirSync(dir)) {
        if (t === 'curl' || t === 'wget' || existsSync(join(bin, t))) continue;
        symlinkSync(join(dir, t), join(bin, t));
      }
    }
    const busybox = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(wget === 'gnu' ? '/usr/bin/wget' : busybox, join(bin, 'wget'));
    mkdirSync(join(d, 'home'));
    return { env: { HOME: join(d, 'home'), PATH: bin }, home: join(d, 'home') };
  }

  /** As cbmon does: install runs a copy (`agent.sh.new`), which moves itself into ~/.cbmon. */
  function install(env: NodeJS.ProcessEnv, push: string, pin?: string) {
    const copy = join(env.HOME!, 'agent.sh.new');
    copyFileSync(AGENT_SCRIPT_PATH, copy);
    return spawnSync(
      'sh',
      [copy, 'install', 'ns=default', 'mcis=m', 'vm=v', 'csp=aws', 'region=r', 'subgroup=s', 'interval=1', 'ring=60', `push=${push}`, ...(pin ? [`pin=${pin}`] : [])],
      { env: { ...env, CBMON_PUSH_TOKEN: 'tok-123' }, encoding: 'utf8' },
    );
  }

  it.runIf(has('wget') && has('busybox'))('refuses a pinned TLS push and busybox wget (token would be on its command line)', () => {
    const pin = `sha256//${Buffer.alloc(32, 1).toString('base64')}`;
    const gnu = install(machine('gnu').env, 'https://127.0.0.1:9/write', pin);
    expect(gnu.status).toBe(12);
    expect(gnu.stderr).toMatch(/pinned key needs curl/);
    const bb = install(machine('busybox').env, 'http://127.0.0.1:9/write');
    expect(bb.status).toBe(12);
    expect(bb.stderr).toMatch(/needs curl \(or GNU wget, for plain http\)/);
  });

  it.runIf(has('wget'))('pushes with GNU wget, the token read from a 0600 config file', async () => {
    const auths: string[] = [];
    const server = createServer((req, res) => {
      auths.push(req.headers.authorization ?? '');
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { env, home } = machine('gnu');
      const r = install(env, `http://127.0.0.1:${(server.address() as { port: number }).port}/write`);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const deadline = Date.now() + 20_000;
      while (auths.length === 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
      expect(auths[0]).toBe('Token tok-123');
      expect((statSync(join(home, '.cbmon', 'push.wgetrc')).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
