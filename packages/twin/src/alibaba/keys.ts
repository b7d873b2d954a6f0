/** ECS key pairs: ImportKeyPair, DescribeKeyPairs, DeleteKeyPairs (RSA and ED25519 OpenSSH keys). */
import { createHash } from 'node:crypto';
import { parsePublicKey } from '../ec2/keys.js';
import type { EcsCtx, EcsHandler } from './context.js';
import { EcsError } from './errors.js';
import type { EcsKeyPair } from './model.js';
import { pageNumbered } from './paging.js';
import { type Params, type WireObject, ecsTime } from './wire.js';
import { matchesTags, tagsView } from './tags.js';

const NAME_RE = /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5_.:-]{1,127}$/;

function keyName(p: Params, field: string): string {
  const name = p.required(field);
  if (!NAME_RE.test(name) || /^https?:\/\//.test(name)) {
    throw new EcsError('InvalidKeyPairName.Malformed', `The specified KeyPairName '${name}' is not valid: 2 to 128 characters, starting with a letter; letters, digits, '.', '_', '-' and ':'.`, 400);
  }
  return name;
}

function importKeyPair(ctx: EcsCtx): WireObject {
  const name = keyName(ctx.params, 'KeyPairName');
  const body = ctx.params.required('PublicKeyBody');
  if (ctx.region.keyPairs.has(name)) throw new EcsError('KeyPair.AlreadyExist');
  let parsed;
  try {
    parsed = parsePublicKey(body);
  } catch {
    throw new EcsError('InvalidKeyPair.Malformed');
  }
  const kp: EcsKeyPair = {
    name,
    fingerprint: createHash('md5').update(parsed.blob).digest('hex'),
    publicKey: parsed.line,
    createdAt: ctx.env.now(),
    tags: ctx.params.tags(),
  };
  ctx.region.keyPairs.set(name, kp);
  ctx.env.changed();
  return { KeyPairName: kp.name, KeyPairFingerPrint: kp.fingerprint };
}

function describeKeyPairs(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const name = p.get('KeyPairName');
  // A JSON array of names, or one name with `*` wildcards.
  const names = name?.startsWith('[') ? p.jsonList('KeyPairName') : undefined;
  const re = name && !names ? new RegExp(`^${name.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`) : undefined;
  const fingerprint = p.get('KeyPairFingerPrint');
  const tags = p.tags();
  const found = [...ctx.region.keyPairs.values()].filter(
    (k) => (!names || names.includes(k.name)) && (!re || re.test(k.name)) && (!fingerprint || k.fingerprint === fingerprint) && matchesTags(k.tags, tags),
  );
  const { items, fields } = pageNumbered(found, p, 10, 50);
  return {
    ...fields,
    KeyPairs: {
      KeyPair: items.map((k) => ({ KeyPairName: k.name, KeyPairFingerPrint: k.fingerprint, CreationTime: ecsTime(k.createdAt), ResourceGroupId: '', Tags: tagsView(k.tags) })),
    },
  };
}

function deleteKeyPairs(ctx: EcsCtx): WireObject {
  const names = ctx.params.jsonList('KeyPairNames');
  if (!names || names.length === 0) throw new EcsError('MissingParameter', 'The input parameter "KeyPairNames" that is mandatory for processing this request is not supplied.');
  // ECS deletes the ones it has and ignores the rest.
  for (const n of names) ctx.region.keyPairs.delete(n);
  ctx.env.changed();
  return {};
}

export const KEY_ACTIONS: Readonly<Record<string, EcsHandler>> = {
  ImportKeyPair: importKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  DeleteKeyPairs: deleteKeyPairs,
};
