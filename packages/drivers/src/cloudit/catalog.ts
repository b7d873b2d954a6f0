/**
 * The Cloudit catalog: clusters are the zones a tenant places servers in (the connection's region
 * names one), specs come from ACE (`specs`, memory in MiB), templates are the images, found for the
 * manifest aliases by their name ("Ubuntu 22.04"). Templates log in as root. Cloudit has no pricing
 * API: prices come from the connection's price table (`--price-file`), else specs stay unpriced.
 */
import type { CatalogApi, DriverPrices, Image, Spec } from '@cloud-barista/core/driver/port';
import type { Connection } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';
import { aliasList, listAliasImages, osFromName } from '../common/catalog.js';
import type { CiClient } from './client.js';

/** Manifest aliases → the template name an operator gives the image (as Cloudit's own templates are named). */
export const IMAGE_ALIASES: Readonly<Record<string, RegExp>> = {
  'ubuntu-22.04': /^ubuntu[ -]?22\.04/i,
  'ubuntu-24.04': /^ubuntu[ -]?24\.04/i,
  'debian-12': /^debian[ -]?12\b/i,
};

/** Cloudit's templates set root's password (or key) at create: root is the login user. */
export const CLOUDIT_LOGIN_USER = 'root';

export interface CiTemplate {
  id: string;
  name: string;
  os?: string;
  arch?: string;
  state?: string;
  enabled?: number;
  createdAt?: string;
}

export interface CiSpec {
  id: string;
  name: string;
  cpu: number;
  mem: number;
  gpu?: number;
  enabled?: number;
}

export interface CiCluster {
  id: string;
  name: string;
}

function toImage(t: CiTemplate): Image {
  const named = osFromName(t.name);
  const family = named !== t.name ? named : (t.os ?? t.name);
  const version = /\d+(\.\d+)?/.exec(t.name)?.[0];
  return {
    id: t.id,
    name: t.name,
    os: version && family !== t.name ? `${family} ${version}` : family,
    arch: t.arch === 'aarch64' || t.arch === 'arm64' ? 'arm64' : 'x86_64',
    sshUser: CLOUDIT_LOGIN_USER,
    ...(t.createdAt ? { createdAt: `${t.createdAt.replace(' ', 'T')}Z` } : {}),
  };
}

export function createCatalog(client: CiClient, connection: Connection): CatalogApi {
  const templates = async () => (await client.call<CiTemplate[]>('ace', 'GET', '/templates')).filter((t) => t.enabled !== 0 && (t.state ?? 'available') === 'available');
  const newest = (list: CiTemplate[]) => [...list].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
  const byAlias = async (alias: string, rule: RegExp): Promise<Image> => {
    const found = newest((await templates()).filter((t) => rule.test(t.name)));
    if (!found) throw new UsageError(`no template for '${alias}' in this Cloudit tenant`, { hint: `the operator has no template named like ${rule.source}; list them in the Cloudit console (ACE > templates)` });
    return { ...toImage(found), alias };
  };
  const catalog: CatalogApi = {
    async listRegions() {
      const clusters = await client.call<CiCluster[]>('ace', 'GET', '/clusters');
      return clusters.map((c) => ({ name: c.name, zones: [c.name] }));
    },
    async listSpecs() {
      const specs = await client.call<CiSpec[]>('ace', 'GET', '/specs');
      return specs
        .filter((s) => s.enabled !== 0)
        .map((s): Spec => {
          const price = connection.prices?.[s.name];
          return { name: s.name, vcpu: s.cpu, memoryGiB: s.mem / 1024, arch: 'x86_64', ...(s.gpu ? { gpu: { model: 'gpu', count: s.gpu } } : {}), ...(price !== undefined ? { pricePerHour: price } : {}) };
        });
    },
    listImages: () => listAliasImages(IMAGE_ALIASES, byAlias),
    async resolveImage(image) {
      const rule = IMAGE_ALIASES[image];
      if (rule) return byAlias(image, rule);
      const found = (await templates()).find((t) => t.id === image || t.name === image);
      if (found) return toImage(found);
      throw new UsageError(`image '${image}' not found in this Cloudit tenant`, { hint: `use an alias (${aliasList(IMAGE_ALIASES)}), a template name or a template id` });
    },
  };
  if (connection.prices) {
    const table = connection.prices;
    catalog.listPrices = (): Promise<DriverPrices> =>
      Promise.resolve({ prices: Object.entries(table).map(([spec, pricePerHour]) => ({ spec, pricePerHour })), source: "the connection's price table (--price-file); Cloudit has no pricing API" });
  }
  return catalog;
}
