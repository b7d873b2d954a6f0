/**
 * What the Microsoft.Network resources (./vnets.ts, ./security-groups.ts, ./public-ips.ts, ./nics.ts)
 * share: lookup by route or by reference, and create-or-update / delete as ARM answers them. Writes
 * are long-running operations that finish at once (the twin has no fabric to program), announced
 * with Azure-AsyncOperation as ARM does.
 */
import { randomUUID } from 'node:crypto';
import { type ArmCtx, type ArmResponse, group, location, lroHeaders, param, tags as bodyTags } from './context.js';
import { ArmError, resourceNotFound } from './errors.js';
import { idOf, type NetworkInterface, type NetworkSecurityGroup, type PublicIp, resourceId, type Tracked, TYPES, type VirtualNetwork } from './model.js';

const NS = 'Microsoft.Network';
export const etag = (guid: string): string => `W/"${guid}"`;

export interface NetResources {
  vnets: VirtualNetwork;
  nsgs: NetworkSecurityGroup;
  pips: PublicIp;
  nics: NetworkInterface;
}
export type NetMap = keyof NetResources;

export function key(ctx: ArmCtx, map: NetMap, rg: string, name: string): string {
  return resourceId(ctx.sub.id, rg, TYPES[map], name).toLowerCase();
}

function store<M extends NetMap>(ctx: ArmCtx, map: M): Map<string, NetResources[M]> {
  return ctx.sub[map] as Map<string, NetResources[M]>;
}

/** The resource the route's `{name}` names in its group; ResourceNotFound if there is none. */
export function find<M extends NetMap>(ctx: ArmCtx, map: M): NetResources[M] {
  const g = group(ctx);
  const name = param(ctx, 'name');
  const r = store(ctx, map).get(key(ctx, map, g.name, name));
  if (!r) throw resourceNotFound(TYPES[map], name, g.name);
  return r;
}

/** A resource referenced by id from a request body (subnet, NSG, public IP). */
export function byRef<M extends NetMap>(ctx: ArmCtx, map: M, id: string | undefined, what: string): NetResources[M] {
  const r = id ? store(ctx, map).get(id.toLowerCase()) : undefined;
  if (!r) throw invalidReference(id, what);
  return r;
}

/** ARM's answer when a body references a resource that does not exist (or is in another region). */
export function invalidReference(id: string | undefined, what: string): ArmError {
  return new ArmError(400, 'InvalidResourceReference', `Resource ${id || '(none)'} referenced by resource ${what} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
}

/** The stored id of a referenced resource, in the case it was created with. */
export function storedId(ctx: ArmCtx, map: NetMap, id: string): string {
  const r = store(ctx, map).get(id.toLowerCase());
  return r ? idOf(ctx.sub.id, map, r) : id;
}

export function done(ctx: ArmCtx, status: number, body: unknown, loc: string): ArmResponse {
  const op = ctx.engine.startOperation(ctx.sub.id, 'done', 'network');
  ctx.engine.changed();
  return { status, body, headers: lroHeaders(ctx, op, NS, loc, false) };
}

export function deleted(ctx: ArmCtx, loc: string): ArmResponse {
  const op = ctx.engine.startOperation(ctx.sub.id, 'done', 'network');
  ctx.engine.changed();
  return { status: 202, headers: { ...lroHeaders(ctx, op, NS, loc, true), 'retry-after': '10' } };
}

type Render<M extends NetMap> = (ctx: ArmCtx, r: NetResources[M]) => unknown;

/** `GET` of the named resource. */
export function getter<M extends NetMap>(map: M, render: Render<M>): (ctx: ArmCtx) => ArmResponse {
  return (ctx) => ({ status: 200, body: render(ctx, find(ctx, map)) });
}

export interface Upsert<M extends NetMap> {
  render: Render<M>;
  /** Applies the request to the stored resource (tags are applied after); throws to refuse it. */
  update(r: NetResources[M]): void;
  /** The resource's own fields for a new one in `loc` (the location is checked first). */
  create(loc: string): Omit<NetResources[M], keyof Tracked>;
}

/** `PUT` of the named resource: 200 with an update, 201 with a new one. */
export function createOrUpdate<M extends NetMap>(ctx: ArmCtx, map: M, rg: string, name: string, how: Upsert<M>): ArmResponse {
  const k = key(ctx, map, rg, name);
  const existing = store(ctx, map).get(k);
  if (existing) {
    how.update(existing);
    if (ctx.body.tags !== undefined) existing.tags = bodyTags(ctx);
    return done(ctx, 200, how.render(ctx, existing), existing.location);
  }
  const loc = location(ctx, TYPES[map]);
  const own = how.create(loc);
  const tracked: Tracked = { seq: ctx.engine.nextSeq(), name, resourceGroup: rg, location: loc, tags: bodyTags(ctx), guid: randomUUID() };
  const r = { ...own, ...tracked } as NetResources[M];
  store(ctx, map).set(k, r);
  return done(ctx, 201, how.render(ctx, r), r.location);
}

/** `DELETE` of the named resource: 204 if there is none, refused while `inUse` names a user. */
export function remove<M extends NetMap>(ctx: ArmCtx, map: M, inUse: (r: NetResources[M]) => ArmError | undefined): ArmResponse {
  const g = group(ctx);
  const k = key(ctx, map, g.name, param(ctx, 'name'));
  const r = store(ctx, map).get(k);
  if (!r) return { status: 204 };
  const e = inUse(r);
  if (e) throw e;
  store(ctx, map).delete(k);
  return deleted(ctx, r.location);
}
