/** What ECS handlers share: the engine's services and one request's parts. */
import { randomBytes } from 'node:crypto';
import type { VmBacking } from '../vm/lifecycle.js';
import type { EcsRegion } from './model.js';
import type { Params, WireObject } from './wire.js';

export interface EcsEnv {
  readonly lifecycle: VmBacking;
  now(): number;
  changed(): void;
  nextSeq(): number;
}

export interface EcsCtx {
  env: EcsEnv;
  region: EcsRegion;
  params: Params;
  requestId: string;
}

/** Answers the action's fields (RequestId is added by the HTTP layer). */
export type EcsHandler = (ctx: EcsCtx) => WireObject;

/** The two letters ECS ids carry for their region (`i-bp1…` is Hangzhou, `i-t4n…` Singapore). */
const REGION_CODES: Readonly<Record<string, string>> = {
  'cn-hangzhou': 'bp',
  'cn-shanghai': 'uf',
  'cn-beijing': '2z',
  'cn-hongkong': 'j6',
  'ap-southeast-1': 't4',
  'ap-northeast-1': '6w',
  'ap-northeast-2': 'mj',
  'us-west-1': 'rj',
  'us-east-1': '0x',
  'eu-central-1': 'gw',
};

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh id in ECS's form: `i-bp1f2hy6x3k0b8s9ql2m`. */
export function ecsId(prefix: string, regionId: string): string {
  const bytes = randomBytes(18);
  let tail = '';
  for (const b of bytes) tail += ALPHABET[b % ALPHABET.length];
  return `${prefix}-${REGION_CODES[regionId] ?? 'xx'}${tail}`;
}
