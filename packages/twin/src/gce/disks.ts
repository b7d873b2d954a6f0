/**
 * Persistent disks, read-only: each instance's boot disk (made with the instance and deleted with
 * it, as `autoDelete` disks are), so the `source` link in an instance resolves.
 */
import { numericId } from '../data/gcp.js';
import { listResponse, zoneRegion } from './catalog.js';
import type { GceCtx, GceHandler } from './context.js';
import { notFound } from './errors.js';
import { gceStatus } from './instances.js';
import { gceTime, type Links } from './links.js';
import { instancePath, type GceInstance } from './model.js';

function renderDisk(links: Links, project: string, i: GceInstance, status: string): Record<string, unknown> {
  const zoneLink = links.zone(project, i.zone);
  return {
    kind: 'compute#disk',
    id: numericId(`disk/${i.id}`),
    creationTimestamp: gceTime(i.createdAt),
    name: i.diskName,
    sizeGb: String(i.diskSizeGb),
    zone: zoneLink,
    // A disk is READY once its instance has one; while provisioning it is being created.
    status: status === 'PROVISIONING' ? 'CREATING' : 'READY',
    selfLink: `${zoneLink}/disks/${i.diskName}`,
    sourceImage: links.link(i.sourceImage),
    type: `${zoneLink}/diskTypes/${i.diskType}`,
    licenses: i.licenses.map((l) => links.link(l)),
    lastAttachTimestamp: gceTime(i.createdAt),
    users: [links.link(instancePath(project, i))],
    physicalBlockSizeBytes: '4096',
    architecture: i.architecture,
  };
}

function disksIn(ctx: GceCtx, zone: string): Array<Record<string, unknown>> {
  return [...ctx.project.instances.values()]
    .filter((i) => i.zone === zone)
    .map((i) => renderDisk(ctx.links, ctx.project.id, i, gceStatus(i, ctx.env.now(), ctx.env.bootDelayMs)));
}

const list: GceHandler = (ctx) => {
  const zone = ctx.params.zone ?? '';
  zoneRegion(zone);
  return listResponse(ctx, 'compute#diskList', `projects/${ctx.project.id}/zones/${zone}/disks`, disksIn(ctx, zone));
};

const get: GceHandler = (ctx) => {
  const zone = ctx.params.zone ?? '';
  zoneRegion(zone);
  const d = disksIn(ctx, zone).find((x) => x.name === ctx.params.disk);
  if (!d) throw notFound(`projects/${ctx.project.id}/zones/${zone}/disks/${ctx.params.disk ?? ''}`);
  return d;
};

export const DISK_HANDLERS = { list, get };
