/** Resource groups (ResourceGroups_*) and the generic listing of a group's resources. */
import { type ArmCtx, type ArmResponse, checkName, group, page, param, tags as bodyTags, location } from './context.js';
import { resourceGroupNotFound } from './errors.js';
import { idOf, RESOURCE_MAPS, type ResourceGroup, TYPES } from './model.js';

export function renderGroup(ctx: ArmCtx, g: ResourceGroup): unknown {
  return {
    id: `/subscriptions/${ctx.sub.id}/resourceGroups/${g.name}`,
    name: g.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: g.location,
    tags: g.tags,
    properties: { provisioningState: g.deleting ? 'Deleting' : 'Succeeded' },
  };
}

export function createOrUpdateGroup(ctx: ArmCtx): ArmResponse {
  const name = param(ctx, 'rg');
  checkName(name, 'Microsoft.Resources/resourceGroups', 90);
  const existing = ctx.sub.groups.get(name.toLowerCase());
  if (existing) {
    group(ctx, true);
    // The location of a group is fixed; only its tags change.
    if (ctx.body.tags !== undefined) existing.tags = bodyTags(ctx);
    ctx.engine.changed();
    return { status: 200, body: renderGroup(ctx, existing) };
  }
  const g: ResourceGroup = { seq: ctx.engine.nextSeq(), name, location: location(ctx, 'resourceGroups'), tags: bodyTags(ctx), deleting: false };
  ctx.sub.groups.set(name.toLowerCase(), g);
  ctx.engine.changed();
  return { status: 201, body: renderGroup(ctx, g) };
}

export function getGroup(ctx: ArmCtx): ArmResponse {
  return { status: 200, body: renderGroup(ctx, group(ctx)) };
}

export function checkGroupExistence(ctx: ArmCtx): ArmResponse {
  return { status: ctx.sub.groups.has(param(ctx, 'rg').toLowerCase()) ? 204 : 404 };
}

export function listGroups(ctx: ArmCtx): ArmResponse {
  return page(ctx, [...ctx.sub.groups.values()], (g) => renderGroup(ctx, g));
}

/** Deletes the group and everything in it, as ARM does: VMs shut down first, then the rest goes. */
export function deleteGroup(ctx: ArmCtx): ArmResponse {
  const name = param(ctx, 'rg');
  const g = ctx.sub.groups.get(name.toLowerCase());
  if (!g) throw resourceGroupNotFound(name);
  if (!g.deleting) {
    g.deleting = true;
    for (const vm of ctx.sub.vms.values()) {
      if (vm.resourceGroup.toLowerCase() !== name.toLowerCase() || vm.deleting) continue;
      vm.deleting = true;
      vm.lastOp = 'delete';
      if (!vm.failed) ctx.engine.lifecycle.terminate(undefined, vm.power);
    }
  }
  const op = ctx.engine.startOperation(ctx.sub.id, 'rg-deleted', g.name);
  ctx.engine.changed();
  ctx.engine.settle();
  const v = encodeURIComponent(ctx.apiVersion);
  return {
    status: 202,
    headers: {
      location: `${ctx.base}/subscriptions/${ctx.sub.id}/operationresults/${op.id}?api-version=${v}`,
      'retry-after': '1',
    },
  };
}

/** GET /subscriptions/{s}/operationresults/{id}: 202 while a group deletes, 200 once it is gone. */
export function groupOperationResult(ctx: ArmCtx): ArmResponse {
  const op = ctx.engine.operation(param(ctx, 'op'));
  if (!op) return { status: 404, body: { error: { code: 'NotFound', message: 'The operation was not found.' } } };
  const s = ctx.engine.operationStatus(op);
  if (s.status === 'InProgress') return { status: 202, headers: { location: `${ctx.base}${ctx.path}?${ctx.query.toString()}`, 'retry-after': '1' } };
  return { status: 200 };
}

/** Resources_ListByResourceGroup: every tracked resource in the group, in creation order. */
export function listGroupResources(ctx: ArmCtx): ArmResponse {
  const g = group(ctx);
  const items: { seq: number; out: unknown }[] = [];
  for (const m of RESOURCE_MAPS) {
    for (const r of (ctx.sub[m] as Map<string, { seq: number; name: string; resourceGroup: string; location: string; tags: Record<string, string>; zones?: string[] }>).values()) {
      if (r.resourceGroup.toLowerCase() !== g.name.toLowerCase()) continue;
      items.push({
        seq: r.seq,
        out: { id: idOf(ctx.sub.id, m, r), name: r.name, type: TYPES[m], location: r.location, tags: r.tags, ...(r.zones ? { zones: r.zones } : {}) },
      });
    }
  }
  return page(ctx, items, (i) => i.out);
}

