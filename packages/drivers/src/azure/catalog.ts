/**
 * What an Azure subscription offers in a region: locations and zones (from the Compute provider's
 * resource types), VM sizes (with GPUs from Resource SKUs), marketplace images. Read-only. Prices: ARM does not return them (the
 * Retail Prices API is a separate service), so Spec.pricePerHour stays undefined rather than coming
 * from a table that silently goes stale.
 */
import type { CatalogApi, Image, Region, Spec } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';
import { aliasList, listAliasImages } from '../common/catalog.js';
import { all, az, type AzureContext } from './context.js';
import { isNotFound } from './errors.js';
import { sizeFacts } from './gpus.js';

interface ImageAlias {
  publisher: string;
  offer: string;
  sku: string;
  os: string;
}

/** Manifest image aliases → the publishers' marketplace images (x64, Hyper-V generation 2). */
export const IMAGE_ALIASES: Readonly<Record<string, ImageAlias>> = {
  'ubuntu-22.04': { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', os: 'Ubuntu 22.04' },
  'ubuntu-24.04': { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', os: 'Ubuntu 24.04' },
  'debian-12': { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', os: 'Debian 12' },
};

const ALIAS_LIST = aliasList(IMAGE_ALIASES);

/**
 * The login user for an image. Azure images have no built-in user: the VM gets the one we name.
 * `ubuntu` for Ubuntu as elsewhere; Azure refuses `admin` (Debian's user on AWS), so Debian and
 * the rest get `azureuser`, the portal's default.
 */
export function sshUserFor(publisher: string, offer: string): string {
  return /ubuntu/i.test(offer) || /canonical/i.test(publisher) ? 'ubuntu' : 'azureuser';
}

/** `Publisher:Offer:Sku:Version`, the URN `az vm image` uses: the native image id. */
export function imageUrn(i: { publisher?: string; offer?: string; sku?: string; version?: string }): string {
  return `${i.publisher ?? ''}:${i.offer ?? ''}:${i.sku ?? ''}:${i.version ?? ''}`;
}

export function parseUrn(urn: string): { publisher: string; offer: string; sku: string; version: string } | undefined {
  const parts = urn.split(':');
  if (parts.length !== 4 || parts.some((p) => !p)) return undefined;
  const [publisher, offer, sku, version] = parts as [string, string, string, string];
  return { publisher, offer, sku, version };
}

/** Image versions compare as dotted numbers (22.04.202405140 > 22.04.202404230). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Arm sizes carry a `p` among the feature letters after the vCPU count (D2ps_v5, B2pts_v2). */
export function archOfSize(name: string): string {
  const m = /^Standard_[A-Z]+\d+([a-z]*)/.exec(name);
  return m?.[1]?.includes('p') ? 'arm64' : 'x86_64';
}

/** ARM's location name for a display name ("Korea Central" → koreacentral). */
export function locationName(displayOrName: string): string {
  return displayOrName.toLowerCase().replace(/\s+/g, '');
}

function toImage(i: { publisher: string; offer: string; sku: string; version: string }, os: string): Image {
  return { id: imageUrn(i), name: `${i.offer}/${i.sku}/${i.version}`, os, arch: /arm64/i.test(i.sku) ? 'arm64' : 'x86_64', sshUser: sshUserFor(i.publisher, i.offer) };
}

export function createCatalog(ctx: AzureContext): CatalogApi {
  const { compute, resources } = ctx.clients;

  async function newest(i: { publisher: string; offer: string; sku: string }): Promise<string | undefined> {
    try {
      const versions = await compute.virtualMachineImages.list(ctx.location, i.publisher, i.offer, i.sku);
      return versions.map((v) => v.name).sort(compareVersions).pop();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async function byAlias(alias: string, a: ImageAlias): Promise<Image> {
    const version = await az(ctx, () => newest(a)).catch((e: unknown) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (!version) {
      throw new UsageError(`image '${alias}' has no match in ${ctx.location}`, {
        hint: `no ${a.publisher}:${a.offer}:${a.sku} image is offered there; pass a Publisher:Offer:Sku:Version URN instead`,
      });
    }
    return toImage({ ...a, version }, a.os);
  }

  async function byUrn(urn: string, u: { publisher: string; offer: string; sku: string; version: string }): Promise<Image> {
    let version: string | undefined = u.version;
    try {
      if (version.toLowerCase() === 'latest') version = await az(ctx, () => newest(u));
      else await az(ctx, () => compute.virtualMachineImages.get(ctx.location, u.publisher, u.offer, u.sku, u.version));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      version = undefined;
    }
    if (!version) {
      throw new UsageError(`image '${urn}' does not exist in ${ctx.location}`, {
        hint: `check it with \`az vm image list --all -l ${ctx.location} -p ${u.publisher}\`, or use one of ${ALIAS_LIST}`,
      });
    }
    return toImage({ ...u, version }, u.offer);
  }

  return {
    async listRegions(): Promise<Region[]> {
      const provider = await az(ctx, () => resources.providers.get('Microsoft.Compute'));
      const vms = provider.resourceTypes?.find((t) => t.resourceType?.toLowerCase() === 'virtualmachines');
      const zones = new Map<string, string[]>();
      for (const z of vms?.zoneMappings ?? []) if (z.location) zones.set(locationName(z.location), [...(z.zones ?? [])].sort());
      return (vms?.locations ?? [])
        .map((l) => locationName(l))
        .sort()
        .map((name) => ({ name, zones: zones.get(name) ?? [] }));
    },

    /**
     * The region's sizes (vmSizes: what this subscription may deploy there) with their GPUs and CPU
     * architecture from Resource SKUs, which alone has the `GPUs` capability and the size family.
     */
    async listSpecs(): Promise<Spec[]> {
      const [sizes, skus] = await Promise.all([
        az(ctx, () => all(compute.virtualMachineSizes.list(ctx.location))),
        az(ctx, () => all(compute.resourceSkus.list({ filter: `location eq '${ctx.location.replace(/'/g, "''")}'` }))),
      ]);
      const facts = sizeFacts(skus);
      return sizes
        .filter((s) => s.name)
        .map((s): Spec => {
          const name = s.name ?? '';
          const f = facts.get(name.toLowerCase());
          return { name, vcpu: s.numberOfCores ?? 0, memoryGiB: (s.memoryInMB ?? 0) / 1024, arch: f?.arch ?? archOfSize(name), ...(f?.gpu ? { gpu: f.gpu } : {}) };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    /** The newest image of each alias offered in this region. */
    listImages(): Promise<Image[]> {
      return listAliasImages(IMAGE_ALIASES, byAlias);
    },

    async resolveImage(image: string): Promise<Image> {
      const alias = IMAGE_ALIASES[image];
      if (alias) return byAlias(image, alias);
      const urn = parseUrn(image);
      if (urn) return byUrn(image, urn);
      throw new UsageError(`unknown image '${image}': use one of ${ALIAS_LIST}, or an image URN (Publisher:Offer:Sku:Version)`, {
        hint: `use one of ${ALIAS_LIST}, or a marketplace URN such as Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest`,
        issues: [{ path: 'image', message: `'${image}' is neither an alias (${ALIAS_LIST}) nor a Publisher:Offer:Sku:Version URN` }],
      });
    },
  };
}
