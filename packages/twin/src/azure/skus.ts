/**
 * ResourceSkus_List (`GET /subscriptions/{id}/providers/Microsoft.Compute/skus`): every Compute SKU
 * the subscription can use, one entry per (SKU, location), in ARM's shape — resourceType, name,
 * tier, size, family, locations, locationInfo (zones), capabilities as name/value strings
 * (`vCPUs`, `MemoryGB`, `GPUs`, `CpuArchitectureType`…) and restrictions. It is the only ARM API
 * that gives a size's GPU count and family (vmSizes has neither). Disk and availability-set SKUs are
 * listed too, as ARM does, so clients must filter by resourceType. `$filter` accepts what ARM
 * accepts: `location eq '<region>'`.
 */
import { AZURE_REGIONS, azureSizesIn, findAzureRegion, type AzureRegion, type AzureVmSize } from '../data/azure.js';
import type { ArmCtx, ArmResponse } from './context.js';
import { ArmError } from './errors.js';

interface Capability {
  name: string;
  value: string;
}

function locationInfo(r: AzureRegion): unknown[] {
  return [{ location: r.name, zones: [...r.zones], zoneDetails: [] }];
}

/** The feature letters after the vCPU count ('as' of NC4as_T4_v3, 'ps' of D2ps_v5). */
function featureLetters(size: AzureVmSize): string {
  return /^Standard_[A-Z]+\d+([a-z]*)/.exec(size.name)?.[1] ?? '';
}

function vmCapabilities(s: AzureVmSize): Capability[] {
  const arm = s.architecture === 'Arm64';
  const gen2Only = arm || /A100|H100/.test(s.name);
  const caps: Array<[string, string | number | boolean]> = [
    ['MaxResourceVolumeMB', s.resourceDiskSizeInMB],
    ['OSVhdSizeMB', 1047552],
    ['vCPUs', s.numberOfCores],
    ['MemoryPreservingMaintenanceSupported', !s.gpus],
    ['HyperVGenerations', gen2Only ? 'V2' : 'V1,V2'],
    ['MemoryGB', s.memoryInMB / 1024],
    ['MaxDataDiskCount', s.maxDataDiskCount],
    ['CpuArchitectureType', s.architecture],
    ['LowPriorityCapable', true],
    ['PremiumIO', featureLetters(s).includes('s')],
    ['VMDeploymentTypes', 'IaaS'],
    ['vCPUsAvailable', s.numberOfCores],
    ...(s.gpus ? [['GPUs', s.gpus] as [string, number]] : []),
    ['vCPUsPerCore', arm || s.gpus ? 1 : 2],
    ['EphemeralOSDiskSupported', s.resourceDiskSizeInMB > 0],
    ['EncryptionAtHostSupported', true],
    ['AcceleratedNetworkingEnabled', !s.name.startsWith('Standard_B1')],
    ['RdmaEnabled', featureLetters(s).includes('r')],
    ['MaxNetworkInterfaces', Math.max(2, Math.min(8, s.numberOfCores / 2))],
  ];
  return caps.map(([name, value]) => ({ name, value: typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value) }));
}

function vmSku(s: AzureVmSize, r: AzureRegion): Record<string, unknown> {
  return {
    resourceType: 'virtualMachines',
    name: s.name,
    tier: 'Standard',
    size: s.name.replace(/^Standard_/, ''),
    family: s.family,
    locations: [r.name],
    locationInfo: locationInfo(r),
    capabilities: vmCapabilities(s),
    restrictions: [],
  };
}

/** A few managed-disk tiers (ARM lists every size of each). */
const DISK_SKUS: ReadonlyArray<{ name: string; tier: string; size: string; maxGiB: number; iops: number }> = [
  { name: 'Standard_LRS', tier: 'Standard', size: 'S4', maxGiB: 32, iops: 500 },
  { name: 'StandardSSD_LRS', tier: 'Standard', size: 'E4', maxGiB: 32, iops: 500 },
  { name: 'Premium_LRS', tier: 'Premium', size: 'P4', maxGiB: 32, iops: 120 },
  { name: 'Premium_LRS', tier: 'Premium', size: 'P10', maxGiB: 128, iops: 500 },
];

function otherSkus(r: AzureRegion): Record<string, unknown>[] {
  return [
    {
      resourceType: 'availabilitySets',
      name: 'Aligned',
      locations: [r.name],
      locationInfo: locationInfo(r),
      capabilities: [{ name: 'MaximumPlatformFaultDomainCount', value: r.zones.length ? '3' : '2' }],
      restrictions: [],
    },
    ...DISK_SKUS.map((d) => ({
      resourceType: 'disks',
      name: d.name,
      tier: d.tier,
      size: d.size,
      locations: [r.name],
      locationInfo: locationInfo(r),
      capabilities: [
        { name: 'MaxSizeGiB', value: String(d.maxGiB) },
        { name: 'MinSizeGiB', value: '0' },
        { name: 'MaxIOps', value: String(d.iops) },
      ],
      restrictions: [],
    })),
  ];
}

/** `location eq 'eastus'` → the region; no filter → undefined (all of them). */
function locationFilter(filter: string | null): AzureRegion | null | undefined {
  if (!filter?.trim()) return undefined;
  const m = /^\s*location\s+eq\s+'([^']*)'\s*$/i.exec(filter);
  if (!m) throw new ArmError(400, 'InvalidFilterInQueryString', `The $filter '${filter}' is not supported. Only filtering by location (location eq '<location>') is supported.`);
  return findAzureRegion(m[1] ?? '') ?? null;
}

/** ResourceSkus_List. */
export function listResourceSkus(ctx: ArmCtx): ArmResponse {
  const only = locationFilter(ctx.query.get('$filter'));
  // An unknown location matches nothing, as ARM answers: an empty list, not an error.
  const regions = only === undefined ? AZURE_REGIONS : only ? [only] : [];
  return {
    status: 200,
    body: { value: regions.flatMap((r) => [...otherSkus(r), ...azureSizesIn(r.name).map((s) => vmSku(s, r))]) },
  };
}
