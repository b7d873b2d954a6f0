/** What every Cloudit handler gets and returns, and how the routes of IAM, ACE and DNA are declared. */
import type { ClouditEngine } from './engine.js';
import { badRequest } from './errors.js';

export interface CiCtx {
  engine: ClouditEngine;
  /** Path parameters (`{id}`). */
  p: Record<string, string>;
  body: Record<string, unknown>;
  query: URLSearchParams;
  /** The caller's IAM user id, recorded as `creator`. */
  user: string;
}

export interface CiResponse {
  status: number;
  body?: unknown;
}

export interface CiRoute {
  method: string;
  /** Segments after `/{engine}/v1.0/{tenant}`; `{x}` captures. */
  pattern: string[];
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

export function findRoute(routes: readonly CiRoute[], method: string, segs: string[]): { route: CiRoute; params: Record<string, string> } | 'wrong-method' | undefined {
  let wrong = false;
  for (const r of routes) {
    if (r.pattern.length !== segs.length) continue;
    const params: Record<string, string> = {};
    if (!r.pattern.every((pat, i) => (pat.startsWith('{') ? ((params[pat.slice(1, -1)] = decodeURIComponent(segs[i]!)), true) : pat === segs[i]))) continue;
    if (r.method === method) return { route: r, params };
    wrong = true;
  }
  return wrong ? 'wrong-method' : undefined;
}

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
