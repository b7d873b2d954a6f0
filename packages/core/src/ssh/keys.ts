/**
 * Local SSH key pairs: ed25519, OpenSSH formats, private halves 0600 in 0700 directories.
 * Nothing here ever prints or logs a private key.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ParsedKey } from 'ssh2';
import { ssh2 } from './load.js';
import { NotFoundError, OperationError } from '../errors.js';
import { childPath, ensurePrivateDir } from '../home.js';


export interface SshKeyPair {
  /** OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`). Secret: never print it. */
  privateKey: string;
  /** One authorized_keys line: 'ssh-ed25519 AAAA… comment'. */
  publicKey: string;
}

/** SSH wire `string`: uint32 length, then the bytes. */
function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** DER prefixes of an Ed25519 SubjectPublicKeyInfo and PKCS#8 PrivateKeyInfo (RFC 8410); 32 key bytes follow. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function derTail(der: Buffer, prefix: Buffer): Buffer {
  if (der.length !== prefix.length + 32 || !der.subarray(0, prefix.length).equals(prefix)) {
    throw new Error('unexpected Ed25519 key encoding from node:crypto');
  }
  return der.subarray(prefix.length);
}

/**
 * A fresh ed25519 key pair in OpenSSH formats; `comment` ends the public line.
 * Encoded here from node:crypto rather than by ssh2's generator, which drops a leading zero byte
 * of the public key (1 key in 256) and so makes keys that EC2 and OpenSSH reject.
 */
export function generateSshKeyPair(comment: string): SshKeyPair {
  // DER straight from the generator, no KeyObject.export(): on Node 20 an export that triggers a GC
  // can collect the generator's job, whose destructor locks the key's mutex the export holds, and
  // the process hangs for good (seen as a test worker stuck in a futex).
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  const pub = derTail(publicKey, SPKI_ED25519_PREFIX);
  const seed = derTail(privateKey, PKCS8_ED25519_PREFIX);
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const pad = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const nkeys = Buffer.alloc(4);
  nkeys.writeUInt32BE(1);
  const file = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), nkeys, sshString(blob), sshString(secret)]);
  const b64 = file.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}`,
  };
}

function parseKeyResult(text: string | Buffer): ParsedKey | Error | undefined {
  // Typed as one key, but ssh2 may return an array for OpenSSH-format files.
  const parsed: unknown = ssh2().utils.parseKey(text);
  return (Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed) as ParsedKey | Error | undefined;
}

/** Parses one key (private or public line); undefined if it is not a key ssh2 understands. */
export function parseSshKey(text: string | Buffer): ParsedKey | undefined {
  const key = parseKeyResult(text);
  return key === undefined || key instanceof Error ? undefined : key;
}

/** The authorized_keys line of a parsed key: 'type base64 [comment]'. */
function publicLine(key: ParsedKey): string {
  const comment = key.comment ? ` ${key.comment}` : '';
  return `${key.type} ${key.getPublicSSH().toString('base64')}${comment}`;
}

export interface WrittenKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  /** The public line now in `publicKeyPath`. */
  publicKey: string;
  /** False when a private key of that name already existed and was kept. */
  created: boolean;
}

/**
 * Writes `dir/name` (0600) and `dir/name.pub` (0644), creating `dir` with mode 0700.
 *
 * Never overwrites a private key: if `dir/name` exists (another process won the race, or an earlier run
 * crashed before writing `.pub`), it is kept, `pair` is discarded, and `.pub` is rewritten from the
 * existing private key so the two halves always match; `created` is then false. The private key appears
 * atomically (temp file + link), so readers never see a partial key. If this throws, at most a stray
 * temp file is left behind; an existing key is never touched.
 */
export function writeKeyPair(dir: string, name: string, pair: SshKeyPair): WrittenKeyPair {
  const privateKeyPath = childPath(dir, name);
  ensurePrivateDir(dir);
  const publicKeyPath = `${privateKeyPath}.pub`;

  let created = false;
  if (!existsSync(privateKeyPath)) {
    const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(tmp, pair.privateKey, { mode: 0o600, flag: 'wx' });
    try {
      chmodSync(tmp, 0o600);
      linkSync(tmp, privateKeyPath); // fails with EEXIST instead of replacing a key that appeared meanwhile
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
  }

  let publicKey = pair.publicKey.trim();
  if (!created) {
    const existing = parseSshKey(readFileSync(privateKeyPath));
    if (!existing || existing.isPrivateKey() !== true) {
      throw new OperationError(`${privateKeyPath} exists but is not a readable private key`, {
        hint: `move it away if it is not needed, then retry`,
      });
    }
    publicKey = publicLine(existing);
  }
  const tmpPub = join(dir, `.${name}.pub.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmpPub, `${publicKey}\n`, { mode: 0o644 });
  chmodSync(tmpPub, 0o644);
  renameSync(tmpPub, publicKeyPath);
  return { privateKeyPath, publicKeyPath, publicKey, created };
}

/**
 * Reads an unencrypted OpenSSH/PEM private key. Throws NotFoundError if the file is missing and
 * OperationError if it is not a usable private key; the error never contains key material.
 */
export function readPrivateKey(path: string): string {
  return loadPrivateKey(path).text;
}

/** readPrivateKey, with the key as ssh2 parsed it (what a connection signs with). */
export function loadPrivateKey(path: string): { text: string; key: ParsedKey } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError('private key file', path, {
        hint: 'the key pair is created with the connection defaults; check the path or recreate the VM',
      });
    }
    throw new OperationError(`cannot read private key ${path}: ${(e as Error).message}`, { cause: e });
  }
  const key = parseKeyResult(text);
  if (key instanceof Error && /passphrase|encrypted/i.test(key.message)) {
    throw new OperationError(`private key ${path} is encrypted`, {
      hint: 'use an unencrypted key (ssh-keygen -p -N "" -f KEY removes the passphrase)',
    });
  }
  if (key === undefined || key instanceof Error || key.isPrivateKey() !== true) {
    throw new OperationError(`${path} is not a private key ssh can use`, {
      hint: 'expected an OpenSSH or PEM private key (ed25519, ecdsa or rsa)',
    });
  }
  return { text, key };
}

/**
 * 'SHA256:…' fingerprint as `ssh-keygen -lf` prints it, of a public key line ('type AAAA… [comment]'),
 * a bare base64 blob, or the raw key blob.
 */
export function fingerprintSha256(publicKey: string | Buffer): string {
  let blob: Buffer;
  if (Buffer.isBuffer(publicKey)) {
    blob = publicKey;
  } else {
    const fields = publicKey.trim().split(/\s+/);
    const b64 = fields.find((f) => f.startsWith('AAAA')) ?? fields[1] ?? fields[0] ?? '';
    blob = Buffer.from(b64, 'base64');
  }
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a raw SSH public key blob (its first length-prefixed string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len
    ? blob.subarray(4, 4 + len).toString('latin1')
    : 'unknown';
}
