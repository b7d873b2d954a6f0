/** What every OpenStack service handler gets, returns, and how its routes are declared. */
import type { PathRoute } from '../http/path-routes.js';
import type { JsonReply, JsonRequest } from '../http/types.js';
import type { OpenStackEngine } from './engine.js';
import { badRequest, type OsService } from './errors.js';
import type { RegionData } from './model.js';

/** `p`: what the route captured (`{id}`); `base`: this service's URL in this region (`http://host/compute/v2.1`). */
export interface OsCtx extends JsonRequest {
  engine: OpenStackEngine;
  region: RegionData;
  /** Nova's microversion as [major, minor]; [2, 1] elsewhere. */
  microversion: [number, number];
  projectId: string;
  userId: string;
}

export type OsResponse = JsonReply;

export type OsHandler = (ctx: OsCtx) => OsResponse;

export interface OsRoute extends PathRoute {
  method: string;
  /** Segments after the version; `{x}` captures. */
  pattern: string[];
  /** The name fault rules use: `servers.create`. */
  action: string;
  /** The policy rule `twin iam` denies: `os_compute_api:servers:create`, `create_network`. */
  policy: string;
  handler: OsHandler;
}

export const route = (method: string, path: string, action: string, policy: string, handler: OsHandler): OsRoute => ({
  method,
  pattern: path.split('/').filter(Boolean),
  action,
  policy,
  handler,
});

/** At least microversion `want` ("2.52")? */
export function atLeast(ctx: OsCtx, want: string): boolean {
  const [maj, min] = want.split('.').map(Number) as [number, number];
  return ctx.microversion[0] > maj || (ctx.microversion[0] === maj && ctx.microversion[1] >= min);
}

/** The object under `key` in the body (`{"server": {…}}`), or a 400 naming it. */
export function member(service: OsService, body: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = body[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest(service, `Invalid input for operation: '${key}' is a required property of the request body.`, 'HTTPBadRequest');
  return v as Record<string, unknown>;
}

export function optString(service: OsService, o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(service, `Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'string'`);
  return v;
}

/** Neutron list filters: each query parameter naming a field matches its string form; `tags`, `tags-any`, `not-tags` match tags. */
export function neutronFilter<T extends object>(items: Iterable<T>, query: URLSearchParams, view: (x: T) => Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const skip = new Set(['fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'page_reverse', 'tags', 'tags-any', 'not-tags', 'not-tags-any']);
  const split = (k: string) => query.getAll(k).flatMap((v) => v.split(',')).filter(Boolean);
  const all = split('tags');
  const any = split('tags-any');
  const not = split('not-tags');
  for (const item of items) {
    const v = view(item);
    const tags = (v.tags as string[] | undefined) ?? [];
    if (all.some((t) => !tags.includes(t))) continue;
    if (any.length && !any.some((t) => tags.includes(t))) continue;
    if (not.length && not.every((t) => tags.includes(t))) continue;
    let ok = true;
    for (const key of new Set(query.keys())) {
      if (skip.has(key) || !(key in v)) continue;
      const wanted = query.getAll(key).map((x) => x.toLowerCase());
      const have = v[key];
      if (!wanted.includes(String(have).toLowerCase())) ok = false;
    }
    if (ok) out.push(v);
  }
  return out;
}
