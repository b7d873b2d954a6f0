import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
// Tests only: core's product code never imports twin.
import { generateHostKey } from '../../../twin/src/ssh/vm-ssh-server.js';
import { HostKeyMismatchError, NotFoundError, OperationError } from '../errors.js';
import { SshCommandTimeoutError, type SshTarget } from './executor.js';
import { fingerprintSha256, generateSshKeyPair } from './keys.js';
import { KnownHosts } from './known-hosts.js';
import { formatCommandLine, opensshArgs } from './openssh.js';
import { freePort } from '../../../../test-support/net.js';
import { SshBed } from '../../test/ssh-bed.js';
import { needsRoot } from '../../../../test-support/tools.js';
import { caught, run, running as alive } from '../../../../test-support/proc.js';

const bed = new SshBed('cb-ssh-exec-', 78);
const startVm = (opts?: Parameters<SshBed['startVm']>[0]) => bed.startVm(opts);
const executor = (knownHostsPath?: string) => bed.executor(knownHostsPath ? { knownHostsPath } : {});
const randomAddress = () => bed.randomAddress();

describe('SshExecutor.exec', () => {
  it('returns stdout, stderr, exit code and duration', async () => {
    const vm = await startVm();
    const r = await executor().exec(vm.target, 'echo "out $CB_VM"; echo err >&2; pwd; exit 7');
    expect(r.exitCode).toBe(7);
    expect(r.signal).toBeUndefined();
    expect(r.stdout).toBe(`out ${vm.name}\n${vm.home}\n`);
    expect(r.stderr).toBe('err\n');
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('feeds stdin from a string or a stream, and EOF without one', async () => {
    const vm = await startVm();
    const ex = executor();
    expect((await ex.exec(vm.target, 'tr a-z A-Z', { stdin: 'hello\n' })).stdout).toBe('HELLO\n');
    expect(
      (await ex.exec(vm.target, 'wc -l', { stdin: Readable.from(['a\n', 'b\n', 'c\n']) })).stdout.trim(),
    ).toBe('3');
    expect((await ex.exec(vm.target, 'cat; echo done')).stdout).toBe('done\n');
  });

  it('reports a signal death', async () => {
    const vm = await startVm();
    const r = await executor().exec(vm.target, 'kill -KILL $$');
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  });

  it('times out, keeps the output so far, and stops the remote command', async () => {
    const vm = await startVm();
    const ex = executor();
    const err = await caught(
      ex.exec(vm.target, 'echo $$ > pid; echo started; exec sleep 30', { timeoutMs: 1_000 }),
    );
    expect(err).toBeInstanceOf(SshCommandTimeoutError);
    const t = err as SshCommandTimeoutError;
    expect(t.message).toContain(vm.name);
    expect(t.stdout).toBe('started\n');
    const pid = Number(readFileSync(join(vm.home, 'pid'), 'utf8'));
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  });

  it('stops on abort with the signal reason', async () => {
    const vm = await startVm();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user pressed ^C')), 300);
    const err = await caught(executor().exec(vm.target, 'sleep 30', { signal: ac.signal }));
    expect((err as Error).message).toBe('user pressed ^C');
  });

  it('runs on 20 VMs in parallel and pins 20 host keys', async () => {
    const vms = await Promise.all(Array.from({ length: 20 }, () => startVm()));
    const knownHostsPath = join(bed.dir, 'kh-parallel');
    const ex = executor(knownHostsPath);
    const started = Date.now();
    const results = await Promise.all(vms.map((vm) => ex.exec(vm.target, 'sleep 1; echo $CB_VM')));
    // Serial would take 20 s; parallel about 1 s plus handshakes.
    expect(Date.now() - started).toBeLessThan(10_000);
    results.forEach((r, i) => {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(`${vms[i]?.name}\n`);
    });
    const lines = readFileSync(knownHostsPath, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(20);
    for (const vm of vms)
      expect(lines).toContain(`[${vm.target.host}]:${vm.target.port} ${vm.server.hostPublicKey}`);
  });
});

describe('SshExecutor.exec with an output sink', () => {
  it('hands the output on as it arrives and keeps none of it', async () => {
    const vm = await startVm();
    const got = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const r = await executor().exec(vm.target, 'echo out; echo err >&2; head -c 300000 /dev/zero', {
      output: { stdout: (d) => void got.stdout.push(Buffer.from(d)), stderr: (d) => void got.stderr.push(Buffer.from(d)) },
    });
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(Buffer.concat(got.stdout).length).toBe(4 + 300_000);
    expect(Buffer.concat(got.stderr).toString()).toBe('err\n');
  });

  it('a held sink stops the remote command instead of filling memory, and it resumes on release', async () => {
    const vm = await startVm();
    let received = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const marker = join(vm.home, 'finished');
    const running = executor().exec(vm.target, 'head -c 50000000 /dev/zero; touch finished', {
      output: {
        stdout: (d) => {
          received += d.length;
          return gate;
        },
        stderr: () => {},
      },
    });
    // Unheld, 50 MB cross loopback in a second or two and the marker appears.
    for (let i = 0; i < 60 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker)).toBe(false);
    expect(received).toBeLessThan(1024 * 1024);
    release();
    const r = await running;
    expect(r.exitCode).toBe(0);
    expect(received).toBe(50_000_000);
    expect(existsSync(marker)).toBe(true);
  });

  it('delivers all of stderr even when it is still held back as stdout ends', async () => {
    const vm = await startVm();
    const got = { stdout: 0, stderr: 0 };
    const later = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
    const r = await executor().exec(vm.target, 'head -c 3000000 /dev/zero >&2; head -c 1000 /dev/zero', {
      output: {
        stdout: (d) => void (got.stdout += d.length),
        stderr: (d) => ((got.stderr += d.length), later()),
      },
    });
    expect([r.exitCode, got.stdout, got.stderr]).toEqual([0, 1000, 3_000_000]);
  });

  it('a sink that fails ends the command with its error', async () => {
    const vm = await startVm();
    const err = await caught(
      executor().exec(vm.target, 'echo $$ > pid; exec yes', {
        output: { stdout: () => Promise.reject(new Error('reader went away')), stderr: () => {} },
      }),
    );
    expect((err as Error).message).toBe('reader went away');
    const pid = Number(readFileSync(join(vm.home, 'pid'), 'utf8'));
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  });
});

describe('host keys', () => {
  it('pins on first use and refuses a changed host key, leaving known_hosts unchanged', async () => {
    const first = await startVm();
    const knownHostsPath = join(bed.dir, 'kh-mismatch');
    const ex = executor(knownHostsPath);
    await ex.exec(first.target, 'true');
    const before = readFileSync(knownHostsPath, 'utf8');
    expect(before).toBe(`[${first.target.host}]:${first.target.port} ${first.server.hostPublicKey}\n`);

    // The "VM" is rebuilt on the same address with a new host key.
    await first.server.close();
    const impostor = await startVm({ host: first.target.host, port: first.target.port });
    const err = await caught(ex.exec(impostor.target, 'echo should-not-run > ran'));
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    const e = err as HostKeyMismatchError;
    expect(e.exitCode).toBe(5);
    expect(e.message).toContain(`[${first.target.host}]:${first.target.port}`);
    expect(e.message).toContain(fingerprintSha256(first.server.hostPublicKey));
    expect(e.message).toContain(fingerprintSha256(impostor.server.hostPublicKey));
    expect(e.hint).toContain(
      `ssh-keygen -R '[${first.target.host}]:${first.target.port}' -f ${knownHostsPath}`,
    );
    expect(readFileSync(knownHostsPath, 'utf8')).toBe(before);
    expect(existsSync(join(impostor.home, 'ran'))).toBe(false);

    // Probe does not retry a mismatch: it fails at once.
    const t0 = Date.now();
    expect(await caught(ex.probe(impostor.target, { maxWaitMs: 10_000 }))).toBeInstanceOf(
      HostKeyMismatchError,
    );
    expect(Date.now() - t0).toBeLessThan(5_000);

    // Once the address is released and forgotten, the new key is pinned on first use.
    expect(new KnownHosts(knownHostsPath).forget(first.target.host, first.target.port)).toBe(1);
    expect((await ex.exec(impostor.target, 'echo ok')).stdout).toBe('ok\n');
  });

  it('writes a known_hosts file the OpenSSH client accepts with strict checking', async () => {
    const vm = await startVm();
    const knownHostsPath = join(bed.dir, 'kh-openssh');
    await executor(knownHostsPath).probe(vm.target, { maxWaitMs: 5_000 });
    const argv = opensshArgs(vm.target, knownHostsPath, { command: 'echo "from $CB_VM"; exit 4' });
    expect(formatCommandLine(argv)).toContain(`-o StrictHostKeyChecking=yes`);
    const [, ...args] = argv;
    const r = await run('/usr/bin/ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', ...args]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`from ${vm.name}\n`);
    expect(r.code).toBe(4);
  });

  it.runIf(needsRoot('the OpenSSH port-22 host form check'))(
    'uses the plain host form on port 22, also understood by OpenSSH',
    async () => {
      const vm = await startVm({ port: 22 });
      const knownHostsPath = join(bed.dir, 'kh-22');
      await executor(knownHostsPath).exec(vm.target, 'true');
      expect(readFileSync(knownHostsPath, 'utf8')).toBe(`${vm.target.host} ${vm.server.hostPublicKey}\n`);
      const [, ...args] = opensshArgs(vm.target, knownHostsPath, { command: 'echo ok' });
      const r = await run('/usr/bin/ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', ...args]);
      expect(r.stdout).toBe('ok\n');
      expect(r.code).toBe(0);
    },
  );
});

describe('SshExecutor.probe', () => {
  it('waits for a server that starts listening late, then pins its key', async () => {
    const host = randomAddress();
    const port = await freePort(host);
    const hostKey = generateHostKey();
    const knownHostsPath = join(bed.dir, 'kh-probe');
    const target: SshTarget = { host, port, user: 'ubuntu', privateKeyPath: bed.keyPath, label: 'late-vm' };
    const probing = executor(knownHostsPath).probe(target, { maxWaitMs: 15_000, minDelayMs: 100 });
    await new Promise((r) => setTimeout(r, 1_500));
    await startVm({ host, port, hostKey: hostKey.privateKey });
    const result = await probing;
    expect(result.attempts).toBeGreaterThan(1);
    expect(result.hostKeyFingerprint).toBe(fingerprintSha256(hostKey.publicKey));
    expect(readFileSync(knownHostsPath, 'utf8')).toBe(`[${host}]:${port} ${hostKey.publicKey}\n`);
  });

  it('gives up after maxWaitMs naming the last failure', async () => {
    const host = randomAddress();
    const port = await freePort(host);
    const target: SshTarget = { host, port, user: 'ubuntu', privateKeyPath: bed.keyPath, label: 'never-up' };
    const err = await caught(executor().probe(target, { maxWaitMs: 1_000, minDelayMs: 100 }));
    expect(err).toBeInstanceOf(OperationError);
    expect((err as OperationError).message).toMatch(
      /never-up .* did not answer within 1000 ms .*ECONNREFUSED/,
    );
    expect((err as OperationError).hint).toMatch(/security group/);
  });
});

describe('failures', () => {
  it('a wrong key is a clear OperationError naming the VM, with a hint', async () => {
    const other = generateSshKeyPair('someone-else');
    const vm = await startVm({ authorizedKeys: [other.publicKey] });
    const err = await caught(executor().exec(vm.target, 'true'));
    expect(err).toBeInstanceOf(OperationError);
    const e = err as OperationError;
    expect(e.message).toContain(
      `SSH authentication failed for ${vm.name} (ubuntu@${vm.target.host}:${vm.target.port})`,
    );
    expect(e.hint).toContain(bed.keyPath);
    expect(JSON.stringify(e.toJSON())).not.toContain('PRIVATE KEY');
  });

  it('a key file rewritten in place is used at once (keys are parsed once per file version, not once)', async () => {
    const [a, b] = [generateSshKeyPair('a'), generateSshKeyPair('b')];
    const vmA = await startVm({ authorizedKeys: [a.publicKey] });
    const vmB = await startVm({ authorizedKeys: [b.publicKey] });
    const path = join(bed.dir, 'rewritten-key');
    writeFileSync(path, a.privateKey, { mode: 0o600 });
    const ex = executor();
    expect((await ex.exec({ ...vmA.target, privateKeyPath: path }, 'true')).exitCode).toBe(0);
    // Same path, same inode, same size (ed25519): only the file's time tells the versions apart.
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(path, b.privateKey, { mode: 0o600 });
    expect((await ex.exec({ ...vmB.target, privateKeyPath: path }, 'true')).exitCode).toBe(0);
    expect(await caught(ex.exec({ ...vmA.target, privateKeyPath: path }, 'true'))).toBeInstanceOf(OperationError);
  });

  it('a missing key file is NotFoundError; nothing listening is a connect error', async () => {
    const vm = await startVm();
    const ex = executor();
    expect(await caught(ex.exec({ ...vm.target, privateKeyPath: join(bed.dir, 'nope') }, 'true'))).toBeInstanceOf(
      NotFoundError,
    );
    const host = randomAddress();
    const port = await freePort(host);
    const err = await caught(
      ex.exec({ host, port, user: 'ubuntu', privateKeyPath: bed.keyPath, label: 'gone' }, 'true'),
    );
    expect((err as OperationError).message).toBe(
      `cannot connect to gone (ubuntu@${host}:${port}): ECONNREFUSED`,
    );
  });

  it('close() ends running commands and refuses new ones', async () => {
    const vm = await startVm();
    const ex = executor();
    const running = caught(ex.exec(vm.target, 'sleep 30'));
    await new Promise((r) => setTimeout(r, 500));
    await ex.close();
    expect(await running).toBeInstanceOf(OperationError);
    await expect(ex.exec(vm.target, 'true')).rejects.toThrow(/closed/);
  });
});

describe('SshExecutor.shell', () => {
  it('runs an interactive shell on a pty and resolves to its exit code', async () => {
    const vm = await startVm();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let seen = '';
    stdout.on('data', (d: Buffer) => (seen += d.toString()));
    const session = executor().shell(vm.target, { stdin, stdout, stderr, term: 'xterm' });
    stdin.write('tty; echo "T=$TERM"; exit 9\n');
    expect(await session).toBe(9);
    expect(seen).toMatch(/\/dev\/pts\/\d+/);
    expect(seen).toContain('T=xterm');
  });
});
