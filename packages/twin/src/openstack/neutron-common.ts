/** What the Neutron resource modules share: the fields every resource shows, lookups, tags, lists. */
import { neutronFilter, type OsCtx, type OsResponse } from './context.js';
import { badRequest, notFound } from './errors.js';
import type { RegionData } from './model.js';

const N = 'network';

export function common(ctx: OsCtx, x: { id: string; created_at: string; updated_at: string; tags?: string[] }) {
  return { id: x.id, tenant_id: ctx.projectId, project_id: ctx.projectId, created_at: x.created_at, updated_at: x.updated_at, revision_number: 1, ...(x.tags ? { tags: x.tags } : {}) };
}

/** A named Neutron resource that is always up (networks, routers): the fields after `common`. */
export function upAndNamed(ctx: OsCtx, x: Parameters<typeof common>[1] & { name: string; description: string }) {
  return { ...common(ctx, x), name: x.name, description: x.description, admin_state_up: true, status: 'ACTIVE' };
}

export function get<T>(ctx: OsCtx, map: keyof RegionData, what: string, type: string, id = ctx.p.id ?? ''): T {
  const x = (ctx.region[map] as Map<string, T>).get(id);
  if (!x) throw notFound(N, what, id, type);
  return x;
}

export function tagsOf(body: Record<string, unknown>): string[] {
  const t = body.tags;
  if (t === undefined) return [];
  if (!Array.isArray(t) || !t.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 255)) throw badRequest(N, 'Invalid input for tags: a list of strings of 1 to 255 characters expected.');
  return [...new Set(t as string[])];
}

export const list = <T extends object>(key: string, items: Iterable<T>, view: (x: T) => Record<string, unknown>) => (ctx: OsCtx): OsResponse => ({
  status: 200,
  body: { [key]: neutronFilter(items, ctx.query, view) },
});
