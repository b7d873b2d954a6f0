/**
 * The Docker catalog. One region: the Docker host, named as its daemon names itself (`/info` Name).
 * Specs are CPU/memory limits `c<CPUs>m<GiB>` (c1m1, c2m4, c4m8…) up to what the host has; any
 * `c<N>m<M>` within it is accepted at create. Images: a few official ones under the manifest
 * aliases, plus any `repo:tag`. Containers cost nothing unless the connection has a price file.
 */
import type { CatalogApi, DriverPrices, Image, Spec } from '@cloud-barista/core/driver/port';
import type { Connection } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';
import { aliasList } from '../common/catalog.js';
import type { DockerClient, HostInfo } from './client.js';

const GIB = 1024 ** 3;

/** Manifest aliases → official images. */
export const IMAGE_ALIASES: Readonly<Record<string, { ref: string; os: string }>> = {
  'ubuntu-22.04': { ref: 'ubuntu:22.04', os: 'Ubuntu 22.04' },
  'ubuntu-24.04': { ref: 'ubuntu:24.04', os: 'Ubuntu 24.04' },
  'debian-12': { ref: 'debian:12', os: 'Debian 12' },
  'alpine-3': { ref: 'alpine:3', os: 'Alpine 3' },
};

/** `repo:tag`, `registry:5000/org/repo:tag` or `repo@sha256:…` (an explicit tag or digest). */
const REFERENCE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/;

const SPEC_NAME = /^c(\d+(?:\.\d+)?)m(\d+(?:\.\d+)?)$/;

/** CPUs and GiB of a spec name; undefined when it is not `c<N>m<M>`. */
export function parseSpec(name: string): { cpus: number; memoryGiB: number } | undefined {
  const m = SPEC_NAME.exec(name);
  if (!m) return undefined;
  const cpus = Number(m[1]);
  const memoryGiB = Number(m[2]);
  return cpus > 0 && memoryGiB > 0 ? { cpus, memoryGiB } : undefined;
}

/** The spec name for a container's limits (`c2m4`), or undefined without limits. */
export function specOf(nanoCpus: number, memoryBytes: number): string | undefined {
  if (!nanoCpus || !memoryBytes) return undefined;
  const n = (x: number) => String(Math.round(x * 100) / 100);
  return `c${n(nanoCpus / 1e9)}m${n(memoryBytes / GIB)}`;
}

export function archOf(info: Pick<HostInfo, 'Architecture'>): 'x86_64' | 'arm64' {
  return info.Architecture === 'aarch64' || info.Architecture === 'arm64' ? 'arm64' : 'x86_64';
}

/** The ladder of sizes (c1m1, c1m2, c2m4, c2m8, c4m8…) that fits the host. */
export function sizesFor(info: HostInfo, prices: Record<string, number> = {}): Spec[] {
  const memGiB = Math.floor(info.MemTotal / GIB);
  const out: Spec[] = [];
  const add = (cpus: number, mem: number) => {
    if (cpus > info.NCPU || mem > memGiB) return;
    const name = `c${cpus}m${mem}`;
    out.push({ name, vcpu: cpus, memoryGiB: mem, arch: archOf(info), pricePerHour: prices[name] ?? 0 });
  };
  add(1, 1);
  for (let cpus = 1; cpus <= 256; cpus *= 2) {
    add(cpus, cpus * 2);
    add(cpus, cpus * 4);
  }
  return out;
}

/** Checks a spec against the host: a UsageError names the spec and what the host has. */
export function checkSpec(name: string, info: HostInfo): { cpus: number; memoryGiB: number } {
  const s = parseSpec(name);
  if (!s) throw new UsageError(`spec '${name}' is not a Docker size`, { hint: 'use c<CPUs>m<GiB>, e.g. c1m1, c2m4, c4m8 (cbadm spec list shows what fits the host)' });
  const memGiB = info.MemTotal / GIB;
  if (s.cpus > info.NCPU || s.memoryGiB > memGiB) {
    throw new UsageError(`spec '${name}' does not fit Docker host ${info.Name} (${info.NCPU} CPUs, ${memGiB.toFixed(1)} GiB)`, { hint: 'pick a smaller size' });
  }
  return s;
}

function imageOf(ref: string, arch: string, os?: string, alias?: string): Image {
  const repo = ref.split(/[:@]/)[0]!.split('/').pop()!;
  return { id: ref, name: ref, os: os ?? repo, arch, sshUser: 'root', ...(alias ? { alias } : {}) };
}

export function createCatalog(client: DockerClient, connection: Connection): CatalogApi {
  const prices = connection.prices ?? {};
  return {
    async listRegions() {
      const info = await client.hostInfo();
      return [{ name: info.Name, zones: [info.Name] }];
    },
    async listSpecs() {
      return sizesFor(await client.hostInfo(), prices);
    },
    async listImages() {
      const arch = archOf(await client.hostInfo());
      return Object.entries(IMAGE_ALIASES).map(([alias, i]) => imageOf(i.ref, arch, i.os, alias));
    },
    async resolveImage(image) {
      const arch = archOf(await client.hostInfo());
      const alias = IMAGE_ALIASES[image];
      if (alias) return imageOf(alias.ref, arch, alias.os, image);
      if (REFERENCE.test(image)) return imageOf(image, arch);
      throw new UsageError(`unknown image '${image}' for Docker`, { hint: `use ${aliasList(IMAGE_ALIASES)} or an image reference with its tag (repo:tag)` });
    },
    async listPrices(): Promise<DriverPrices> {
      const specs = sizesFor(await client.hostInfo(), prices);
      return connection.prices
        ? { prices: Object.entries(prices).map(([spec, pricePerHour]) => ({ spec, pricePerHour })), source: "the connection's price table (--price-file)" }
        : { prices: specs.map((s) => ({ spec: s.name, pricePerHour: 0 })), source: 'your own Docker host: no charge (add a --price-file to set one)' };
    },
  };
}
