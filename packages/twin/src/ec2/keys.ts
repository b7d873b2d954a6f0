/** Key pairs: ImportKeyPair / DescribeKeyPairs / DeleteKeyPair. */
import { createHash } from 'node:crypto';
import type { Ctx } from './context.js';
import { Ec2Error, err } from './errors.js';
import { applyFilters } from './filters.js';
import { newId } from './ids.js';
import type { KeyPair } from './model.js';
import { tagsFromSpecs } from './query.js';
import { tagSet } from './tags.js';
import { el, isoTime, items, type XmlChild } from './xml.js';

export interface ParsedPublicKey {
  keyType: 'rsa' | 'ed25519';
  /** Normalized OpenSSH line: `type base64 [comment]`. */
  line: string;
  blob: Buffer;
}

const BAD_FORMAT = () => new Ec2Error('InvalidKey.Format', 'Key is not in valid OpenSSH public key format');

/** The length-prefixed strings of an SSH wire-format key blob; undefined if it does not parse. */
function blobFields(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const len = blob.readUInt32BE(at);
    if (at + 4 + len > blob.length) return undefined;
    out.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

/** The algorithm name in a key blob, if the blob is well formed for that algorithm. */
function blobType(blob: Buffer): string | undefined {
  const f = blobFields(blob);
  const type = f?.[0]?.toString('latin1');
  if (!f || !type) return undefined;
  // ssh-ed25519: the 32-byte key. ssh-rsa: exponent and a 1024..4096-bit modulus (mpint).
  if (type === 'ssh-ed25519') return f.length === 2 && f[1]?.length === 32 ? type : undefined;
  if (type === 'ssh-rsa') {
    const n = f[2]?.length ?? 0;
    return f.length === 3 && n >= 128 && n <= 513 ? type : undefined;
  }
  return type;
}

/**
 * Parses a public key as EC2 accepts it: an OpenSSH line (`ssh-ed25519 AAAA… comment`) or an
 * RFC 4716 block. EC2 imports RSA and ED25519 keys only.
 */
export function parsePublicKey(text: string): ParsedPublicKey {
  const trimmed = text.trim();
  let type: string;
  let b64: string;
  let comment = '';
  if (trimmed.startsWith('---- BEGIN SSH2 PUBLIC KEY ----')) {
    const body = trimmed
      .split(/\r?\n/)
      .slice(1, -1)
      .filter((l) => !/^[A-Za-z-]+:/.test(l));
    b64 = body.join('');
    type = blobType(Buffer.from(b64, 'base64')) ?? '';
  } else {
    const parts = trimmed.split(/\s+/);
    type = parts[0] ?? '';
    b64 = parts[1] ?? '';
    comment = parts.slice(2).join(' ');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw BAD_FORMAT();
  const blob = Buffer.from(b64, 'base64');
  if (blobType(blob) !== type) throw BAD_FORMAT();
  const keyType = type === 'ssh-rsa' ? 'rsa' : type === 'ssh-ed25519' ? 'ed25519' : undefined;
  if (!keyType) throw BAD_FORMAT();
  return { keyType, blob, line: [type, blob.toString('base64'), comment].filter(Boolean).join(' ') };
}

/**
 * The fingerprint EC2 shows for an imported key: RSA → MD5 of the key blob as colon-separated
 * hex (RFC 4716 §4); ED25519 → base64 SHA-256 of the blob (OpenSSH's default form).
 */
export function fingerprint(key: ParsedPublicKey): string {
  if (key.keyType === 'rsa') {
    return (createHash('md5').update(key.blob).digest('hex').match(/../g) ?? []).join(':');
  }
  return createHash('sha256').update(key.blob).digest('base64');
}

export function findKeyPairByName(ctx: Ctx, name: string): KeyPair | undefined {
  for (const k of ctx.region.keyPairs.values()) if (k.name === name) return k;
  return undefined;
}

export function importKeyPair(ctx: Ctx): XmlChild[] {
  const name = ctx.params.req('KeyName');
  const material = ctx.params.req('PublicKeyMaterial');
  if (name.length > 255 || !/^[\x20-\x7e]+$/.test(name)) {
    throw err.invalidValue('KeyName', name, 'Key names must be at most 255 ASCII characters.');
  }
  const key = parsePublicKey(Buffer.from(material, 'base64').toString('utf8'));
  if (findKeyPairByName(ctx, name)) {
    throw new Ec2Error('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
  }
  const tags = tagsFromSpecs(ctx.params, ['key-pair'], 'key-pair');
  const kp: KeyPair = {
    id: newId('key'),
    seq: ctx.env.nextSeq(),
    tags,
    name,
    keyType: key.keyType,
    fingerprint: fingerprint(key),
    publicKey: key.line,
    createTime: ctx.env.now(),
  };
  ctx.region.keyPairs.set(kp.id, kp);
  ctx.env.changed();
  return [el('keyFingerprint', kp.fingerprint), el('keyName', kp.name), el('keyPairId', kp.id), tagSet(kp.tags)];
}

export function describeKeyPairs(ctx: Ctx): XmlChild[] {
  const names = ctx.params.list('KeyName');
  const ids = ctx.params.list('KeyPairId');
  let base = [...ctx.region.keyPairs.values()];
  for (const n of names) {
    if (!findKeyPairByName(ctx, n)) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${n}' does not exist`);
  }
  for (const id of ids) {
    if (!ctx.region.keyPairs.has(id)) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair ID '${id}' does not exist`);
  }
  if (names.length || ids.length) base = base.filter((k) => names.includes(k.name) || ids.includes(k.id));
  const filtered = applyFilters(base, ctx.params.filters(), {
    'key-pair-id': (k) => k.id,
    'key-name': (k) => k.name,
    fingerprint: (k) => k.fingerprint,
    'key-type': (k) => k.keyType,
  });
  const withPublic = ctx.params.bool('IncludePublicKey') === true;
  return [
    items('keySet', filtered, (k) => [
      el('keyPairId', k.id),
      el('keyName', k.name),
      el('keyFingerprint', k.fingerprint),
      el('keyType', k.keyType),
      tagSet(k.tags),
      withPublic ? el('publicKey', k.publicKey) : undefined,
      el('createTime', isoTime(k.createTime)),
    ]),
  ];
}

/** Like EC2, deleting a key pair that does not exist succeeds. */
export function deleteKeyPair(ctx: Ctx): XmlChild[] {
  const name = ctx.params.str('KeyName');
  const id = ctx.params.str('KeyPairId');
  if (!name && !id) throw err.missing('KeyName');
  const kp = id ? ctx.region.keyPairs.get(id) : name ? findKeyPairByName(ctx, name) : undefined;
  if (kp) {
    ctx.region.keyPairs.delete(kp.id);
    ctx.env.changed();
  }
  return [el('return', true), el('keyPairId', kp?.id)];
}
