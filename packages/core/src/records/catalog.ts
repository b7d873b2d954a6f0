/**
 * What the catalog stores: one record per (provider, region, spec) and per image, plus where and
 * when each region's data came from, so every listing can say how old it is. Plain types with no
 * dependencies: these are on the CLI's start-up path.
 */

export interface GpuInfo {
  /** Model as the cloud names it (e.g. 'T4', 'A100'). */
  model: string;
  count: number;
  /** Memory per GPU, GiB, when the cloud says. */
  memoryGiB?: number;
}

export interface SpecRecord {
  provider: string;
  region: string;
  name: string;
  vcpu: number;
  memoryGiB: number;
  /** 'x86_64' | 'arm64' (normalised across clouds). */
  arch: string;
  gpu?: GpuInfo;
  /** On-demand USD per hour (Linux); absent when the cloud's price list has no entry for it. */
  pricePerHour?: number;
  /** The connection it was fetched through. */
  connection: string;
}

export interface ImageRecord {
  provider: string;
  region: string;
  id: string;
  name: string;
  /** The manifest alias it resolves ('ubuntu-22.04'), when it is one. */
  alias?: string;
  os: string;
  arch: string;
  sshUser: string;
  createdAt?: string;
  connection: string;
}

/** Whether a catalog image is what a manifest's `image` names: its alias ('ubuntu-22.04') or its id. */
export function imageNamedBy(i: Pick<ImageRecord, 'alias' | 'id'>, image: string): boolean {
  return i.alias === image || i.id === image;
}

/** Where one provider region's catalog came from and when. */
export interface CatalogSource {
  provider: string;
  region: string;
  connection: string;
  /** e.g. 'EC2 DescribeInstanceTypes via https://…' */
  specSource: string;
  /** e.g. 'AWS Price List Query API GetProducts (AmazonEC2)'; absent when no price source was available. */
  priceSource?: string;
  specs: number;
  priced: number;
  images: number;
  fetchedAt: string;
}

/** A measured round-trip time between two provider regions, in milliseconds. */
export interface LatencyEntry {
  from: RegionRef;
  to: RegionRef;
  rttMs: number;
}

export interface RegionRef {
  provider: string;
  region: string;
}

export interface LatencySource {
  source: string;
  importedAt: string;
  pairs: number;
}

/** One MCIS benchmark run's figures for one (provider, region, spec), averaged over its VMs. */
export interface BenchmarkRecord {
  provider: string;
  region: string;
  spec: string;
  ns: string;
  mcis: string;
  vms: number;
  /** Fixed awk workload, one process: operations per second. */
  cpuSingleOps: number;
  /** The same workload once per vCPU at once: total operations per second. */
  cpuMultiOps: number;
  /** `dd` /dev/zero → /dev/null, MB/s. */
  memMBps: number;
  /** `dd` to a file with fdatasync, MB/s. */
  diskMBps: number;
  /** TCP connect RTT from the machine running cbadm, ms (median). */
  clientRttMs?: number;
  measuredAt: string;
}

export function regionKey(provider: string, region: string): string {
  return `${provider}:${region}`;
}
