/** Read-only catalog: the project, regions, zones, machine types and public images. */
import {
  GCP_IMAGES,
  GCP_REGIONS,
  findGcpRegion,
  machineTypesIn,
  numericId,
  regionOfZone,
  zonesOf,
  type GcpImage,
  type GcpMachineType,
  type GcpRegion,
} from '../data/gcp.js';
import type { GceCtx, GceHandler } from './context.js';
import { EMPTY_FINGERPRINT } from './fingerprint.js';
import { GceError, notFound } from './errors.js';
import { applyFilter } from './filter.js';
import { gceTime, type Links } from './links.js';
import { ordered, page, pageRequest } from './paging.js';

/** When Google opened the regions does not matter to clients; one fixed date keeps output stable. */
const CATALOG_CREATED = gceTime(Date.parse('2016-03-01T00:00:00Z'));

const QUOTAS = [
  { metric: 'CPUS', limit: 24 },
  { metric: 'DISKS_TOTAL_GB', limit: 4096 },
  { metric: 'STATIC_ADDRESSES', limit: 8 },
  { metric: 'IN_USE_ADDRESSES', limit: 8 },
  { metric: 'SSD_TOTAL_GB', limit: 500 },
  { metric: 'INSTANCES', limit: 24 },
  { metric: 'SUBNETWORKS', limit: 100 },
];

/** A list response in GCE's shape; `items` is left out when empty, as Google does. */
export function listResponse(ctx: GceCtx, kind: string, path: string, items: Record<string, unknown>[]): unknown {
  const p = page(ordered(applyFilter(items, ctx.query.get('filter')), ctx.query), pageRequest(ctx.query));
  return {
    kind,
    id: path,
    ...(p.items.length ? { items: p.items } : {}),
    ...(p.nextPageToken ? { nextPageToken: p.nextPageToken } : {}),
    selfLink: ctx.links.link(path),
  };
}

/**
 * An aggregated list: items grouped by scope key (`zones/z`, `regions/r`), every scope present,
 * empty ones with Google's NO_RESULTS_ON_PAGE warning; paging counts items across scopes.
 */
/** An `aggregatedList` of `field` (instances, machineTypes…): a page of items grouped by scope. */
export function aggregatedResponse(
  ctx: GceCtx,
  field: string,
  scopes: string[],
  itemsOf: (scope: string) => Record<string, unknown>[],
): unknown {
  const kind = `compute#${field.replace(/s$/, '')}AggregatedList`;
  const path = `projects/${ctx.project.id}/aggregated/${field}`;
  const flat = scopes.flatMap((scope) =>
    ordered(applyFilter(itemsOf(scope), ctx.query.get('filter')), ctx.query).map((item) => ({ scope, item })),
  );
  const p = page(flat, pageRequest(ctx.query));
  const items: Record<string, unknown> = {};
  for (const scope of scopes) {
    const here = p.items.filter((x) => x.scope === scope).map((x) => x.item);
    items[scope] = here.length
      ? { [field]: here }
      : {
          warning: {
            code: 'NO_RESULTS_ON_PAGE',
            message: `There are no results for scope '${scope}' on this page.`,
            data: [{ key: 'scope', value: scope }],
          },
        };
  }
  return {
    kind,
    id: path,
    items,
    ...(p.nextPageToken ? { nextPageToken: p.nextPageToken } : {}),
    selfLink: ctx.links.link(path),
  };
}

export function allZones(): string[] {
  return GCP_REGIONS.flatMap(zonesOf);
}

/** Every zone as an aggregated list's scope (`zones/…`). */
export function zoneScopes(): string[] {
  return allZones().map((z) => `zones/${z}`);
}

function quotas(): unknown[] {
  return QUOTAS.map((q) => ({ metric: q.metric, limit: q.limit, usage: 0 }));
}

/** What every fixed catalog resource starts with: its kind, a stable id, the catalog's date, name and description. */
function catalogHead(kind: string, name: string, description: string): Record<string, unknown> {
  return { kind: `compute#${kind}`, id: numericId(`${kind}/${name}`), creationTimestamp: CATALOG_CREATED, name, description };
}

function renderRegion(links: Links, project: string, r: GcpRegion): Record<string, unknown> {
  return {
    ...catalogHead('region', r.name, r.name),
    status: 'UP',
    zones: zonesOf(r).map((z) => links.zone(project, z)),
    quotas: quotas(),
    selfLink: links.region(project, r.name),
    supportsPzs: false,
  };
}

function renderZone(links: Links, project: string, zone: string, r: GcpRegion): Record<string, unknown> {
  return {
    ...catalogHead('zone', zone, zone),
    status: 'UP',
    region: links.region(project, r.name),
    selfLink: links.zone(project, zone),
    availableCpuPlatforms: ['Intel Cascade Lake', 'Intel Ice Lake', 'AMD Milan', 'Intel Broadwell', 'Intel Skylake'],
    supportsPzs: false,
  };
}

export function renderMachineType(links: Links, project: string, zone: string, m: GcpMachineType): Record<string, unknown> {
  return {
    ...catalogHead('machineType', m.name, m.description),
    guestCpus: m.guestCpus,
    memoryMb: m.memoryMb,
    imageSpaceGb: 0,
    maximumPersistentDisks: m.maximumPersistentDisks,
    maximumPersistentDisksSizeGb: m.isSharedCpu ? '3072' : '263168',
    zone,
    selfLink: links.link(`projects/${project}/zones/${zone}/machineTypes/${m.name}`),
    isSharedCpu: m.isSharedCpu,
    // GPU machine types (A2, G2, A3) name their built-in accelerators; others have no field.
    ...(m.accelerators ? { accelerators: m.accelerators.map((a) => ({ ...a })) } : {}),
    architecture: m.architecture,
  };
}

export function imagePath(i: GcpImage): string {
  return `projects/${i.project}/global/images/${i.name}`;
}

function renderImage(links: Links, i: GcpImage): Record<string, unknown> {
  return {
    kind: 'compute#image',
    id: numericId(`image/${i.project}/${i.name}`),
    creationTimestamp: i.creationTimestamp,
    name: i.name,
    description: i.description,
    sourceType: 'RAW',
    rawDisk: { source: '', containerType: 'TAR' },
    ...(i.deprecatedBy
      ? { deprecated: { state: 'DEPRECATED', replacement: links.link(`projects/${i.project}/global/images/${i.deprecatedBy}`) } }
      : {}),
    status: 'READY',
    archiveSizeBytes: String(i.archiveSizeBytes),
    diskSizeGb: String(i.diskSizeGb),
    licenses: i.licenses.map((l) => links.link(l)),
    family: i.family,
    selfLink: links.link(imagePath(i)),
    labelFingerprint: EMPTY_FINGERPRINT,
    guestOsFeatures: [{ type: 'VIRTIO_SCSI_MULTIQUEUE' }, { type: 'SEV_CAPABLE' }, { type: 'UEFI_COMPATIBLE' }, { type: 'GVNIC' }],
    storageLocations: ['asia', 'eu', 'us'],
    architecture: i.architecture,
  };
}

/** The image a reference names: `…/images/NAME` or `…/images/family/FAMILY` (newest not deprecated). */
export function findImage(project: string, name: string): GcpImage | undefined {
  if (name.startsWith('family/')) {
    const family = name.slice('family/'.length);
    return GCP_IMAGES.filter((i) => i.project === project && i.family === family && !i.deprecatedBy).sort((a, b) =>
      b.creationTimestamp.localeCompare(a.creationTimestamp),
    )[0];
  }
  return GCP_IMAGES.find((i) => i.project === project && i.name === name);
}

export function zoneRegion(zone: string): GcpRegion {
  const r = regionOfZone(zone);
  if (!r) throw new GceError('invalid', `Invalid value for field 'zone': '${zone}'. Unknown zone.`);
  return r;
}

export function regionNamed(region: string): GcpRegion {
  const r = findGcpRegion(region);
  if (!r) throw new GceError('invalid', `Invalid value for field 'region': '${region}'. Unknown region.`);
  return r;
}

const projectGet: GceHandler = (ctx) => {
  const p = ctx.project;
  return {
    kind: 'compute#project',
    id: p.number,
    creationTimestamp: gceTime(p.createdAt),
    name: p.id,
    commonInstanceMetadata: { kind: 'compute#metadata', fingerprint: EMPTY_FINGERPRINT },
    quotas: [
      { metric: 'SNAPSHOTS', limit: 5000, usage: 0 },
      { metric: 'NETWORKS', limit: 15, usage: p.networks.size },
      { metric: 'FIREWALLS', limit: 200, usage: p.firewalls.size },
      { metric: 'IMAGES', limit: 2000, usage: 0 },
    ],
    selfLink: ctx.links.project(p.id),
    defaultServiceAccount: `${p.number}-compute@developer.gserviceaccount.com`,
    xpnProjectStatus: 'UNSPECIFIED_XPN_PROJECT_STATUS',
    defaultNetworkTier: 'PREMIUM',
    vmDnsSetting: 'ZONAL_ONLY',
  };
};

const regionsList: GceHandler = (ctx) =>
  listResponse(ctx, 'compute#regionList', `projects/${ctx.project.id}/regions`, GCP_REGIONS.map((r) => renderRegion(ctx.links, ctx.project.id, r)));

const regionsGet: GceHandler = (ctx) => {
  const r = findGcpRegion(ctx.params.region ?? '');
  if (!r) throw notFound(`projects/${ctx.project.id}/regions/${ctx.params.region ?? ''}`);
  return renderRegion(ctx.links, ctx.project.id, r);
};

const zonesList: GceHandler = (ctx) =>
  listResponse(
    ctx,
    'compute#zoneList',
    `projects/${ctx.project.id}/zones`,
    GCP_REGIONS.flatMap((r) => zonesOf(r).map((z) => renderZone(ctx.links, ctx.project.id, z, r))),
  );

const zonesGet: GceHandler = (ctx) => {
  const zone = ctx.params.zone ?? '';
  const r = regionOfZone(zone);
  if (!r) throw notFound(`projects/${ctx.project.id}/zones/${zone}`);
  return renderZone(ctx.links, ctx.project.id, zone, r);
};

const machineTypesList: GceHandler = (ctx) => {
  const zone = ctx.params.zone ?? '';
  const r = zoneRegion(zone);
  return listResponse(
    ctx,
    'compute#machineTypeList',
    `projects/${ctx.project.id}/zones/${zone}/machineTypes`,
    machineTypesIn(r.name).map((m) => renderMachineType(ctx.links, ctx.project.id, zone, m)),
  );
};

const machineTypesGet: GceHandler = (ctx) => {
  const zone = ctx.params.zone ?? '';
  const r = zoneRegion(zone);
  const m = machineTypesIn(r.name).find((t) => t.name === ctx.params.machineType);
  if (!m) throw notFound(`projects/${ctx.project.id}/zones/${zone}/machineTypes/${ctx.params.machineType ?? ''}`);
  return renderMachineType(ctx.links, ctx.project.id, zone, m);
};

const machineTypesAggregated: GceHandler = (ctx) =>
  aggregatedResponse(
    ctx,
    'machineTypes',
    zoneScopes(),
    (scope) => {
      const zone = scope.slice('zones/'.length);
      return machineTypesIn(zoneRegion(zone).name).map((m) => renderMachineType(ctx.links, ctx.project.id, zone, m));
    },
  );

const imagesList: GceHandler = (ctx) =>
  listResponse(
    ctx,
    'compute#imageList',
    `projects/${ctx.project.id}/global/images`,
    GCP_IMAGES.filter((i) => i.project === ctx.project.id).map((i) => renderImage(ctx.links, i)),
  );

const imagesGet: GceHandler = (ctx) => {
  const i = findImage(ctx.project.id, ctx.params.image ?? '');
  if (!i) throw notFound(`projects/${ctx.project.id}/global/images/${ctx.params.image ?? ''}`);
  return renderImage(ctx.links, i);
};

const imagesFromFamily: GceHandler = (ctx) => {
  const i = findImage(ctx.project.id, `family/${ctx.params.family ?? ''}`);
  if (!i) throw notFound(`projects/${ctx.project.id}/global/images/family/${ctx.params.family ?? ''}`);
  return renderImage(ctx.links, i);
};

export const CATALOG_HANDLERS = {
  projectGet,
  regionsList,
  regionsGet,
  zonesList,
  zonesGet,
  machineTypesList,
  machineTypesGet,
  machineTypesAggregated,
  imagesList,
  imagesGet,
  imagesFromFamily,
};
