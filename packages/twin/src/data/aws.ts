/**
 * Static AWS catalog served by the twin's EC2 API.
 *
 * Where the facts come from (checked 2024, AWS public documentation and price list):
 * - Regions and zone names: EC2 `DescribeRegions` / `DescribeAvailabilityZones` as seen from a
 *   typical account (zone letters are account-mapped by AWS; the letters used here are the ones a
 *   new account gets, e.g. ap-northeast-1 has no "b" and ca-central-1 has no "c"). Coordinates are
 *   the metro area AWS names for the region.
 * - Instance types: vCPU, memory, architecture, clock and network figures from the EC2 instance
 *   type pages (`DescribeInstanceTypes`); on-demand Linux prices in USD/h for us-east-1 from the
 *   AWS price list. Prices in other regions are the us-east-1 price times the region's factor
 *   below, which is that region's t3.micro price divided by us-east-1's — an approximation, not a
 *   quote.
 * - Images: owner accounts are the publishers' real ones (Canonical 099720109477, Debian
 *   136693071363) and the names follow their real patterns; AMI ids are not the real ones (those
 *   differ per region and build): they are derived deterministically from region and name.
 *
 * This data goes stale: refresh it from `aws ec2 describe-*` and the price list when needed.
 */
import { createHash } from 'node:crypto';

export interface AwsRegion {
  name: string;
  /** Human name as AWS shows it in the console. */
  displayName: string;
  zones: string[];
  /** Zone ids (`use1-az1`…) in the same order as `zones`. */
  zoneIds: string[];
  latitude: number;
  longitude: number;
  /** Multiplier on us-east-1 on-demand prices (ratio of t3.micro prices). */
  priceFactor: number;
}

export type AwsArchitecture = 'x86_64' | 'arm64';

export interface AwsInstanceType {
  name: string;
  vcpus: number;
  /** Physical cores; vcpus / cores is the threads per core. */
  cores: number;
  memoryMiB: number;
  architecture: AwsArchitecture;
  manufacturer: 'Intel' | 'AMD' | 'AWS';
  clockGhz: number;
  networkPerformance: string;
  maxNetworkInterfaces: number;
  hypervisor: 'nitro' | 'xen';
  burstable: boolean;
  freeTierEligible: boolean;
  /** On-demand Linux price in us-east-1, USD per hour. */
  usdPerHour: number;
  /** Attached GPUs, as DescribeInstanceTypes' GpuInfo names them. */
  gpu?: AwsGpu;
}

export interface AwsGpu {
  name: string;
  manufacturer: string;
  count: number;
  /** Memory of one GPU. */
  memoryMiB: number;
}

function region(
  name: string,
  displayName: string,
  letters: string,
  azNumbers: number[],
  prefix: string,
  latitude: number,
  longitude: number,
  priceFactor: number,
): AwsRegion {
  const zones = [...letters].map((l) => `${name}${l}`);
  const zoneIds = azNumbers.map((n) => `${prefix}-az${n}`);
  return { name, displayName, zones, zoneIds, latitude, longitude, priceFactor };
}

export const AWS_REGIONS: readonly AwsRegion[] = [
  region('us-east-1', 'US East (N. Virginia)', 'abcdef', [4, 6, 1, 2, 3, 5], 'use1', 38.9, -77.4, 1),
  region('us-east-2', 'US East (Ohio)', 'abc', [1, 2, 3], 'use2', 40.0, -83.0, 1),
  region('us-west-1', 'US West (N. California)', 'bc', [1, 3], 'usw1', 37.4, -121.9, 1.192),
  region('us-west-2', 'US West (Oregon)', 'abcd', [2, 1, 3, 4], 'usw2', 45.9, -119.3, 1),
  region('ca-central-1', 'Canada (Central)', 'abd', [1, 2, 4], 'cac1', 45.5, -73.6, 1.115),
  region('sa-east-1', 'South America (Sao Paulo)', 'abc', [1, 2, 3], 'sae1', -23.5, -46.6, 1.615),
  region('eu-west-1', 'Europe (Ireland)', 'abc', [1, 2, 3], 'euw1', 53.3, -6.3, 1.096),
  region('eu-west-2', 'Europe (London)', 'abc', [2, 3, 1], 'euw2', 51.5, -0.1, 1.135),
  region('eu-central-1', 'Europe (Frankfurt)', 'abc', [1, 2, 3], 'euc1', 50.1, 8.7, 1.154),
  region('eu-north-1', 'Europe (Stockholm)', 'abc', [1, 2, 3], 'eun1', 59.3, 18.1, 1.038),
  region('ap-northeast-1', 'Asia Pacific (Tokyo)', 'acd', [4, 1, 2], 'apne1', 35.7, 139.7, 1.308),
  region('ap-northeast-2', 'Asia Pacific (Seoul)', 'abcd', [1, 2, 3, 4], 'apne2', 37.6, 127.0, 1.25),
  region('ap-southeast-1', 'Asia Pacific (Singapore)', 'abc', [1, 2, 3], 'apse1', 1.35, 103.8, 1.269),
  region('ap-southeast-2', 'Asia Pacific (Sydney)', 'abc', [2, 1, 3], 'apse2', -33.9, 151.2, 1.269),
  region('ap-south-1', 'Asia Pacific (Mumbai)', 'abc', [1, 3, 2], 'aps1', 19.1, 72.9, 1.077),
];

const REGION_BY_NAME = new Map(AWS_REGIONS.map((r) => [r.name, r]));

export function findRegion(name: string): AwsRegion | undefined {
  return REGION_BY_NAME.get(name);
}

type TypeRow = [
  name: string,
  vcpus: number,
  cores: number,
  memoryMiB: number,
  usdPerHour: number,
  networkPerformance: string,
  maxNetworkInterfaces: number,
];

interface Family {
  architecture: AwsArchitecture;
  manufacturer: AwsInstanceType['manufacturer'];
  clockGhz: number;
  hypervisor: AwsInstanceType['hypervisor'];
  burstable: boolean;
  rows: TypeRow[];
  /** The GPU model of the family; the count per type is in `gpus`. */
  gpu?: Omit<AwsGpu, 'count'>;
  gpus?: Record<string, number>;
}

const FAMILIES: Family[] = [
  {
    architecture: 'x86_64', manufacturer: 'Intel', clockGhz: 2.5, hypervisor: 'xen', burstable: true,
    rows: [
      ['t2.micro', 1, 1, 1024, 0.0116, 'Low to Moderate', 2],
      ['t2.small', 1, 1, 2048, 0.023, 'Low to Moderate', 3],
      ['t2.medium', 2, 2, 4096, 0.0464, 'Low to Moderate', 3],
    ],
  },
  {
    architecture: 'x86_64', manufacturer: 'Intel', clockGhz: 3.1, hypervisor: 'nitro', burstable: true,
    rows: [
      ['t3.nano', 2, 1, 512, 0.0052, 'Up to 5 Gigabit', 2],
      ['t3.micro', 2, 1, 1024, 0.0104, 'Up to 5 Gigabit', 2],
      ['t3.small', 2, 1, 2048, 0.0208, 'Up to 5 Gigabit', 3],
      ['t3.medium', 2, 1, 4096, 0.0416, 'Up to 5 Gigabit', 3],
      ['t3.large', 2, 1, 8192, 0.0832, 'Up to 5 Gigabit', 3],
      ['t3.xlarge', 4, 2, 16384, 0.1664, 'Up to 5 Gigabit', 4],
      ['t3.2xlarge', 8, 4, 32768, 0.3328, 'Up to 5 Gigabit', 4],
    ],
  },
  {
    architecture: 'x86_64', manufacturer: 'AMD', clockGhz: 2.5, hypervisor: 'nitro', burstable: true,
    rows: [
      ['t3a.micro', 2, 1, 1024, 0.0094, 'Up to 5 Gigabit', 2],
      ['t3a.small', 2, 1, 2048, 0.0188, 'Up to 5 Gigabit', 2],
      ['t3a.medium', 2, 1, 4096, 0.0376, 'Up to 5 Gigabit', 3],
    ],
  },
  {
    architecture: 'arm64', manufacturer: 'AWS', clockGhz: 2.5, hypervisor: 'nitro', burstable: true,
    rows: [
      ['t4g.nano', 2, 2, 512, 0.0042, 'Up to 5 Gigabit', 2],
      ['t4g.micro', 2, 2, 1024, 0.0084, 'Up to 5 Gigabit', 2],
      ['t4g.small', 2, 2, 2048, 0.0168, 'Up to 5 Gigabit', 3],
      ['t4g.medium', 2, 2, 4096, 0.0336, 'Up to 5 Gigabit', 3],
      ['t4g.large', 2, 2, 8192, 0.0672, 'Up to 5 Gigabit', 3],
      ['t4g.xlarge', 4, 4, 16384, 0.1344, 'Up to 5 Gigabit', 4],
    ],
  },
  {
    architecture: 'x86_64', manufacturer: 'Intel', clockGhz: 3.1, hypervisor: 'nitro', burstable: false,
    rows: [
      ['m5.large', 2, 1, 8192, 0.096, 'Up to 10 Gigabit', 3],
      ['m5.xlarge', 4, 2, 16384, 0.192, 'Up to 10 Gigabit', 4],
      ['m5.2xlarge', 8, 4, 32768, 0.384, 'Up to 10 Gigabit', 4],
      ['r5.large', 2, 1, 16384, 0.126, 'Up to 10 Gigabit', 3],
      ['r5.xlarge', 4, 2, 32768, 0.252, 'Up to 10 Gigabit', 4],
    ],
  },
  {
    architecture: 'x86_64', manufacturer: 'Intel', clockGhz: 3.4, hypervisor: 'nitro', burstable: false,
    rows: [
      ['c5.large', 2, 1, 4096, 0.085, 'Up to 10 Gigabit', 3],
      ['c5.xlarge', 4, 2, 8192, 0.17, 'Up to 10 Gigabit', 4],
      ['c5.2xlarge', 8, 4, 16384, 0.34, 'Up to 10 Gigabit', 4],
    ],
  },
  {
    architecture: 'x86_64', manufacturer: 'Intel', clockGhz: 3.5, hypervisor: 'nitro', burstable: false,
    rows: [
      ['m6i.large', 2, 1, 8192, 0.096, 'Up to 12.5 Gigabit', 3],
      ['m6i.xlarge', 4, 2, 16384, 0.192, 'Up to 12.5 Gigabit', 4],
      ['c6i.large', 2, 1, 4096, 0.085, 'Up to 12.5 Gigabit', 3],
      ['r6i.large', 2, 1, 16384, 0.126, 'Up to 12.5 Gigabit', 3],
    ],
  },
  {
    architecture: 'arm64', manufacturer: 'AWS', clockGhz: 2.5, hypervisor: 'nitro', burstable: false,
    rows: [
      ['m6g.large', 2, 2, 8192, 0.077, 'Up to 10 Gigabit', 3],
      ['m6g.xlarge', 4, 4, 16384, 0.154, 'Up to 10 Gigabit', 4],
      ['c6g.large', 2, 2, 4096, 0.068, 'Up to 10 Gigabit', 3],
      ['r6g.large', 2, 2, 16384, 0.1008, 'Up to 10 Gigabit', 3],
    ],
  },
  {
    architecture: 'arm64', manufacturer: 'AWS', clockGhz: 2.6, hypervisor: 'nitro', burstable: false,
    rows: [
      ['m7g.large', 2, 2, 8192, 0.0816, 'Up to 12.5 Gigabit', 3],
      ['c7g.large', 2, 2, 4096, 0.0725, 'Up to 12.5 Gigabit', 3],
    ],
  },
  // GPU families: G4dn (NVIDIA T4), G5 (NVIDIA A10G), P4d (NVIDIA A100).
  {
    architecture: 'x86_64', manufacturer: 'Intel', clockGhz: 2.5, hypervisor: 'nitro', burstable: false,
    gpu: { name: 'T4', manufacturer: 'NVIDIA', memoryMiB: 16384 },
    gpus: { 'g4dn.xlarge': 1, 'g4dn.2xlarge': 1, 'g4dn.12xlarge': 4 },
    rows: [
      ['g4dn.xlarge', 4, 2, 16384, 0.526, 'Up to 25 Gigabit', 3],
      ['g4dn.2xlarge', 8, 4, 32768, 0.752, 'Up to 25 Gigabit', 3],
      ['g4dn.12xlarge', 48, 24, 196608, 3.912, '50 Gigabit', 8],
    ],
  },
  {
    architecture: 'x86_64', manufacturer: 'AMD', clockGhz: 3.3, hypervisor: 'nitro', burstable: false,
    gpu: { name: 'A10G', manufacturer: 'NVIDIA', memoryMiB: 24576 },
    gpus: { 'g5.xlarge': 1, 'g5.12xlarge': 4 },
    rows: [
      ['g5.xlarge', 4, 2, 16384, 1.006, 'Up to 10 Gigabit', 4],
      ['g5.12xlarge', 48, 24, 196608, 5.672, '40 Gigabit', 7],
    ],
  },
  {
    architecture: 'x86_64', manufacturer: 'Intel', clockGhz: 3.0, hypervisor: 'nitro', burstable: false,
    gpu: { name: 'A100', manufacturer: 'NVIDIA', memoryMiB: 40960 },
    gpus: { 'p4d.24xlarge': 8 },
    rows: [['p4d.24xlarge', 96, 48, 1179648, 32.7726, '4x 100 Gigabit', 60]],
  },
];

const FREE_TIER = new Set(['t2.micro', 't3.micro']);

export const AWS_INSTANCE_TYPES: readonly AwsInstanceType[] = FAMILIES.flatMap((f) =>
  f.rows.map(([name, vcpus, cores, memoryMiB, usdPerHour, networkPerformance, maxNetworkInterfaces]) => ({
    name,
    vcpus,
    cores,
    memoryMiB,
    architecture: f.architecture,
    manufacturer: f.manufacturer,
    clockGhz: name === 't2.micro' ? 2.5 : f.clockGhz,
    networkPerformance,
    maxNetworkInterfaces,
    hypervisor: f.hypervisor,
    burstable: f.burstable,
    freeTierEligible: FREE_TIER.has(name),
    usdPerHour,
    ...(f.gpu && f.gpus?.[name] ? { gpu: { ...f.gpu, count: f.gpus[name] } } : {}),
  })),
).sort((a, b) => a.name.localeCompare(b.name, 'en'));

const TYPE_BY_NAME = new Map(AWS_INSTANCE_TYPES.map((t) => [t.name, t]));

export function findInstanceType(name: string): AwsInstanceType | undefined {
  return TYPE_BY_NAME.get(name);
}

/** On-demand Linux price of `type` in `region`, USD/h, rounded to 4 decimals. */
export function onDemandPrice(type: AwsInstanceType, region: AwsRegion): number {
  return Math.round(type.usdPerHour * region.priceFactor * 10_000) / 10_000;
}

export interface AwsImage {
  imageId: string;
  name: string;
  description: string;
  ownerId: string;
  architecture: AwsArchitecture;
  creationDate: string;
  rootDeviceName: string;
  rootVolumeGiB: number;
  snapshotId: string;
  /** Default login user of the distribution's cloud image. */
  sshUser: string;
  distro: 'ubuntu' | 'debian';
  /** Cloud-Twin only: VMs of this image get the simulated Kubernetes node runtime (k8s/runtime.ts). */
  nodeRuntime?: 'kubernetes';
}

export const CANONICAL_OWNER_ID = '099720109477';
export const DEBIAN_OWNER_ID = '136693071363';

interface ImageSpec {
  name: string;
  description: string;
  ownerId: string;
  architecture: AwsArchitecture;
  creationDate: string;
  rootDeviceName: string;
  sshUser: string;
  distro: AwsImage['distro'];
  nodeRuntime?: 'kubernetes';
}

function ubuntu(
  codename: string,
  version: string,
  store: string,
  arch: 'amd64' | 'arm64',
  build: string,
  creationDate: string,
): ImageSpec {
  const day = `${build.slice(0, 4)}-${build.slice(4, 6)}-${build.slice(6, 8)}`;
  return {
    name: `ubuntu/images/${store}/ubuntu-${codename}-${version}-${arch}-server-${build}`,
    description: `Canonical, Ubuntu, ${version} LTS, ${arch} ${codename} image build on ${day}`,
    ownerId: CANONICAL_OWNER_ID,
    architecture: arch === 'amd64' ? 'x86_64' : 'arm64',
    creationDate,
    rootDeviceName: '/dev/sda1',
    sshUser: 'ubuntu',
    distro: 'ubuntu',
    // Ubuntu 22.04 is the twin's Kubernetes node image: the same manifest works on real clouds.
    ...(version === '22.04' ? { nodeRuntime: 'kubernetes' as const } : {}),
  };
}

function debian(arch: 'amd64' | 'arm64', build: string, creationDate: string): ImageSpec {
  return {
    name: `debian-12-${arch}-${build}`,
    description: `Debian 12 (${build})`,
    ownerId: DEBIAN_OWNER_ID,
    architecture: arch === 'amd64' ? 'x86_64' : 'arm64',
    creationDate,
    rootDeviceName: '/dev/xvda',
    sshUser: 'admin',
    distro: 'debian',
  };
}

const IMAGE_SPECS: ImageSpec[] = (['amd64', 'arm64'] as const).flatMap((arch) => [
  ubuntu('jammy', '22.04', 'hvm-ssd', arch, '20240207.1', '2024-02-07T14:22:38.000Z'),
  ubuntu('jammy', '22.04', 'hvm-ssd', arch, '20240301', '2024-03-01T08:51:12.000Z'),
  ubuntu('noble', '24.04', 'hvm-ssd-gp3', arch, '20240423', '2024-04-23T11:03:44.000Z'),
  ubuntu('noble', '24.04', 'hvm-ssd-gp3', arch, '20240605', '2024-06-05T09:30:07.000Z'),
  debian(arch, '20240211-1654', '2024-02-11T17:00:31.000Z'),
  debian(arch, '20240507-1740', '2024-05-07T18:03:20.000Z'),
]);

function hexId(prefix: string, seed: string): string {
  return `${prefix}-0${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}

const imagesByRegion = new Map<string, AwsImage[]>();

/** The images published in `region` (deterministic ids; same list on every call). */
export function imagesFor(region: string): AwsImage[] {
  let list = imagesByRegion.get(region);
  if (!list) {
    list = IMAGE_SPECS.map((s) => ({
      ...s,
      imageId: hexId('ami', `${region}/${s.ownerId}/${s.name}`),
      snapshotId: hexId('snap', `${region}/${s.name}`),
      rootVolumeGiB: 8,
    }));
    imagesByRegion.set(region, list);
  }
  return list;
}
