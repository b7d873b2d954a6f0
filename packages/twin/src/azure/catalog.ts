/** What a subscription can use: locations, the Compute provider's resource types, VM sizes, images. */
import { AZURE_IMAGES, AZURE_REGIONS, azureSizesIn, findAzureImageSku, findAzureRegion } from '../data/azure.js';
import { type ArmCtx, type ArmResponse, param, sameText } from './context.js';
import { ArmError } from './errors.js';

function region(ctx: ArmCtx): string {
  const loc = param(ctx, 'location');
  const r = findAzureRegion(loc);
  if (!r) throw new ArmError(404, 'NoRegisteredProviderFound', `No registered resource provider found for location '${loc}' and API version '${ctx.apiVersion}'.`);
  return r.name;
}

/** Subscriptions_ListLocations. */
export function listLocations(ctx: ArmCtx): ArmResponse {
  return {
    status: 200,
    body: {
      value: AZURE_REGIONS.map((r) => ({
        id: `/subscriptions/${ctx.sub.id}/locations/${r.name}`,
        name: r.name,
        type: 'Region',
        displayName: r.displayName,
        regionalDisplayName: `(${r.geographyGroup}) ${r.displayName}`,
        metadata: {
          regionType: 'Physical',
          regionCategory: 'Recommended',
          geographyGroup: r.geographyGroup,
          longitude: String(r.longitude),
          latitude: String(r.latitude),
          physicalLocation: r.displayName,
        },
        ...(r.zones.length ? { availabilityZoneMappings: r.zones.map((z) => ({ logicalZone: z, physicalZone: `${r.name}-az${z}` })) } : {}),
      })),
    },
  };
}

const COMPUTE_TYPES = ['virtualMachines', 'disks', 'skus', 'locations/vmSizes', 'locations/operations', 'locations/publishers'];

/** Providers_Get for Microsoft.Compute / Microsoft.Network: resource types with their locations and zones. */
export function getProvider(ctx: ArmCtx): ArmResponse {
  const ns = param(ctx, 'namespace');
  const known = ['Microsoft.Compute', 'Microsoft.Network'].find((n) => sameText(n, ns));
  if (!known) throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`);
  const types = known === 'Microsoft.Compute' ? COMPUTE_TYPES : ['virtualNetworks', 'networkSecurityGroups', 'publicIPAddresses', 'networkInterfaces', 'locations/operations'];
  const zonal = AZURE_REGIONS.filter((r) => r.zones.length);
  return {
    status: 200,
    body: {
      id: `/subscriptions/${ctx.sub.id}/providers/${known}`,
      namespace: known,
      registrationState: 'Registered',
      registrationPolicy: 'RegistrationRequired',
      resourceTypes: types.map((t) => ({
        resourceType: t,
        locations: AZURE_REGIONS.map((r) => r.displayName),
        ...(t === 'virtualMachines' || t === 'disks' || t === 'publicIPAddresses'
          ? { zoneMappings: zonal.map((r) => ({ location: r.displayName, zones: r.zones })) }
          : {}),
        apiVersions: known === 'Microsoft.Compute' ? ['2025-04-01', '2024-11-01', '2024-07-01', '2024-03-01', '2023-09-01'] : ['2025-05-01', '2024-07-01', '2024-05-01', '2024-03-01'],
        capabilities: 'None',
      })),
    },
  };
}

/** VirtualMachineSizes_List. */
export function listVmSizes(ctx: ArmCtx): ArmResponse {
  return {
    status: 200,
    body: {
      value: azureSizesIn(region(ctx)).map((s) => ({
        name: s.name,
        numberOfCores: s.numberOfCores,
        osDiskSizeInMB: 1047552,
        resourceDiskSizeInMB: s.resourceDiskSizeInMB,
        memoryInMB: s.memoryInMB,
        maxDataDiskCount: s.maxDataDiskCount,
      })),
    },
  };
}

function imageRoot(ctx: ArmCtx, loc: string, publisher: string): string {
  // ARM spells these ids in title case, unlike the request paths.
  return `/Subscriptions/${ctx.sub.id}/Providers/Microsoft.Compute/Locations/${loc}/Publishers/${publisher}`;
}

/** VirtualMachineImages_ListOffers. */
export function listOffers(ctx: ArmCtx): ArmResponse {
  const loc = region(ctx);
  const pub = param(ctx, 'publisher');
  const offers = [...new Set(AZURE_IMAGES.filter((i) => sameText(i.publisher, pub)).map((i) => i.offer))];
  return { status: 200, body: offers.map((o) => ({ location: loc, name: o, id: `${imageRoot(ctx, loc, pub)}/ArtifactTypes/VMImage/Offers/${o}` })) };
}

/** VirtualMachineImages_ListSkus. */
export function listSkus(ctx: ArmCtx): ArmResponse {
  const loc = region(ctx);
  const pub = param(ctx, 'publisher');
  const offer = param(ctx, 'offer');
  const skus = AZURE_IMAGES.filter((i) => sameText(i.publisher, pub) && sameText(i.offer, offer));
  return { status: 200, body: skus.map((s) => ({ location: loc, name: s.sku, id: `${imageRoot(ctx, loc, s.publisher)}/ArtifactTypes/VMImage/Offers/${s.offer}/Skus/${s.sku}` })) };
}

function skuOf(ctx: ArmCtx) {
  const s = findAzureImageSku(param(ctx, 'publisher'), param(ctx, 'offer'), param(ctx, 'sku'));
  if (!s) {
    throw new ArmError(404, 'NotFound', `Artifact: VMImage was not found.`);
  }
  return s;
}

/** VirtualMachineImages_List: a bare array of versions, oldest first (honours $top and $orderby=name desc). */
export function listImageVersions(ctx: ArmCtx): ArmResponse {
  const loc = region(ctx);
  const s = skuOf(ctx);
  let versions = [...s.versions];
  if (/name\s+desc/i.test(ctx.query.get('$orderby') ?? '')) versions.reverse();
  const top = Number(ctx.query.get('$top') ?? NaN);
  if (Number.isInteger(top) && top > 0) versions = versions.slice(0, top);
  return {
    status: 200,
    body: versions.map((v) => ({ location: loc, name: v, id: `${imageRoot(ctx, loc, s.publisher)}/ArtifactTypes/VMImage/Offers/${s.offer}/Skus/${s.sku}/Versions/${v}` })),
  };
}

/** VirtualMachineImages_Get. */
export function getImageVersion(ctx: ArmCtx): ArmResponse {
  const loc = region(ctx);
  const s = skuOf(ctx);
  const want = param(ctx, 'version');
  const v = sameText(want, 'latest') ? s.versions[s.versions.length - 1] : s.versions.find((x) => x === want);
  if (!v) throw new ArmError(404, 'NotFound', 'Artifact: VMImage was not found.');
  return {
    status: 200,
    body: {
      properties: {
        hyperVGeneration: s.hyperVGeneration,
        architecture: s.architecture,
        replicaType: 'Unmanaged',
        disallowed: { vmDiskType: 'None' },
        automaticOSUpgradeProperties: { automaticOSUpgradeSupported: false },
        imageDeprecationStatus: { imageState: 'Active' },
        features: [{ name: 'IsAcceleratedNetworkSupported', value: 'True' }, { name: 'DiskControllerTypes', value: 'SCSI, NVMe' }],
        osDiskImage: { operatingSystem: 'Linux', sizeInGb: 30 },
        dataDiskImages: [],
      },
      location: loc,
      name: v,
      id: `${imageRoot(ctx, loc, s.publisher)}/ArtifactTypes/VMImage/Offers/${s.offer}/Skus/${s.sku}/Versions/${v}`,
    },
  };
}

/** GET …/providers/{ns}/locations/{loc}/operations/{id}: the status of a long-running operation. */
export function operationStatus(ctx: ArmCtx): ArmResponse {
  const op = ctx.engine.operation(param(ctx, 'op'));
  if (!op || !sameText(op.subscription, ctx.sub.id)) throw new ArmError(404, 'NotFound', `The operation '${param(ctx, 'op')}' was not found.`);
  const s = ctx.engine.operationStatus(op);
  // Polled through the Location header (monitor=true): 202 until done, then 200 with no body.
  if (ctx.query.get('monitor') === 'true') {
    if (s.status === 'InProgress') return { status: 202, headers: { location: `${ctx.base}${ctx.path}?${ctx.query.toString()}` } };
    if (s.status === 'Failed' && s.error) throw new ArmError(400, s.error.code, s.error.message);
    return { status: 200 };
  }
  return {
    status: 200,
    body: {
      startTime: new Date(op.startTime).toISOString(),
      ...(s.endTime ? { endTime: new Date(s.endTime).toISOString() } : {}),
      status: s.status,
      ...(s.error ? { error: s.error } : {}),
      name: op.id,
    },
  };
}
