/** What every Cloudit handler gets and returns, and how the routes of IAM, ACE and DNA are declared. */
import type { PathRoute } from '../http/path-routes.js';
import type { JsonReply, JsonRequest } from '../http/types.js';
import type { ClouditEngine } from './engine.js';
import { badRequest } from './errors.js';

/** A request as a handler sees it: path parameters (`{id}`, and the tenant), query and body. */
export interface CiCtx extends Omit<JsonRequest, 'base'> {
  engine: ClouditEngine;
  /** The caller's IAM user id, recorded as `creator`. */
  user: string;
}

export type CiResponse = JsonReply;

/** `pattern`: the segments after `/{engine}/v1.0/{tenant}`; `{x}` captures (BRACE_CAPTURES). */
export interface CiRoute extends PathRoute {
  /** The name fault rules use: `servers.create`. */
  action: string;
  handler: (ctx: CiCtx) => CiResponse;
  /** The cluster (zone) the call concerns, for fault rules naming one. */
  zone?: (ctx: CiCtx) => string | undefined;
}

export const route = (method: string, path: string, action: string, handler: CiRoute['handler'], zone?: CiRoute['zone']): CiRoute => ({
  method,
  pattern: path.split('/').filter(Boolean),
  action,
  handler,
  ...(zone ? { zone } : {}),
});

export function str(body: Record<string, unknown>, key: string, required: true): string;
export function str(body: Record<string, unknown>, key: string, required?: false): string | undefined;
export function str(body: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw badRequest(`'${key}' is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw badRequest(`'${key}' must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** The id of a `{"id": …}` reference, or '' (then not found). */
export function idOf(ref: unknown): string {
  const id = typeof ref === 'object' && ref !== null ? (ref as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : '';
}
