/**
 * The OpenStack catalog: regions from the Keystone catalog (zones from each region's Nova),
 * flavors (GPUs from their PCI-passthrough alias extra spec), Glance images found by the
 * `os_distro`/`os_version` properties for the manifest aliases. OpenStack has no pricing API:
 * prices come only from the connection's own price table (`--price-file`); without one, specs
 * stay unpriced.
 */
import type { CatalogApi, DriverPrices, Image, Spec } from '@cloud-barista/core/driver/port';
import type { Connection } from '@cloud-barista/core/model';
import { UsageError } from '@cloud-barista/core/errors';
import { aliasList, listAliasImages, osFromName, sshUserFromName } from '../common/catalog.js';
import type { OsClient } from './client.js';
import { isNotFound } from './errors.js';

interface ImageAlias {
  os_distro: string;
  os_version: string;
}

/** Manifest aliases → the OpenStack image metadata an operator sets (os_distro uses libosinfo short ids). */
export const IMAGE_ALIASES: Readonly<Record<string, ImageAlias>> = {
  'ubuntu-22.04': { os_distro: 'ubuntu', os_version: '22.04' },
  'ubuntu-24.04': { os_distro: 'ubuntu', os_version: '24.04' },
  'debian-12': { os_distro: 'debian', os_version: '12' },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface GlanceImage {
  id: string;
  name?: string;
  os_distro?: string;
  os_version?: string;
  os_admin_user?: string;
  architecture?: string;
  created_at?: string;
}

/** The login user: the image's `os_admin_user` property when set, else the distribution's usual one. */
function loginUser(i: GlanceImage): string {
  if (i.os_admin_user) return i.os_admin_user;
  if (i.os_distro === 'debian') return 'debian';
  return sshUserFromName(`${i.os_distro ?? ''} ${i.name ?? ''}`, 'ubuntu');
}

function toImage(i: GlanceImage): Image {
  const os = i.os_distro ? `${osFromName(i.os_distro)}${i.os_version ? ` ${i.os_version}` : ''}` : osFromName(i.name ?? i.id);
  return { id: i.id, name: i.name ?? i.id, os, arch: i.architecture === 'aarch64' ? 'arm64' : 'x86_64', sshUser: loginUser(i), ...(i.created_at ? { createdAt: i.created_at } : {}) };
}

/** A flavor's GPU, from `pci_passthrough:alias` (`a100:2`) or a vGPU resource request. */
export function gpuOf(extraSpecs: Record<string, string> | undefined): Spec['gpu'] {
  const alias = extraSpecs?.['pci_passthrough:alias'];
  if (alias) {
    const [model = '', count = '1'] = alias.split(',')[0]!.split(':');
    return { model, count: Number(count) || 1 };
  }
  const vgpu = Number(extraSpecs?.['resources:VGPU'] ?? 0);
  return vgpu > 0 ? { model: 'vgpu', count: vgpu } : undefined;
}

interface Flavor {
  name: string;
  vcpus: number;
  ram: number;
  extra_specs?: Record<string, string>;
}

export function createCatalog(client: OsClient, connection: Connection): CatalogApi {
  const images = (query: string) => client.call<{ images: GlanceImage[] }>('image', 'GET', `/images?status=active&limit=100${query}`).then((r) => r.images);
  const newest = (list: GlanceImage[]) => [...list].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''))[0];

  const byAlias = async (alias: string, a: ImageAlias): Promise<Image> => {
    const found = newest(await images(`&os_distro=${encodeURIComponent(a.os_distro)}&os_version=${encodeURIComponent(a.os_version)}`));
    if (!found) throw new UsageError(`no image for '${alias}' in region ${client.region}`, { hint: `the operator has no active image with os_distro=${a.os_distro} os_version=${a.os_version}; list them with: openstack image list --long` });
    return { ...toImage(found), alias };
  };

  const catalog: CatalogApi = {
    async listRegions() {
      const names = await client.regions();
      return Promise.all(
        names.map(async (name) => {
          const r = await client.call<{ availabilityZoneInfo: { zoneName: string; zoneState: { available: boolean } }[] }>('compute', 'GET', '/os-availability-zone', undefined, name);
          return { name, zones: r.availabilityZoneInfo.filter((z) => z.zoneState.available).map((z) => z.zoneName) };
        }),
      );
    },
    async listSpecs() {
      const r = await client.call<{ flavors: Flavor[] }>('compute', 'GET', '/flavors/detail');
      return r.flavors.map((f): Spec => {
        const gpu = gpuOf(f.extra_specs);
        const price = connection.prices?.[f.name];
        const arch = f.extra_specs?.['capabilities:cpu_arch'] ?? f.extra_specs?.['hw:cpu_arch'];
        return { name: f.name, vcpu: f.vcpus, memoryGiB: f.ram / 1024, arch: arch === 'aarch64' ? 'arm64' : 'x86_64', ...(gpu ? { gpu } : {}), ...(price !== undefined ? { pricePerHour: price } : {}) };
      });
    },
    listImages: () => listAliasImages(IMAGE_ALIASES, byAlias),
    async resolveImage(image) {
      const alias = IMAGE_ALIASES[image];
      if (alias) return byAlias(image, alias);
      if (UUID.test(image)) {
        try {
          return toImage(await client.call<GlanceImage>('image', 'GET', `/images/${image}`));
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      } else {
        const named = newest(await images(`&name=${encodeURIComponent(image)}`));
        if (named) return toImage(named);
      }
      throw new UsageError(`image '${image}' not found in region ${client.region}`, { hint: `use an alias (${aliasList(IMAGE_ALIASES)}), an image name or an image id from: openstack image list` });
    },
  };
  if (connection.prices) {
    const table = connection.prices;
    catalog.listPrices = (): Promise<DriverPrices> =>
      Promise.resolve({ prices: Object.entries(table).map(([spec, pricePerHour]) => ({ spec, pricePerHour })), source: `the connection's price table (--price-file); OpenStack has no pricing API` });
  }
  return catalog;
}
