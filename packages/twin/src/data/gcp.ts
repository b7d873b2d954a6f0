/**
 * Static Google Cloud catalog served by the twin's GCE REST API.
 *
 * Where the facts come from (checked 2024, Google Cloud public documentation and price list):
 * - Regions and zones: `gcloud compute regions list` / `zones list` (Google's region pages name the
 *   metro area used for the coordinates). Zone letters are the real ones: europe-west1 has no "a",
 *   us-east1 starts at "b", us-central1 has "f" but no "d".
 * - Machine types: vCPU and memory from the machine-family pages (`machineTypes.list`); on-demand
 *   Linux prices in USD/h for us-central1 from the VM instance pricing page. Other regions use the
 *   us-central1 price times the region's factor below (that region's e2-standard-2 price over
 *   us-central1's) — an approximation, not a quote. GCE's API does not return prices.
 * - GPU machine types (A2, G2, A3): vCPU, memory and the built-in accelerators
 *   (`accelerators: [{guestAcceleratorType, guestAcceleratorCount}]` as `machineTypes.list` returns
 *   them) from the GPU machine-type pages; their us-central1 prices include the GPUs, which Google
 *   bills as separate GPU SKUs ("Nvidia L4 GPU running in …") at the per-GPU rates in GCP_GPU_TYPES.
 *   Offered only in the regions listed with each family (a subset of the real ones). N1 with
 *   attachable GPUs (acceleratorTypes) is not modelled.
 * - Images: the public projects (`ubuntu-os-cloud`, `debian-cloud`) and image families are the real
 *   ones and names follow the real `<os>-<version>-<codename>-v<date>` pattern; the builds listed are
 *   a small, fixed set, and ids are derived from the name.
 *
 * This data goes stale: refresh it from `gcloud compute … list` and the pricing page when needed.
 */
import { createHash } from 'node:crypto';

export interface GcpRegion {
  name: string;
  /** The metro area Google names for the region. */
  location: string;
  /** Zone suffixes as they exist (`a`, `b`, `c`, `f`…). */
  zones: string[];
  latitude: number;
  longitude: number;
  /** Multiplier on us-central1 on-demand prices (ratio of e2-standard-2 prices). */
  priceFactor: number;
}

export type GcpArchitecture = 'X86_64' | 'ARM64';

export interface GcpMachineType {
  name: string;
  guestCpus: number;
  memoryMb: number;
  /** Shared-core types (e2-micro/small/medium, f1-micro, g1-small). */
  isSharedCpu: boolean;
  architecture: GcpArchitecture;
  description: string;
  maximumPersistentDisks: number;
  /** On-demand Linux price in us-central1, USD per hour. */
  usdPerHour: number;
  /** Regions offering it; absent means every region here. */
  regions?: string[];
  /** GPUs built into the machine type (A2, G2, A3), as machineTypes.list reports them. */
  accelerators?: Array<{ guestAcceleratorType: string; guestAcceleratorCount: number }>;
}

/** An accelerator type (acceleratorTypes.list): name, description, and its on-demand GPU SKU. */
export interface GcpGpuType {
  name: string;
  description: string;
  /** The Cloud Billing SKU description before " running in …". */
  skuDescription: string;
  /** On-demand USD per GPU-hour in us-central1. */
  usdPerHour: number;
}

export const GCP_GPU_TYPES: readonly GcpGpuType[] = [
  { name: 'nvidia-tesla-a100', description: 'NVIDIA A100 40GB', skuDescription: 'Nvidia Tesla A100 GPU', usdPerHour: 2.933908 },
  { name: 'nvidia-a100-80gb', description: 'NVIDIA A100 80GB', skuDescription: 'Nvidia A100 80GB GPU', usdPerHour: 3.92808 },
  { name: 'nvidia-l4', description: 'NVIDIA L4', skuDescription: 'Nvidia L4 GPU', usdPerHour: 0.56004 },
  { name: 'nvidia-h100-80gb', description: 'NVIDIA H100 80GB', skuDescription: 'Nvidia H100 80GB GPU', usdPerHour: 9.79655 },
];

export interface GcpImage {
  project: string;
  name: string;
  family: string;
  description: string;
  /** RFC 3339 with offset, as GCE prints it. */
  creationTimestamp: string;
  diskSizeGb: number;
  archiveSizeBytes: number;
  architecture: GcpArchitecture;
  licenses: string[];
  /** Superseded builds stay listed as DEPRECATED, with their replacement. */
  deprecatedBy?: string;
  /** Cloud-Twin only: VMs of this image get the simulated Kubernetes node runtime (k8s/runtime.ts). */
  nodeRuntime?: 'kubernetes';
}

function region(
  name: string,
  location: string,
  zones: string,
  latitude: number,
  longitude: number,
  priceFactor: number,
): GcpRegion {
  return { name, location, zones: [...zones], latitude, longitude, priceFactor };
}

export const GCP_REGIONS: readonly GcpRegion[] = [
  region('asia-east1', 'Changhua County, Taiwan', 'abc', 24.05, 120.52, 1.158),
  region('asia-east2', 'Hong Kong', 'abc', 22.32, 114.17, 1.398),
  region('asia-northeast1', 'Tokyo, Japan', 'abc', 35.69, 139.69, 1.284),
  region('asia-northeast2', 'Osaka, Japan', 'abc', 34.69, 135.5, 1.284),
  region('asia-northeast3', 'Seoul, South Korea', 'abc', 37.57, 126.98, 1.284),
  region('asia-south1', 'Mumbai, India', 'abc', 19.08, 72.88, 1.2),
  region('asia-southeast1', 'Jurong West, Singapore', 'abc', 1.34, 103.71, 1.234),
  region('australia-southeast1', 'Sydney, Australia', 'abc', -33.87, 151.21, 1.42),
  region('europe-west1', 'St. Ghislain, Belgium', 'bcd', 50.45, 3.82, 1.1),
  region('europe-west2', 'London, England', 'abc', 51.51, -0.13, 1.288),
  region('europe-west3', 'Frankfurt, Germany', 'abc', 50.11, 8.68, 1.288),
  region('europe-west4', 'Eemshaven, Netherlands', 'abc', 53.44, 6.83, 1.1),
  region('northamerica-northeast1', 'Montréal, Québec, North America', 'abc', 45.5, -73.57, 1.098),
  region('southamerica-east1', 'Osasco, São Paulo, Brazil', 'abc', -23.53, -46.79, 1.588),
  region('us-central1', 'Council Bluffs, Iowa, North America', 'abcf', 41.26, -95.86, 1),
  region('us-east1', 'Moncks Corner, South Carolina, North America', 'bcd', 33.19, -80.01, 1),
  region('us-east4', 'Ashburn, Virginia, North America', 'abc', 39.04, -77.49, 1.126),
  region('us-west1', 'The Dalles, Oregon, North America', 'abc', 45.6, -121.18, 1),
];

const ARM_REGIONS = ['us-central1', 'europe-west4', 'asia-southeast1'];

function mt(
  name: string,
  guestCpus: number,
  memoryMb: number,
  usdPerHour: number,
  description: string,
  extra: Partial<GcpMachineType> = {},
): GcpMachineType {
  return {
    name,
    guestCpus,
    memoryMb,
    usdPerHour,
    description,
    isSharedCpu: false,
    architecture: 'X86_64',
    maximumPersistentDisks: 128,
    ...extra,
  };
}

const shared = { isSharedCpu: true, maximumPersistentDisks: 16 } as const;
const A2_REGIONS = ['us-central1', 'us-east1', 'europe-west4', 'asia-northeast1', 'asia-northeast3', 'asia-southeast1'];
const A2_ULTRA_REGIONS = ['us-central1', 'europe-west4', 'asia-southeast1'];
const G2_REGIONS = ['us-central1', 'us-east1', 'us-east4', 'europe-west4', 'asia-northeast1', 'asia-northeast3', 'asia-southeast1'];
const A3_REGIONS = ['us-central1', 'us-east4', 'europe-west4'];
const gpus = (regions: string[], guestAcceleratorType: string, guestAcceleratorCount: number): Partial<GcpMachineType> => ({
  regions,
  accelerators: [{ guestAcceleratorType, guestAcceleratorCount }],
});
const arm = { architecture: 'ARM64', regions: ARM_REGIONS } as const;

export const GCP_MACHINE_TYPES: readonly GcpMachineType[] = [
  mt('e2-micro', 2, 1024, 0.008376, '2 vCPU (1/4 shared physical core) and 1 GB RAM', shared),
  mt('e2-small', 2, 2048, 0.016751, '2 vCPU (1/2 shared physical core) and 2 GB RAM', shared),
  mt('e2-medium', 2, 4096, 0.033503, '2 vCPU (1 shared physical core) and 4 GB RAM', shared),
  mt('e2-standard-2', 2, 8192, 0.067006, 'Efficient Instance, 2 vCPUs, 8 GB RAM'),
  mt('e2-standard-4', 4, 16384, 0.134012, 'Efficient Instance, 4 vCPUs, 16 GB RAM'),
  mt('e2-standard-8', 8, 32768, 0.268024, 'Efficient Instance, 8 vCPUs, 32 GB RAM'),
  mt('e2-standard-16', 16, 65536, 0.536048, 'Efficient Instance, 16 vCPUs, 64 GB RAM'),
  mt('e2-highcpu-2', 2, 2048, 0.049468, 'Efficient Instance, 2 vCPUs, 2 GB RAM'),
  mt('e2-highcpu-4', 4, 4096, 0.098936, 'Efficient Instance, 4 vCPUs, 4 GB RAM'),
  mt('e2-highmem-2', 2, 16384, 0.090416, 'Efficient Instance, 2 vCPUs, 16 GB RAM'),
  mt('e2-highmem-4', 4, 32768, 0.180832, 'Efficient Instance, 4 vCPUs, 32 GB RAM'),
  mt('f1-micro', 1, 614, 0.0076, '1 vCPU (shared physical core) and 0.6 GB RAM', shared),
  mt('g1-small', 1, 1740, 0.0257, '1 vCPU (shared physical core) and 1.7 GB RAM', shared),
  mt('n1-standard-1', 1, 3840, 0.0475, '1 vCPU, 3.75 GB RAM'),
  mt('n1-standard-2', 2, 7680, 0.095, '2 vCPUs, 7.5 GB RAM'),
  mt('n1-standard-4', 4, 15360, 0.19, '4 vCPUs, 15 GB RAM'),
  mt('n1-standard-8', 8, 30720, 0.38, '8 vCPUs, 30 GB RAM'),
  mt('n2-standard-2', 2, 8192, 0.097118, '2 vCPUs 8 GB RAM'),
  mt('n2-standard-4', 4, 16384, 0.194236, '4 vCPUs 16 GB RAM'),
  mt('n2-standard-8', 8, 32768, 0.388472, '8 vCPUs 32 GB RAM'),
  mt('n2-highcpu-2', 2, 2048, 0.071696, '2 vCPUs 2 GB RAM'),
  mt('n2-highmem-2', 2, 16384, 0.131014, '2 vCPUs 16 GB RAM'),
  mt('n2d-standard-2', 2, 8192, 0.084492, '2 vCPUs 8 GB RAM'),
  mt('n2d-standard-4', 4, 16384, 0.168984, '4 vCPUs 16 GB RAM'),
  mt('c2-standard-4', 4, 16384, 0.2088, 'Compute Optimized: 4 vCPUs, 16 GB RAM'),
  mt('c2-standard-8', 8, 32768, 0.4176, 'Compute Optimized: 8 vCPUs, 32 GB RAM'),
  mt('c3-standard-4', 4, 16384, 0.201608, '4 vCPUs, 16 GB RAM'),
  mt('t2d-standard-1', 1, 4096, 0.042246, '1 vCPU, 4 GB RAM'),
  mt('t2d-standard-2', 2, 8192, 0.084492, '2 vCPUs, 8 GB RAM'),
  mt('t2a-standard-1', 1, 4096, 0.0385, '1 vCPU, 4 GB RAM', arm),
  mt('t2a-standard-2', 2, 8192, 0.077, '2 vCPUs, 8 GB RAM', arm),
  mt('a2-highgpu-1g', 12, 87040, 3.673385, 'Accelerator Optimized: 1 NVIDIA Tesla A100 GPU, 12 vCPUs, 85GB RAM', gpus(A2_REGIONS, 'nvidia-tesla-a100', 1)),
  mt('a2-highgpu-2g', 24, 174080, 7.34677, 'Accelerator Optimized: 2 NVIDIA Tesla A100 GPUs, 24 vCPUs, 170GB RAM', gpus(A2_REGIONS, 'nvidia-tesla-a100', 2)),
  mt('a2-highgpu-4g', 48, 348160, 14.69354, 'Accelerator Optimized: 4 NVIDIA Tesla A100 GPUs, 48 vCPUs, 340GB RAM', gpus(A2_REGIONS, 'nvidia-tesla-a100', 4)),
  mt('a2-highgpu-8g', 96, 696320, 29.38708, 'Accelerator Optimized: 8 NVIDIA Tesla A100 GPUs, 96 vCPUs, 680GB RAM', gpus(A2_REGIONS, 'nvidia-tesla-a100', 8)),
  mt('a2-ultragpu-1g', 12, 174080, 5.027702, 'Accelerator Optimized: 1 NVIDIA A100 80GB GPU, 12 vCPUs, 170GB RAM', gpus(A2_ULTRA_REGIONS, 'nvidia-a100-80gb', 1)),
  mt('g2-standard-4', 4, 16384, 0.703728, 'Accelerator Optimized: 1 NVIDIA L4 GPU, 4 vCPUs, 16GB RAM', gpus(G2_REGIONS, 'nvidia-l4', 1)),
  mt('g2-standard-8', 8, 32768, 0.847416, 'Accelerator Optimized: 1 NVIDIA L4 GPU, 8 vCPUs, 32GB RAM', gpus(G2_REGIONS, 'nvidia-l4', 1)),
  mt('g2-standard-24', 24, 98304, 1.982208, 'Accelerator Optimized: 2 NVIDIA L4 GPUs, 24 vCPUs, 96GB RAM', gpus(G2_REGIONS, 'nvidia-l4', 2)),
  mt('a3-highgpu-8g', 208, 1916928, 88.253728, 'Accelerator Optimized: 8 NVIDIA H100 80GB GPUs, 208 vCPUs, 1872GB RAM', gpus(A3_REGIONS, 'nvidia-h100-80gb', 8)),
];

const UBUNTU = 'ubuntu-os-cloud';
const DEBIAN = 'debian-cloud';
const license = (project: string, name: string) => `projects/${project}/global/licenses/${name}`;

function img(
  project: string,
  name: string,
  family: string,
  description: string,
  created: string,
  extra: Partial<GcpImage> = {},
): GcpImage {
  return {
    project,
    name,
    family,
    description,
    creationTimestamp: created,
    diskSizeGb: 10,
    archiveSizeBytes: 1_000_000_000 + (parseInt(hashHex(name).slice(0, 6), 16) % 900_000_000),
    architecture: 'X86_64',
    licenses: [],
    ...extra,
  };
}

export const GCP_IMAGES: readonly GcpImage[] = [
  img(UBUNTU, 'ubuntu-2004-focal-v20240307b', 'ubuntu-2004-lts', 'Canonical, Ubuntu, 20.04 LTS, amd64 focal image built on 2024-03-07', '2024-03-07T17:09:32.118-08:00', { licenses: [license(UBUNTU, 'ubuntu-2004-lts')] }),
  img(UBUNTU, 'ubuntu-2204-jammy-v20240126', 'ubuntu-2204-lts', 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image built on 2024-01-26', '2024-01-26T10:51:29.846-08:00', { licenses: [license(UBUNTU, 'ubuntu-2204-lts')], nodeRuntime: 'kubernetes', deprecatedBy: 'ubuntu-2204-jammy-v20240319' }),
  img(UBUNTU, 'ubuntu-2204-jammy-v20240319', 'ubuntu-2204-lts', 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image built on 2024-03-19', '2024-03-19T09:20:55.529-07:00', { licenses: [license(UBUNTU, 'ubuntu-2204-lts')], nodeRuntime: 'kubernetes' }),
  img(UBUNTU, 'ubuntu-2204-jammy-arm64-v20240319', 'ubuntu-2204-lts-arm64', 'Canonical, Ubuntu, 22.04 LTS, arm64 jammy image built on 2024-03-19', '2024-03-19T09:21:12.004-07:00', { architecture: 'ARM64', licenses: [license(UBUNTU, 'ubuntu-2204-lts')] }),
  img(UBUNTU, 'ubuntu-2404-noble-amd64-v20240523a', 'ubuntu-2404-lts-amd64', 'Canonical, Ubuntu, 24.04 LTS, amd64 noble image built on 2024-05-23', '2024-05-23T16:08:45.312-07:00', { licenses: [license(UBUNTU, 'ubuntu-2404-lts')] }),
  img(UBUNTU, 'ubuntu-2404-noble-arm64-v20240523a', 'ubuntu-2404-lts-arm64', 'Canonical, Ubuntu, 24.04 LTS, arm64 noble image built on 2024-05-23', '2024-05-23T16:09:02.771-07:00', { architecture: 'ARM64', licenses: [license(UBUNTU, 'ubuntu-2404-lts')] }),
  img(DEBIAN, 'debian-11-bullseye-v20240312', 'debian-11', 'Debian, Debian GNU/Linux, 11 (bullseye), amd64 built on 20240312', '2024-03-12T11:03:41.224-07:00', { licenses: [license(DEBIAN, 'debian-11-bullseye')] }),
  img(DEBIAN, 'debian-12-bookworm-v20240110', 'debian-12', 'Debian, Debian GNU/Linux, 12 (bookworm), amd64 built on 20240110', '2024-01-10T10:12:58.903-08:00', { licenses: [license(DEBIAN, 'debian-12-bookworm')], deprecatedBy: 'debian-12-bookworm-v20240312' }),
  img(DEBIAN, 'debian-12-bookworm-v20240312', 'debian-12', 'Debian, Debian GNU/Linux, 12 (bookworm), amd64 built on 20240312', '2024-03-12T11:04:16.537-07:00', { licenses: [license(DEBIAN, 'debian-12-bookworm')] }),
  img(DEBIAN, 'debian-12-bookworm-arm64-v20240312', 'debian-12-arm64', 'Debian, Debian GNU/Linux, 12 (bookworm), arm64 built on 20240312', '2024-03-12T11:04:40.018-07:00', { architecture: 'ARM64', licenses: [license(DEBIAN, 'debian-12-bookworm-arm64')] }),
];

/** Projects whose images anyone can read. */
export const PUBLIC_IMAGE_PROJECTS: readonly string[] = [UBUNTU, DEBIAN];

export function hashHex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** GCE ids are unsigned 64-bit decimals; derive a stable one from a name (fits in 19 digits). */
export function numericId(seed: string): string {
  return (BigInt(`0x${hashHex(seed).slice(0, 15)}`) + 1_000_000_000_000_000_000n).toString();
}

export function findGcpRegion(name: string): GcpRegion | undefined {
  return GCP_REGIONS.find((r) => r.name === name);
}

/** The region of a zone name, if the zone exists (`us-central1-a` → us-central1). */
export function regionOfZone(zone: string): GcpRegion | undefined {
  const dash = zone.lastIndexOf('-');
  if (dash < 0) return undefined;
  const r = findGcpRegion(zone.slice(0, dash));
  return r && r.zones.includes(zone.slice(dash + 1)) ? r : undefined;
}

export function zonesOf(r: GcpRegion): string[] {
  return r.zones.map((z) => `${r.name}-${z}`);
}

/** Machine types offered in a zone's region. */
export function machineTypesIn(regionName: string): GcpMachineType[] {
  return GCP_MACHINE_TYPES.filter((m) => !m.regions || m.regions.includes(regionName));
}

/** On-demand USD/h of a machine type in a region (approximation, see the header). */
export function gcpOnDemandPrice(machineType: string, regionName: string): number | undefined {
  const m = GCP_MACHINE_TYPES.find((t) => t.name === machineType);
  const r = findGcpRegion(regionName);
  if (!m || !r) return undefined;
  return Math.round(m.usdPerHour * r.priceFactor * 1e6) / 1e6;
}
