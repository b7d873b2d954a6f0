/**
 * Static Alibaba Cloud (ECS) catalog served by the twin's ECS RPC API.
 *
 * Where the facts come from (Alibaba Cloud public documentation, international site, checked 2024):
 * - Regions, their local names and zone letters: ECS `DescribeRegions` / `DescribeZones` as a new
 *   international account sees them. Coordinates are the city Alibaba names for the region.
 * - Instance types: vCPU, memory and GPU figures of the ECS "instance families" pages (g7, c7, r7,
 *   t6, u1, gn6i, gn7i, g8y). Pay-as-you-go Linux prices in USD/h for ap-southeast-1 (Singapore);
 *   other regions are that price times the region's factor, an approximation, not a quote.
 * - Images: the public "system" images keep Alibaba's id pattern
 *   (`ubuntu_22_04_x64_20G_alibase_<date>.vhd`); the dates are recent builds, not necessarily the
 *   current ones.
 *
 * This data goes stale: refresh it from `aliyun ecs Describe*` and the price calculator when needed.
 */

export interface AlibabaRegion {
  id: string;
  /** DescribeRegions' LocalName with AcceptLanguage=en-US… */
  englishName: string;
  /** …and with the default zh-CN. */
  localName: string;
  zones: string[];
  latitude: number;
  longitude: number;
  /** Multiplier on the ap-southeast-1 price. */
  priceFactor: number;
}

export interface AlibabaInstanceType {
  id: string;
  family: string;
  vcpus: number;
  memoryGiB: number;
  arch: 'X86' | 'ARM';
  /** Pay-as-you-go Linux price in ap-southeast-1, USD per hour. */
  usdPerHour: number;
  gpu?: { spec: string; amount: number; memoryGiB: number };
}

export interface AlibabaImage {
  id: string;
  name: string;
  osName: string;
  platform: 'Ubuntu' | 'Debian';
  family: string;
  creationTime: string;
  sizeGiB: number;
  /** Set for images the twin's Kubernetes node runtime backs (Ubuntu 22.04, as on the other clouds). */
  nodeRuntime?: 'kubernetes';
}

function region(id: string, englishName: string, localName: string, letters: string, latitude: number, longitude: number, priceFactor: number): AlibabaRegion {
  return { id, englishName, localName, zones: [...letters].map((l) => `${id}-${l}`), latitude, longitude, priceFactor };
}

export const ALIBABA_REGIONS: readonly AlibabaRegion[] = [
  region('cn-hangzhou', 'China (Hangzhou)', '华东1（杭州）', 'hijk', 30.27, 120.16, 0.82),
  region('cn-shanghai', 'China (Shanghai)', '华东2（上海）', 'efgl', 31.23, 121.47, 0.82),
  region('cn-beijing', 'China (Beijing)', '华北2（北京）', 'hijkl', 39.9, 116.41, 0.82),
  region('cn-hongkong', 'China (Hong Kong)', '中国香港', 'bcd', 22.32, 114.17, 1.12),
  region('ap-southeast-1', 'Singapore', '新加坡', 'abc', 1.35, 103.82, 1),
  region('ap-northeast-1', 'Japan (Tokyo)', '日本（东京）', 'abc', 35.68, 139.69, 1.1),
  region('ap-northeast-2', 'South Korea (Seoul)', '韩国（首尔）', 'a', 37.57, 126.98, 1.08),
  region('us-west-1', 'US (Silicon Valley)', '美国（硅谷）', 'ab', 37.39, -122.08, 0.95),
  region('us-east-1', 'US (Virginia)', '美国（弗吉尼亚）', 'ab', 38.95, -77.45, 0.95),
  region('eu-central-1', 'Germany (Frankfurt)', '德国（法兰克福）', 'abc', 50.11, 8.68, 1.05),
];

export function findAlibabaRegion(id: string): AlibabaRegion | undefined {
  return ALIBABA_REGIONS.find((r) => r.id === id);
}

export function regionOfAlibabaZone(zone: string): AlibabaRegion | undefined {
  return ALIBABA_REGIONS.find((r) => r.zones.includes(zone));
}

/** A family's sizes: `[suffix, vcpus, memoryGiB, usdPerHour]`. */
type Size = [string, number, number, number];

function family(name: string, arch: 'X86' | 'ARM', sizes: Size[], gpu?: AlibabaInstanceType['gpu']): AlibabaInstanceType[] {
  return sizes.map(([suffix, vcpus, memoryGiB, usdPerHour]) => ({
    id: `ecs.${name}.${suffix}`,
    family: `ecs.${name.split('.')[0]}`,
    vcpus,
    memoryGiB,
    arch,
    usdPerHour,
    ...(gpu ? { gpu } : {}),
  }));
}

export const ALIBABA_INSTANCE_TYPES: readonly AlibabaInstanceType[] = [
  ...family('t6-c1m1', 'X86', [['large', 2, 2, 0.0275]]),
  ...family('t6-c1m2', 'X86', [['large', 2, 4, 0.0396]]),
  ...family('u1-c1m2', 'X86', [['large', 2, 4, 0.0612], ['xlarge', 4, 8, 0.1224]]),
  ...family('c7', 'X86', [['large', 2, 4, 0.0853], ['xlarge', 4, 8, 0.1706], ['2xlarge', 8, 16, 0.3412]]),
  ...family('g7', 'X86', [['large', 2, 8, 0.1117], ['xlarge', 4, 16, 0.2234], ['2xlarge', 8, 32, 0.4468]]),
  ...family('r7', 'X86', [['large', 2, 16, 0.1472], ['xlarge', 4, 32, 0.2944]]),
  ...family('g8y', 'ARM', [['large', 2, 8, 0.0894], ['xlarge', 4, 16, 0.1788]]),
  ...family('gn6i-c4g1', 'X86', [['xlarge', 4, 15, 1.1357]], { spec: 'NVIDIA T4', amount: 1, memoryGiB: 16 }),
  ...family('gn7i-c8g1', 'X86', [['2xlarge', 8, 30, 1.7869]], { spec: 'NVIDIA A10', amount: 1, memoryGiB: 24 }),
];

/** Types every zone of a region sells; GPU types only in the first zone (as stock goes). */
export function instanceTypesIn(zone: string): AlibabaInstanceType[] {
  const r = regionOfAlibabaZone(zone);
  if (!r) return [];
  return ALIBABA_INSTANCE_TYPES.filter((t) => !t.gpu || r.zones[0] === zone);
}

export function findAlibabaInstanceType(id: string): AlibabaInstanceType | undefined {
  return ALIBABA_INSTANCE_TYPES.find((t) => t.id === id);
}

export function alibabaPrice(type: AlibabaInstanceType, r: AlibabaRegion): number {
  return Math.round(type.usdPerHour * r.priceFactor * 10_000) / 10_000;
}

/** ESSD PL0 system disk, USD per GiB and hour (DescribePrice adds it to the instance price). */
export const SYSTEM_DISK_USD_PER_GIB_HOUR = 0.00007;

export const ALIBABA_IMAGES: readonly AlibabaImage[] = [
  { id: 'ubuntu_22_04_x64_20G_alibase_20240926.vhd', name: 'ubuntu_22_04_x64_20G_alibase_20240926.vhd', osName: 'Ubuntu  22.04 64 bit', platform: 'Ubuntu', family: 'acs:ubuntu_22_04_x64', creationTime: '2024-09-26T09:35:12Z', sizeGiB: 20, nodeRuntime: 'kubernetes' },
  { id: 'ubuntu_22_04_x64_20G_alibase_20240508.vhd', name: 'ubuntu_22_04_x64_20G_alibase_20240508.vhd', osName: 'Ubuntu  22.04 64 bit', platform: 'Ubuntu', family: 'acs:ubuntu_22_04_x64', creationTime: '2024-05-08T08:11:40Z', sizeGiB: 20, nodeRuntime: 'kubernetes' },
  { id: 'ubuntu_24_04_x64_20G_alibase_20241115.vhd', name: 'ubuntu_24_04_x64_20G_alibase_20241115.vhd', osName: 'Ubuntu  24.04 64 bit', platform: 'Ubuntu', family: 'acs:ubuntu_24_04_x64', creationTime: '2024-11-15T03:02:51Z', sizeGiB: 20 },
  { id: 'ubuntu_20_04_x64_20G_alibase_20240819.vhd', name: 'ubuntu_20_04_x64_20G_alibase_20240819.vhd', osName: 'Ubuntu  20.04 64 bit', platform: 'Ubuntu', family: 'acs:ubuntu_20_04_x64', creationTime: '2024-08-19T06:45:03Z', sizeGiB: 20 },
  { id: 'debian_12_7_x64_20G_alibase_20241008.vhd', name: 'debian_12_7_x64_20G_alibase_20241008.vhd', osName: 'Debian  12.7 64 bit', platform: 'Debian', family: 'acs:debian_12_x64', creationTime: '2024-10-08T02:20:17Z', sizeGiB: 20 },
  { id: 'debian_11_11_x64_20G_alibase_20240923.vhd', name: 'debian_11_11_x64_20G_alibase_20240923.vhd', osName: 'Debian  11.11 64 bit', platform: 'Debian', family: 'acs:debian_11_x64', creationTime: '2024-09-23T07:14:55Z', sizeGiB: 20 },
];

export function findAlibabaImage(id: string): AlibabaImage | undefined {
  return ALIBABA_IMAGES.find((i) => i.id === id);
}
