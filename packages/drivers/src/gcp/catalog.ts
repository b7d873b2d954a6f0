/**
 * What GCE offers: regions and zones, machine types (of the connection's zone, with the GPUs built
 * into A2/G2/A3 types from their `accelerators`), images from the public image projects by family.
 * N1 with attachable GPUs (acceleratorTypes) is not a spec here: a machine type and a GPU to attach
 * are two choices, and specs name one machine type. Read-only and stateless. Prices: the Compute API does not
 * return them (the Cloud Billing Catalog is a separate API), so Spec.pricePerHour stays undefined.
 */
import type { protos } from '@google-cloud/compute';
import type { CatalogApi, Image, Region, Spec } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';
import { aliasList, listAliasImages, osFromName, sshUserFromName } from '../common/catalog.js';
import type { GcpContext } from './context.js';
import { isNotFound } from './errors.js';
import { lastSegment } from './operations.js';

type GceImage = protos.google.cloud.compute.v1.IImage;
type GceAccelerators = protos.google.cloud.compute.v1.IAccelerators;

interface ImageAlias {
  project: string;
  family: string;
  os: string;
}

/** Manifest image aliases → the public image projects and their image families. */
export const IMAGE_ALIASES: Readonly<Record<string, ImageAlias>> = {
  'ubuntu-22.04': { project: 'ubuntu-os-cloud', family: 'ubuntu-2204-lts', os: 'Ubuntu 22.04' },
  'ubuntu-24.04': { project: 'ubuntu-os-cloud', family: 'ubuntu-2404-lts-amd64', os: 'Ubuntu 24.04' },
  'debian-12': { project: 'debian-cloud', family: 'debian-12', os: 'Debian 12' },
};

const ALIAS_LIST = aliasList(IMAGE_ALIASES);

/**
 * The login user the driver puts in `ssh-keys` for an image: GCE's guest agent creates whichever
 * user the metadata names; these match the other clouds' images (ubuntu, admin on Debian).
 */
export function sshUserFor(imageName: string): string {
  return sshUserFromName(imageName, 'cloud-user');
}

/** An image reference GCE accepts in `sourceImage`: `projects/P/global/images/NAME`. */
export function imageId(project: string, name: string): string {
  return `projects/${project}/global/images/${name}`;
}

/** The project and name (or `family/F`) in a native image reference: a URL, a partial path, or a bare name. */
export function parseImageRef(ref: string, defaultProject: string): { project: string; name: string } | undefined {
  const m = /(?:^|\/)projects\/([a-z][-a-z0-9.:]*)\/global\/images\/((?:family\/)?[a-z][-a-z0-9]*)$/.exec(ref);
  if (m?.[1] && m[2]) return { project: m[1], name: m[2] };
  if (/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ref)) return { project: defaultProject, name: ref };
  return undefined;
}

export function toImage(project: string, img: GceImage, os?: string): Image {
  const name = img.name ?? '';
  return {
    id: imageId(project, name),
    name,
    os: os ?? osFromName(name),
    arch: img.architecture === 'ARM64' ? 'arm64' : 'x86_64',
    sshUser: sshUserFor(name),
    ...(img.creationTimestamp ? { createdAt: new Date(img.creationTimestamp).toISOString() } : {}),
  };
}

/**
 * An accelerator type's model as the other clouds name theirs: `nvidia-tesla-t4` → NVIDIA T4,
 * `nvidia-a100-80gb` → NVIDIA A100 80GB, `nvidia-h100-mega-80gb` → NVIDIA H100 MEGA 80GB,
 * `ct5lp` (a TPU) → CT5LP. The type name is the model's only spelling in machineTypes.list.
 */
export function gpuModel(acceleratorType: string): string {
  const words = acceleratorType.toLowerCase().split('-').filter((w) => w && w !== 'tesla');
  const vendor = words[0] === 'nvidia' ? 'NVIDIA' : words[0] === 'amd' ? 'AMD' : undefined;
  return [...(vendor ? [vendor] : []), ...(vendor ? words.slice(1) : words).map((w) => w.toUpperCase())].join(' ');
}

/**
 * The GPUs built into a machine type (A2, G2, A3…), from its `accelerators`; undefined without any.
 * Memory per GPU only where the type's name says it (`-80gb`): the Compute API gives no figure.
 */
export function gpuOf(accelerators: readonly GceAccelerators[] | null | undefined): Spec['gpu'] {
  const cards = (accelerators ?? []).filter((a) => a.guestAcceleratorType && (a.guestAcceleratorCount ?? 0) > 0);
  const first = cards[0]?.guestAcceleratorType;
  if (!first) return undefined;
  const count = cards.reduce((n, a) => n + (a.guestAcceleratorCount ?? 0), 0);
  const gb = /-(\d+)gb$/i.exec(first)?.[1];
  return { model: gpuModel(first), count, ...(gb ? { memoryGiB: Number(gb) } : {}) };
}

export function createCatalog(ctx: GcpContext): CatalogApi {
  async function byAlias(alias: string, a: ImageAlias): Promise<Image> {
    try {
      const [img] = await ctx.call(() => ctx.clients.images.getFromFamily({ project: a.project, family: a.family }));
      return toImage(a.project, img, a.os);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      throw new UsageError(`image '${alias}' has no current image: family ${a.family} in project ${a.project} is empty`, {
        hint: 'pass a native image instead: projects/PROJECT/global/images/NAME',
      });
    }
  }

  async function byRef(ref: string): Promise<Image> {
    const parsed = parseImageRef(ref, await ctx.project());
    if (parsed) {
      try {
        const [img] = await ctx.call(() =>
          parsed.name.startsWith('family/')
            ? ctx.clients.images.getFromFamily({ project: parsed.project, family: parsed.name.slice('family/'.length) })
            : ctx.clients.images.get({ project: parsed.project, image: parsed.name }),
        );
        return toImage(parsed.project, img);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    throw new UsageError(`unknown image '${ref}': use one of ${ALIAS_LIST}, or a GCE image (projects/PROJECT/global/images/NAME)`, {
      hint: `use one of ${ALIAS_LIST}, or a native image reference such as projects/debian-cloud/global/images/family/debian-12`,
      issues: [{ path: 'image', message: `'${ref}' is neither an alias (${ALIAS_LIST}) nor an existing GCE image` }],
    });
  }

  return {
    async listRegions(): Promise<Region[]> {
      const project = await ctx.project();
      const [regions] = await ctx.call(() => ctx.clients.regions.list({ project }));
      return regions
        .flatMap((r) => (r.name ? [{ name: r.name, zones: (r.zones ?? []).flatMap((z) => lastSegment(z) ?? []).sort() }] : []))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async listSpecs(): Promise<Spec[]> {
      const [project, zone] = await Promise.all([ctx.project(), ctx.zone()]);
      const [types] = await ctx.call(() => ctx.clients.machineTypes.list({ project, zone }));
      return types
        .flatMap((t): Spec[] => {
          if (!t.name) return [];
          const gpu = gpuOf(t.accelerators);
          return [
            {
              name: t.name,
              vcpu: t.guestCpus ?? 0,
              memoryGiB: (t.memoryMb ?? 0) / 1024,
              arch: t.architecture === 'ARM64' ? 'arm64' : 'x86_64',
              ...(gpu ? { gpu } : {}),
            },
          ];
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    /** The current image of each alias. */
    listImages(): Promise<Image[]> {
      return listAliasImages(IMAGE_ALIASES, byAlias);
    },

    async resolveImage(image: string): Promise<Image> {
      const alias = IMAGE_ALIASES[image];
      return alias ? byAlias(image, alias) : byRef(image);
    },
  };
}
