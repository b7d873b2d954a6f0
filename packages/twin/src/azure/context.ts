/** What every ARM handler gets, and the helpers they share (groups, bodies, LRO headers, paging). */
import type { JsonReply, JsonRequest } from '../http/types.js';
import { findAzureRegion } from '../data/azure.js';
import type { AzureEngine } from './engine.js';
import { ArmError, resourceGroupNotFound } from './errors.js';
import type { AsyncOperation, ResourceGroup, SubscriptionData, Tags } from './model.js';

/** `p`: the path parameters ({rg}, {name}, …) as the client spelled them; `base`: https://127.0.0.1:PORT. */
export interface ArmCtx extends JsonRequest {
  engine: AzureEngine;
  sub: SubscriptionData;
  /** The request's path, for nextLinks. */
  path: string;
  apiVersion: string;
}

export type ArmResponse = JsonReply;

export type ArmHandler = (ctx: ArmCtx) => ArmResponse;

export function param(ctx: ArmCtx, name: string): string {
  const v = ctx.p[name];
  if (v === undefined) throw new Error(`route has no parameter ${name}`);
  return v;
}

export function group(ctx: ArmCtx, forWrite = false): ResourceGroup {
  const name = param(ctx, 'rg');
  const g = ctx.sub.groups.get(name.toLowerCase());
  if (!g) throw resourceGroupNotFound(name);
  if (forWrite && g.deleting) {
    throw new ArmError(409, 'ResourceGroupBeingDeleted', `The resource group '${g.name}' is in deprovisioning state and cannot perform this operation.`);
  }
  return g;
}

export function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function props(ctx: ArmCtx): Record<string, unknown> {
  return obj(ctx.body.properties);
}

/** The body's location, checked against the twin's Azure regions. */
export function location(ctx: ArmCtx, type: string): string {
  const loc = str(ctx.body.location);
  if (!loc) throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
  const region = findAzureRegion(loc);
  if (!region) {
    throw new ArmError(
      400,
      'LocationNotAvailableForResourceType',
      `The provided location '${loc}' is not available for resource type '${type}'. List of available regions for the resource type is '${['koreacentral', 'eastus', 'westeurope'].join(',')},…'.`,
    );
  }
  return region.name;
}

export function tags(ctx: ArmCtx): Tags {
  const out: Tags = {};
  for (const [k, v] of Object.entries(obj(ctx.body.tags))) {
    if (typeof v !== 'string') throw new ArmError(400, 'InvalidTagValue', `The tag '${k}' has a value that is not a string.`);
    if (k.length > 512 || /[<>%&\\?/]/.test(k)) throw new ArmError(400, 'InvalidTagNameCharacters', `The tag names '${k}' have reserved characters '<,>,%,&,\\,?,/' or control characters.`);
    out[k] = v;
  }
  if (Object.keys(out).length > 50) throw new ArmError(400, 'InvalidTagCount', 'The resource has more than 50 tags.');
  return out;
}

/** ARM resource names: 1-80 characters of letters, digits, `-`, `_`, `.`; not ending in `.`. */
export function checkName(name: string, type: string, max = 80): void {
  if (name.length < 1 || name.length > max || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.endsWith('.')) {
    throw new ArmError(400, 'InvalidResourceName', `Resource name ${name} is invalid. The name can be up to ${max} characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'. (${type})`);
  }
}

/** Headers of an accepted long-running operation, pointing at the provider's operation status. */
export function lroHeaders(ctx: ArmCtx, op: AsyncOperation, providerNs: string, loc: string, withLocation: boolean): Record<string, string> {
  const root = `${ctx.base}/subscriptions/${ctx.sub.id}/providers/${providerNs}/locations/${loc}`;
  const v = encodeURIComponent(ctx.apiVersion);
  return {
    'azure-asyncoperation': `${root}/operations/${op.id}?api-version=${v}`,
    ...(withLocation ? { location: `${root}/operations/${op.id}?monitor=true&api-version=${v}` } : {}),
  };
}

/**
 * One page of a listing (items in creation order) and the nextLink to the rest. The skip token
 * names the last position returned, so a page stays right while resources come and go.
 */
export function page<T extends { seq: number }>(ctx: ArmCtx, items: T[], render: (t: T) => unknown): ArmResponse {
  const sorted = [...items].sort((a, b) => a.seq - b.seq);
  const token = ctx.query.get('$skiptoken');
  const after = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isFinite(after)) throw new ArmError(400, 'InvalidSkipToken', `The skip token '${token}' is not valid.`);
  const rest = sorted.filter((t) => t.seq > after);
  const pageItems = rest.slice(0, ctx.engine.pageSize);
  const more = rest.length > pageItems.length;
  const last = pageItems[pageItems.length - 1];
  const q = new URLSearchParams(ctx.query);
  q.delete('$skiptoken');
  // ARM writes the `$` of $skiptoken as is (URLSearchParams would escape it).
  const skip = last ? `&$skiptoken=${Buffer.from(String(last.seq)).toString('base64url')}` : '';
  return {
    status: 200,
    body: { value: pageItems.map(render), ...(more ? { nextLink: `${ctx.base}${ctx.path}?${q.toString()}${skip}` } : {}) },
  };
}

export function sameText(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
}
