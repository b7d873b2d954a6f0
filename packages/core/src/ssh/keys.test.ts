import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, OperationError } from '../errors.js';
import {
  parseSshKey,
  fingerprintSha256,
  generateSshKeyPair,
  keyTypeOfBlob,
  readPrivateKey,
  writeKeyPair,
} from './keys.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cb-keys-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;

describe('generateSshKeyPair', () => {
  it('makes an ed25519 pair in OpenSSH formats', () => {
    const pair = generateSshKeyPair('cb-twin-aws-ap-northeast-2');
    expect(pair.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ cb-twin-aws-ap-northeast-2$/);
  });
});

describe('writeKeyPair', () => {
  it('writes 0600 private, 0644 public, in a 0700 directory, readable by ssh-keygen', () => {
    const keys = join(dir, 'home', 'keys');
    const pair = generateSshKeyPair('c1');
    const written = writeKeyPair(keys, 'conn1', pair);
    expect(written).toMatchObject({
      privateKeyPath: join(keys, 'conn1'),
      publicKeyPath: join(keys, 'conn1.pub'),
      created: true,
    });
    expect(mode(keys)).toBe(0o700);
    expect(mode(written.privateKeyPath)).toBe(0o600);
    expect(mode(written.publicKeyPath)).toBe(0o644);
    expect(readFileSync(written.publicKeyPath, 'utf8')).toBe(`${pair.publicKey}\n`);
    const derived = execFileSync('/usr/bin/ssh-keygen', ['-y', '-f', written.privateKeyPath], {
      encoding: 'utf8',
    });
    expect(derived.split(' ').slice(0, 2)).toEqual(pair.publicKey.split(' ').slice(0, 2));
  });

  it('never overwrites an existing private key and repairs a missing .pub from it', () => {
    const first = generateSshKeyPair('first');
    writeKeyPair(dir, 'k', first);
    rmSync(join(dir, 'k.pub'));
    const second = writeKeyPair(dir, 'k', generateSshKeyPair('second'));
    expect(second.created).toBe(false);
    expect(readFileSync(join(dir, 'k'), 'utf8')).toBe(first.privateKey);
    expect(second.publicKey).toBe(first.publicKey);
    expect(readFileSync(join(dir, 'k.pub'), 'utf8')).toBe(`${first.publicKey}\n`);
  });

  it('rejects names that would escape the directory', () => {
    expect(() => writeKeyPair(dir, '../x', generateSshKeyPair('x'))).toThrow(/not a plain file name/);
  });
});

describe('readPrivateKey', () => {
  it('reads a key, and says clearly when it is missing, not a key, or encrypted', () => {
    const { privateKeyPath } = writeKeyPair(dir, 'ok', generateSshKeyPair('ok'));
    expect(readPrivateKey(privateKeyPath)).toContain('OPENSSH PRIVATE KEY');

    expect(() => readPrivateKey(join(dir, 'missing'))).toThrow(NotFoundError);

    const junk = join(dir, 'junk');
    writeFileSync(junk, 'not a key');
    expect(() => readPrivateKey(junk)).toThrow(OperationError);

    const pub = join(dir, 'ok.pub');
    expect(() => readPrivateKey(pub)).toThrow(/not a private key/);

    const enc = join(dir, 'enc');
    execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', enc]);
    let err: unknown;
    try {
      readPrivateKey(enc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OperationError);
    expect((err as OperationError).message).toMatch(/encrypted/);
    expect((err as OperationError).message).not.toContain('PRIVATE KEY');
  });
});

describe('fingerprintSha256', () => {
  it('matches ssh-keygen -lf', () => {
    const { publicKeyPath, publicKey } = writeKeyPair(dir, 'fp', generateSshKeyPair('fp'));
    const out = execFileSync('/usr/bin/ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath], {
      encoding: 'utf8',
    });
    const expected = out.split(' ')[1];
    expect(fingerprintSha256(publicKey)).toBe(expected);
    const b64 = publicKey.split(' ')[1] ?? '';
    expect(fingerprintSha256(b64)).toBe(expected);
    const blob = Buffer.from(b64, 'base64');
    expect(fingerprintSha256(blob)).toBe(expected);
    expect(keyTypeOfBlob(blob)).toBe('ssh-ed25519');
  });
});

describe('generateSshKeyPair over many keys', () => {
  it('always encodes a 32-byte ed25519 public key (ssh2 drops leading zero bytes) and a parseable private key', () => {
    for (let i = 0; i < 600; i++) {
      const pair = generateSshKeyPair(`k${i}`);
      const blob = Buffer.from(pair.publicKey.split(' ')[1]!, 'base64');
      expect(blob.readUInt32BE(15)).toBe(32); // after string "ssh-ed25519" (4 + 11 bytes)
      expect(blob.length).toBe(51);
      if (i % 100 === 0) expect(parseSshKey(pair.privateKey)?.getPublicSSH().equals(blob)).toBe(true);
    }
  });
});
