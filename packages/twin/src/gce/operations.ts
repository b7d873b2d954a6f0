/** Zone, region and global operations: get, list, wait, delete; and their rendering. */
import type { GceCtx, GceHandler } from './context.js';
import { notFound } from './errors.js';
import { applyFilter } from './filter.js';
import { gceTime, type Links } from './links.js';
import type { GceOperation, GceProject, OperationScope } from './model.js';
import { ordered, page, pageRequest } from './paging.js';

/** How long `wait` holds the request, as Google documents it (then the client polls again). */
export const WAIT_MAX_MS = 120_000;

export function scopePath(project: string, scope: OperationScope): string {
  if ('zone' in scope) return `projects/${project}/zones/${scope.zone}`;
  if ('region' in scope) return `projects/${project}/regions/${scope.region}`;
  return `projects/${project}/global`;
}

export function operationPath(project: string, op: GceOperation): string {
  return `${scopePath(project, op.scope)}/operations/${op.name}`;
}

export function renderOperation(links: Links, project: GceProject, op: GceOperation, fresh = false): Record<string, unknown> {
  const done = op.status === 'DONE';
  return {
    kind: 'compute#operation',
    id: op.id,
    name: op.name,
    ...('zone' in op.scope ? { zone: links.zone(project.id, op.scope.zone) } : {}),
    ...('region' in op.scope ? { region: links.region(project.id, op.scope.region) } : {}),
    operationType: op.operationType,
    targetLink: links.link(op.targetLink),
    targetId: op.targetId,
    // A just-created operation reads PENDING, as Google returns it from the call that made it.
    status: fresh && !done ? 'PENDING' : op.status,
    user: op.user,
    progress: done ? 100 : 0,
    insertTime: gceTime(op.insertTime),
    startTime: gceTime(op.startTime),
    ...(op.endTime !== undefined ? { endTime: gceTime(op.endTime) } : {}),
    ...(op.error ? { error: { errors: [{ code: op.error.code, message: op.error.message }] } } : {}),
    ...(op.httpErrorStatusCode !== undefined
      ? { httpErrorStatusCode: op.httpErrorStatusCode, httpErrorMessage: op.httpErrorMessage }
      : {}),
    selfLink: links.link(operationPath(project.id, op)),
    selfLinkWithId: links.link(`${scopePath(project.id, op.scope)}/operations/${op.id}`),
  };
}

function scopeOf(ctx: GceCtx): OperationScope {
  if (ctx.params.zone) return { zone: ctx.params.zone };
  if (ctx.params.region) return { region: ctx.params.region };
  return { global: true };
}

function sameScope(a: OperationScope, b: OperationScope): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function find(ctx: GceCtx): GceOperation {
  const scope = scopeOf(ctx);
  const op = ctx.project.operations.get(ctx.params.operation ?? '');
  if (!op || !sameScope(op.scope, scope)) {
    throw notFound(`${scopePath(ctx.project.id, scope)}/operations/${ctx.params.operation ?? ''}`);
  }
  return op;
}

const get: GceHandler = (ctx) => renderOperation(ctx.links, ctx.project, ctx.env.refresh(ctx.project, find(ctx)));

const wait: GceHandler = async (ctx) => {
  const op = await ctx.env.waitDone(ctx.project, find(ctx), WAIT_MAX_MS, ctx.gone);
  return renderOperation(ctx.links, ctx.project, op);
};

const remove: GceHandler = (ctx) => {
  const op = find(ctx);
  ctx.project.operations.delete(op.name);
  ctx.env.changed();
  return {};
};

const list: GceHandler = (ctx) => {
  const scope = scopeOf(ctx);
  const all = [...ctx.project.operations.values()]
    .filter((o) => sameScope(o.scope, scope))
    .map((o) => renderOperation(ctx.links, ctx.project, ctx.env.refresh(ctx.project, o)));
  const p = page(ordered(applyFilter(all, ctx.query.get('filter')), ctx.query), pageRequest(ctx.query));
  const path = `${scopePath(ctx.project.id, scope)}/operations`;
  return {
    kind: 'compute#operationList',
    id: path,
    ...(p.items.length ? { items: p.items } : {}),
    ...(p.nextPageToken ? { nextPageToken: p.nextPageToken } : {}),
    selfLink: ctx.links.link(path),
  };
};

export const OPERATION_HANDLERS = { get, wait, remove, list };
