/**
 * Static Azure catalog served by the twin's ARM API.
 *
 * Where the facts come from (checked 2024, Azure public documentation and the Retail Prices API):
 * - Regions: names, display names and coordinates as `GET /subscriptions/{id}/locations` returns
 *   them; zones "1".."3" where the region has availability zones (korea south, west us and japan
 *   west have none).
 * - VM sizes: vCPUs, memory, data disk count and temp disk size from the size pages
 *   (`GET …/locations/{region}/vmSizes`); pay-as-you-go Linux prices in USD/h for eastus from the
 *   Retail Prices API. Prices elsewhere are the eastus price times the region's factor below (that
 *   region's Standard_D2s_v5 price divided by eastus's): an approximation, not a quote.
 * - GPU sizes (NCasT4_v3, NC A100 v4, NCv3, ND A100 v4): vCPUs, memory, GPU count from the GPU size
 *   pages; the ARM API names no GPU model, only the count (Resource SKUs' `GPUs` capability) and the
 *   size family (`standardNCASv3_T4Family`). Offered only in the regions listed with each series (a
 *   subset of the real ones).
 * - Images: the publishers', offers' and SKUs' real names (Canonical, Debian); versions follow the
 *   real numbering but are a short fixed list, not today's builds.
 *
 * This data goes stale: refresh it from `az vm list-sizes`, `az vm image list` and the Retail
 * Prices API when needed.
 */

export interface AzureRegion {
  name: string;
  displayName: string;
  /** Geography group as the portal shows it. */
  geographyGroup: string;
  /** Availability zones ("1", "2", "3"); empty where the region has none. */
  zones: string[];
  latitude: number;
  longitude: number;
  /** Multiplier on eastus pay-as-you-go prices. */
  priceFactor: number;
}

const Z3 = ['1', '2', '3'];

export const AZURE_REGIONS: readonly AzureRegion[] = [
  { name: 'koreacentral', displayName: 'Korea Central', geographyGroup: 'Asia Pacific', zones: Z3, latitude: 37.5665, longitude: 126.978, priceFactor: 1.094 },
  { name: 'koreasouth', displayName: 'Korea South', geographyGroup: 'Asia Pacific', zones: [], latitude: 35.1796, longitude: 129.0756, priceFactor: 1.042 },
  { name: 'japaneast', displayName: 'Japan East', geographyGroup: 'Asia Pacific', zones: Z3, latitude: 35.68, longitude: 139.77, priceFactor: 1.292 },
  { name: 'southeastasia', displayName: 'Southeast Asia', geographyGroup: 'Asia Pacific', zones: Z3, latitude: 1.283, longitude: 103.833, priceFactor: 1.208 },
  { name: 'australiaeast', displayName: 'Australia East', geographyGroup: 'Asia Pacific', zones: Z3, latitude: -33.86, longitude: 151.2094, priceFactor: 1.25 },
  { name: 'centralindia', displayName: 'Central India', geographyGroup: 'Asia Pacific', zones: Z3, latitude: 18.5822, longitude: 73.9197, priceFactor: 1.052 },
  { name: 'eastus', displayName: 'East US', geographyGroup: 'US', zones: Z3, latitude: 37.3719, longitude: -79.8164, priceFactor: 1 },
  { name: 'eastus2', displayName: 'East US 2', geographyGroup: 'US', zones: Z3, latitude: 36.6681, longitude: -78.3889, priceFactor: 1 },
  { name: 'centralus', displayName: 'Central US', geographyGroup: 'US', zones: Z3, latitude: 41.5908, longitude: -93.6208, priceFactor: 1.094 },
  { name: 'westus', displayName: 'West US', geographyGroup: 'US', zones: [], latitude: 37.783, longitude: -122.417, priceFactor: 1.146 },
  { name: 'westus2', displayName: 'West US 2', geographyGroup: 'US', zones: Z3, latitude: 47.233, longitude: -119.852, priceFactor: 1 },
  { name: 'brazilsouth', displayName: 'Brazil South', geographyGroup: 'South America', zones: Z3, latitude: -23.55, longitude: -46.633, priceFactor: 1.552 },
  { name: 'westeurope', displayName: 'West Europe', geographyGroup: 'Europe', zones: Z3, latitude: 52.3667, longitude: 4.9, priceFactor: 1.104 },
  { name: 'northeurope', displayName: 'North Europe', geographyGroup: 'Europe', zones: Z3, latitude: 53.3478, longitude: -6.2597, priceFactor: 1.042 },
  { name: 'uksouth', displayName: 'UK South', geographyGroup: 'Europe', zones: Z3, latitude: 50.941, longitude: -0.799, priceFactor: 1.125 },
];

export function findAzureRegion(name: string): AzureRegion | undefined {
  const n = name.toLowerCase().replace(/\s+/g, '');
  return AZURE_REGIONS.find((r) => r.name === n);
}

export interface AzureVmSize {
  name: string;
  numberOfCores: number;
  memoryInMB: number;
  maxDataDiskCount: number;
  /** Temp (resource) disk; 0 for sizes without one (the v5 "s" sizes). */
  resourceDiskSizeInMB: number;
  architecture: 'x64' | 'Arm64';
  /** Pay-as-you-go Linux price in eastus, USD per hour. */
  usdPerHour: number;
  /** Regions where the size is not offered (the API answers SkuNotAvailable there). */
  notIn?: string[];
  /** The only regions offering it (GPU sizes), when not all. */
  onlyIn?: string[];
  /** The size family, as Resource SKUs reports it and quotas count it (standardDSv5Family). */
  family: string;
  /** GPUs per VM (the Resource SKUs `GPUs` capability); absent for sizes without one. */
  gpus?: number;
}

const ARM_NOT_IN = ['koreasouth', 'westus', 'brazilsouth'];
const T4_IN = ['koreacentral', 'japaneast', 'southeastasia', 'australiaeast', 'centralindia', 'eastus', 'eastus2', 'westus2', 'westeurope', 'northeurope', 'uksouth'];
const A100_IN = ['koreacentral', 'japaneast', 'southeastasia', 'eastus', 'eastus2', 'westus2', 'westeurope', 'northeurope'];
const V100_IN = ['koreacentral', 'japaneast', 'southeastasia', 'eastus', 'eastus2', 'westus2', 'westeurope', 'northeurope', 'uksouth', 'centralindia'];
const ND_A100_IN = ['eastus', 'westus2', 'westeurope', 'southeastasia', 'japaneast'];

export const AZURE_VM_SIZES: readonly AzureVmSize[] = [
  { name: 'Standard_B1ls', family: 'standardBSFamily', numberOfCores: 1, memoryInMB: 512, maxDataDiskCount: 2, resourceDiskSizeInMB: 4096, architecture: 'x64', usdPerHour: 0.0052 },
  { name: 'Standard_B1s', family: 'standardBSFamily', numberOfCores: 1, memoryInMB: 1024, maxDataDiskCount: 2, resourceDiskSizeInMB: 4096, architecture: 'x64', usdPerHour: 0.0104 },
  { name: 'Standard_B1ms', family: 'standardBSFamily', numberOfCores: 1, memoryInMB: 2048, maxDataDiskCount: 2, resourceDiskSizeInMB: 4096, architecture: 'x64', usdPerHour: 0.0207 },
  { name: 'Standard_B2s', family: 'standardBSFamily', numberOfCores: 2, memoryInMB: 4096, maxDataDiskCount: 4, resourceDiskSizeInMB: 8192, architecture: 'x64', usdPerHour: 0.0416 },
  { name: 'Standard_B2ms', family: 'standardBSFamily', numberOfCores: 2, memoryInMB: 8192, maxDataDiskCount: 4, resourceDiskSizeInMB: 16384, architecture: 'x64', usdPerHour: 0.0832 },
  { name: 'Standard_B4ms', family: 'standardBSFamily', numberOfCores: 4, memoryInMB: 16384, maxDataDiskCount: 8, resourceDiskSizeInMB: 32768, architecture: 'x64', usdPerHour: 0.166 },
  { name: 'Standard_D2s_v5', family: 'standardDSv5Family', numberOfCores: 2, memoryInMB: 8192, maxDataDiskCount: 4, resourceDiskSizeInMB: 0, architecture: 'x64', usdPerHour: 0.096 },
  { name: 'Standard_D4s_v5', family: 'standardDSv5Family', numberOfCores: 4, memoryInMB: 16384, maxDataDiskCount: 8, resourceDiskSizeInMB: 0, architecture: 'x64', usdPerHour: 0.192 },
  { name: 'Standard_D8s_v5', family: 'standardDSv5Family', numberOfCores: 8, memoryInMB: 32768, maxDataDiskCount: 16, resourceDiskSizeInMB: 0, architecture: 'x64', usdPerHour: 0.384 },
  { name: 'Standard_D2as_v5', family: 'standardDASv5Family', numberOfCores: 2, memoryInMB: 8192, maxDataDiskCount: 4, resourceDiskSizeInMB: 0, architecture: 'x64', usdPerHour: 0.086 },
  { name: 'Standard_D4as_v5', family: 'standardDASv5Family', numberOfCores: 4, memoryInMB: 16384, maxDataDiskCount: 8, resourceDiskSizeInMB: 0, architecture: 'x64', usdPerHour: 0.172 },
  { name: 'Standard_E2s_v5', family: 'standardESv5Family', numberOfCores: 2, memoryInMB: 16384, maxDataDiskCount: 4, resourceDiskSizeInMB: 0, architecture: 'x64', usdPerHour: 0.126 },
  { name: 'Standard_F2s_v2', family: 'standardFSv2Family', numberOfCores: 2, memoryInMB: 4096, maxDataDiskCount: 4, resourceDiskSizeInMB: 16384, architecture: 'x64', usdPerHour: 0.0846 },
  { name: 'Standard_D2ps_v5', family: 'standardDPSv5Family', numberOfCores: 2, memoryInMB: 8192, maxDataDiskCount: 4, resourceDiskSizeInMB: 0, architecture: 'Arm64', usdPerHour: 0.077, notIn: ARM_NOT_IN },
  { name: 'Standard_B2pts_v2', family: 'standardBPSv2Family', numberOfCores: 2, memoryInMB: 1024, maxDataDiskCount: 4, resourceDiskSizeInMB: 0, architecture: 'Arm64', usdPerHour: 0.0084, notIn: ARM_NOT_IN },
  { name: 'Standard_NC4as_T4_v3', family: 'standardNCASv3_T4Family', numberOfCores: 4, memoryInMB: 28672, maxDataDiskCount: 8, resourceDiskSizeInMB: 184320, architecture: 'x64', usdPerHour: 0.526, gpus: 1, onlyIn: T4_IN },
  { name: 'Standard_NC8as_T4_v3', family: 'standardNCASv3_T4Family', numberOfCores: 8, memoryInMB: 57344, maxDataDiskCount: 16, resourceDiskSizeInMB: 368640, architecture: 'x64', usdPerHour: 0.752, gpus: 1, onlyIn: T4_IN },
  { name: 'Standard_NC16as_T4_v3', family: 'standardNCASv3_T4Family', numberOfCores: 16, memoryInMB: 112640, maxDataDiskCount: 32, resourceDiskSizeInMB: 368640, architecture: 'x64', usdPerHour: 1.204, gpus: 1, onlyIn: T4_IN },
  { name: 'Standard_NC64as_T4_v3', family: 'standardNCASv3_T4Family', numberOfCores: 64, memoryInMB: 450560, maxDataDiskCount: 32, resourceDiskSizeInMB: 2949120, architecture: 'x64', usdPerHour: 4.352, gpus: 4, onlyIn: T4_IN },
  { name: 'Standard_NC24ads_A100_v4', family: 'StandardNCADSA100v4Family', numberOfCores: 24, memoryInMB: 225280, maxDataDiskCount: 8, resourceDiskSizeInMB: 65536, architecture: 'x64', usdPerHour: 3.673, gpus: 1, onlyIn: A100_IN },
  { name: 'Standard_NC48ads_A100_v4', family: 'StandardNCADSA100v4Family', numberOfCores: 48, memoryInMB: 450560, maxDataDiskCount: 16, resourceDiskSizeInMB: 131072, architecture: 'x64', usdPerHour: 7.346, gpus: 2, onlyIn: A100_IN },
  { name: 'Standard_NC96ads_A100_v4', family: 'StandardNCADSA100v4Family', numberOfCores: 96, memoryInMB: 901120, maxDataDiskCount: 32, resourceDiskSizeInMB: 262144, architecture: 'x64', usdPerHour: 14.692, gpus: 4, onlyIn: A100_IN },
  { name: 'Standard_NC6s_v3', family: 'standardNCSv3Family', numberOfCores: 6, memoryInMB: 114688, maxDataDiskCount: 12, resourceDiskSizeInMB: 344064, architecture: 'x64', usdPerHour: 3.06, gpus: 1, onlyIn: V100_IN },
  { name: 'Standard_NC12s_v3', family: 'standardNCSv3Family', numberOfCores: 12, memoryInMB: 229376, maxDataDiskCount: 24, resourceDiskSizeInMB: 688128, architecture: 'x64', usdPerHour: 6.12, gpus: 2, onlyIn: V100_IN },
  { name: 'Standard_ND96asr_v4', family: 'standardNDASv4_A100Family', numberOfCores: 96, memoryInMB: 921600, maxDataDiskCount: 16, resourceDiskSizeInMB: 6144000, architecture: 'x64', usdPerHour: 27.197, gpus: 8, onlyIn: ND_A100_IN },
];

/** Size names are case-insensitive in ARM, as everywhere in it. */
export function findAzureVmSize(name: string): AzureVmSize | undefined {
  const n = name.toLowerCase();
  return AZURE_VM_SIZES.find((s) => s.name.toLowerCase() === n);
}

export function azureSizesIn(region: string): AzureVmSize[] {
  return AZURE_VM_SIZES.filter((s) => !s.notIn?.includes(region) && (!s.onlyIn || s.onlyIn.includes(region)));
}

/** Pay-as-you-go Linux USD/h of `size` in `region` (rounded to 4 decimals). */
export function azurePrice(size: AzureVmSize, region: AzureRegion): number {
  return Math.round(size.usdPerHour * region.priceFactor * 10_000) / 10_000;
}

export interface AzureImageSku {
  publisher: string;
  offer: string;
  sku: string;
  hyperVGeneration: 'V1' | 'V2';
  architecture: 'x64' | 'Arm64';
  /** Oldest first, as the real API lists them. */
  versions: string[];
  /** The image's usual login user, for the twin's own bookkeeping (Azure itself has none). */
  os: string;
  /** Cloud-Twin only: VMs of this image get the simulated Kubernetes node runtime (k8s/runtime.ts). */
  nodeRuntime?: 'kubernetes';
}

export const AZURE_IMAGES: readonly AzureImageSku[] = [
  { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts', hyperVGeneration: 'V1', architecture: 'x64', versions: ['22.04.202404230', '22.04.202405140'], os: 'Ubuntu 22.04', nodeRuntime: 'kubernetes' },
  { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', hyperVGeneration: 'V2', architecture: 'x64', versions: ['22.04.202404230', '22.04.202405140'], os: 'Ubuntu 22.04', nodeRuntime: 'kubernetes' },
  { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-arm64', hyperVGeneration: 'V2', architecture: 'Arm64', versions: ['22.04.202404230', '22.04.202405140'], os: 'Ubuntu 22.04' },
  { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', hyperVGeneration: 'V2', architecture: 'x64', versions: ['24.04.202404230', '24.04.202405140'], os: 'Ubuntu 24.04' },
  { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server-arm64', hyperVGeneration: 'V2', architecture: 'Arm64', versions: ['24.04.202404230', '24.04.202405140'], os: 'Ubuntu 24.04' },
  { publisher: 'Debian', offer: 'debian-12', sku: '12', hyperVGeneration: 'V1', architecture: 'x64', versions: ['0.20240429.1733', '0.20240528.1764'], os: 'Debian 12' },
  { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', hyperVGeneration: 'V2', architecture: 'x64', versions: ['0.20240429.1733', '0.20240528.1764'], os: 'Debian 12' },
  { publisher: 'Debian', offer: 'debian-12', sku: '12-arm64', hyperVGeneration: 'V2', architecture: 'Arm64', versions: ['0.20240429.1733', '0.20240528.1764'], os: 'Debian 12' },
];

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findAzureImageSku(publisher: string, offer: string, sku: string): AzureImageSku | undefined {
  return AZURE_IMAGES.find((i) => same(i.publisher, publisher) && same(i.offer, offer) && same(i.sku, sku));
}

/**
 * Names Azure refuses as a Linux admin user (documented list for osProfile.adminUsername).
 * Debian images therefore get another user on Azure than the `admin` they have on AWS.
 */
export const DISALLOWED_ADMIN_USERS: ReadonlySet<string> = new Set([
  'administrator', 'admin', 'user', 'user1', 'test', 'user2', 'test1', 'user3', 'admin1', '1', '123', 'a',
  'actuser', 'adm', 'admin2', 'aspnet', 'backup', 'console', 'david', 'guest', 'john', 'owner', 'root',
  'server', 'sql', 'support', 'support_388945a0', 'sys', 'test2', 'test3', 'user4', 'user5',
]);
