/** What GCE handlers share: the engine's services and one request's parsed parts. */
import type { VmBacking } from '../vm/lifecycle.js';
import type { Links } from './links.js';
import type { GceOperation, GceProject, OperationGoal, OperationScope } from './model.js';

/** The VM backing shared with EC2 (timers, SSH servers, loopback IPs). */
export type GceLifecycle = VmBacking;

export interface NewOperation {
  scope: OperationScope;
  operationType: string;
  /** Partial path of the target resource. */
  targetLink: string;
  targetId: string;
  goal?: OperationGoal;
  error?: { code: string; message: string; status: number; statusText: string };
}

export interface GceEnv {
  readonly lifecycle: GceLifecycle;
  readonly bootDelayMs: number;
  now(): number;
  changed(): void;
  /** A fresh numeric id (GCE ids are unsigned 64-bit decimals). */
  nextId(): string;
  newOperation(project: GceProject, init: NewOperation, user: string): GceOperation;
  /** Advances an operation whose goal has been reached to DONE. */
  refresh(project: GceProject, op: GceOperation): GceOperation;
  /** Resolves once `op` is DONE, `maxMs` passed, the request went away or the twin closes. */
  waitDone(project: GceProject, op: GceOperation, maxMs: number, gone: () => boolean): Promise<GceOperation>;
}

export interface GceCtx {
  env: GceEnv;
  project: GceProject;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  links: Links;
  /** The caller, as far as the twin knows it (the service account a token was issued to). */
  user: string;
  /** Whether the client hung up (long polls stop then). */
  gone: () => boolean;
}

export type GceHandler = (ctx: GceCtx) => unknown;

/** Mutating handlers return the target of the operation they start. */
export interface OperationTarget {
  target: string;
  targetId: string;
}
