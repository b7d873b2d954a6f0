/** Microsoft.Compute managed disks: the OS disks VMs create; listed, read, and deleted once detached. */
import { type ArmCtx, type ArmResponse, group, lroHeaders, page, param } from './context.js';
import { ArmError, resourceNotFound } from './errors.js';
import { type Disk, idOf, resourceId, TYPES } from './model.js';

const NS = 'Microsoft.Compute';

function renderDisk(ctx: ArmCtx, d: Disk): unknown {
  return {
    name: d.name,
    id: idOf(ctx.sub.id, 'disks', d),
    type: TYPES.disks,
    location: d.location,
    tags: d.tags,
    ...(d.zones ? { zones: d.zones } : {}),
    ...(d.managedBy ? { managedBy: d.managedBy } : {}),
    sku: { name: d.sku, tier: d.sku.startsWith('Premium') ? 'Premium' : 'Standard' },
    properties: {
      osType: 'Linux',
      hyperVGeneration: 'V2',
      creationData: { createOption: 'FromImage', imageReference: { id: d.image } },
      diskSizeGB: d.sizeGb,
      diskState: d.managedBy ? 'Attached' : 'Unattached',
      provisioningState: 'Succeeded',
      uniqueId: d.guid,
    },
  };
}

export function listDisks(ctx: ArmCtx): ArmResponse {
  ctx.engine.settle();
  const rg = ctx.p.rg ? group(ctx).name.toLowerCase() : undefined;
  return page(ctx, [...ctx.sub.disks.values()].filter((d) => rg === undefined || d.resourceGroup.toLowerCase() === rg), (d) => renderDisk(ctx, d));
}

export function getDisk(ctx: ArmCtx): ArmResponse {
  ctx.engine.settle();
  const g = group(ctx);
  const name = param(ctx, 'name');
  const d = ctx.sub.disks.get(resourceId(ctx.sub.id, g.name, TYPES.disks, name).toLowerCase());
  if (!d) throw resourceNotFound(TYPES.disks, name, g.name);
  return { status: 200, body: renderDisk(ctx, d) };
}

export function deleteDisk(ctx: ArmCtx): ArmResponse {
  ctx.engine.settle();
  const g = group(ctx);
  const k = resourceId(ctx.sub.id, g.name, TYPES.disks, param(ctx, 'name')).toLowerCase();
  const d = ctx.sub.disks.get(k);
  if (!d) return { status: 204 };
  if (d.managedBy) throw new ArmError(409, 'OperationNotAllowed', `Disk ${d.name} is attached to VM ${d.managedBy}.`);
  ctx.sub.disks.delete(k);
  const op = ctx.engine.startOperation(ctx.sub.id, 'done', k);
  return { status: 202, headers: lroHeaders(ctx, op, NS, d.location, true) };
}
