import { execFile, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSshKeyPair } from './keys.js';
import { KnownHosts, knownHostsName } from './known-hosts.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cb-kh-'));
  path = join(dir, 'cb', 'known_hosts');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function hostKey(): { keyType: string; keyBase64: string } {
  const [keyType = '', keyBase64 = ''] = generateSshKeyPair('h').publicKey.split(' ');
  return { keyType, keyBase64 };
}

describe('KnownHosts', () => {
  it('uses OpenSSH host names: [host]:port, plain host on 22', () => {
    expect(knownHostsName('127.1.2.3', 2222)).toBe('[127.1.2.3]:2222');
    expect(knownHostsName('203.0.113.7', 22)).toBe('203.0.113.7');
  });

  it('pins on first use, then matches, and flags a different key', () => {
    const kh = new KnownHosts(path);
    const a = hostKey();
    const b = hostKey();
    expect(kh.check('127.1.2.3', 2222, a.keyType, a.keyBase64)).toBe('new');
    kh.pin('127.1.2.3', 2222, a.keyType, a.keyBase64);
    kh.pin('127.1.2.3', 2222, a.keyType, a.keyBase64); // idempotent
    kh.pin('10.0.0.5', 22, b.keyType, b.keyBase64);
    expect(readFileSync(path, 'utf8')).toBe(
      `[127.1.2.3]:2222 ${a.keyType} ${a.keyBase64}\n10.0.0.5 ${b.keyType} ${b.keyBase64}\n`,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'cb')).mode & 0o777).toBe(0o700);
    expect(kh.check('127.1.2.3', 2222, a.keyType, a.keyBase64)).toBe('match');
    expect(kh.check('127.1.2.3', 2222, b.keyType, b.keyBase64)).toBe('mismatch');
    expect(kh.check('127.1.2.3', 2223, b.keyType, b.keyBase64)).toBe('new');
    expect(kh.check('10.0.0.5', 22, b.keyType, b.keyBase64)).toBe('match');
    expect(kh.lookup('127.1.2.3', 2222)).toEqual([a]);
  });

  it('reads what ssh-keygen writes: hashed names, host lists, comments, @revoked', () => {
    const a = hostKey();
    const b = hostKey();
    const c = hostKey();
    const salt = Buffer.from('0123456789abcdef0123');
    const hash = createHmac('sha1', salt).update('[127.9.9.9]:2200').digest('base64');
    writeFileSync(
      path.replace('/cb/', '/'),
      [
        '# comment',
        `|1|${salt.toString('base64')}|${hash} ${a.keyType} ${a.keyBase64}`,
        `alpha,127.8.8.8 ${b.keyType} ${b.keyBase64}`,
        `@revoked [127.7.7.7]:2222 ${c.keyType} ${c.keyBase64}`,
        `@cert-authority * ${b.keyType} ${b.keyBase64}`,
        '',
      ].join('\n'),
    );
    const kh = new KnownHosts(path.replace('/cb/', '/'));
    expect(kh.check('127.9.9.9', 2200, a.keyType, a.keyBase64)).toBe('match');
    expect(kh.check('127.9.9.9', 2200, b.keyType, b.keyBase64)).toBe('mismatch');
    expect(kh.check('127.8.8.8', 22, b.keyType, b.keyBase64)).toBe('match');
    expect(kh.check('127.7.7.7', 2222, c.keyType, c.keyBase64)).toBe('mismatch');
    expect(kh.check('127.6.6.6', 22, b.keyType, b.keyBase64)).toBe('new');
  });

  it('never glues a pin onto a last line without newline', () => {
    const a = hostKey();
    const b = hostKey();
    writeFileSync(path.replace('/cb/', '/'), `127.0.0.9 ${a.keyType} ${a.keyBase64}`);
    const kh = new KnownHosts(path.replace('/cb/', '/'));
    kh.pin('127.0.0.10', 22, b.keyType, b.keyBase64);
    expect(kh.check('127.0.0.9', 22, a.keyType, a.keyBase64)).toBe('match');
    expect(kh.check('127.0.0.10', 22, b.keyType, b.keyBase64)).toBe('match');
  });

  it('forgets one host and keeps everything else; ssh-keygen -F agrees', () => {
    const kh = new KnownHosts(path);
    expect(kh.forget('127.1.1.1', 2222)).toBe(0); // no file yet
    const a = hostKey();
    const b = hostKey();
    kh.pin('127.1.1.1', 2222, a.keyType, a.keyBase64);
    kh.pin('127.1.1.2', 2222, b.keyType, b.keyBase64);
    kh.pin('127.1.1.1', 22, b.keyType, b.keyBase64);
    expect(kh.forget('127.1.1.1', 2222)).toBe(1);
    expect(kh.check('127.1.1.1', 2222, a.keyType, a.keyBase64)).toBe('new');
    expect(kh.check('127.1.1.2', 2222, b.keyType, b.keyBase64)).toBe('match');
    expect(kh.check('127.1.1.1', 22, b.keyType, b.keyBase64)).toBe('match');
    const found = execFileSync('/usr/bin/ssh-keygen', ['-F', '[127.1.1.2]:2222', '-f', path], {
      encoding: 'utf8',
    });
    expect(found).toContain(b.keyBase64);
    expect(() => execFileSync('/usr/bin/ssh-keygen', ['-F', '[127.1.1.1]:2222', '-f', path])).toThrow();
  });

  it('keeps every line when several processes pin at once', async () => {
    // Bundle the module so plain node processes can load it.
    const bundle = join(dir, 'kh.mjs');
    buildSync({
      entryPoints: [fileURLToPath(new URL('./known-hosts.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    const key = hostKey();
    const worker = (n: number) => `
      import { KnownHosts } from ${JSON.stringify(bundle)};
      const kh = new KnownHosts(${JSON.stringify(path)});
      for (let i = 0; i < 100; i++) kh.pin('127.50.${n}.' + (i + 1), 2222, ${JSON.stringify(key.keyType)}, ${JSON.stringify(key.keyBase64)});
    `;
    await Promise.all(
      [1, 2, 3, 4].map(
        (n) =>
          new Promise<void>((ok, fail) =>
            execFile(process.execPath, ['--input-type=module', '-e', worker(n)], (err) =>
              (err ? fail(new Error(err.message, { cause: err })) : ok()),
            ),
          ),
      ),
    );
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(400);
    for (const line of lines) expect(line).toMatch(/^\[127\.50\.\d\.\d+\]:2222 ssh-ed25519 AAAA\S+$/);
  });
});
