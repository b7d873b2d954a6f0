/**
 * What this AWS region offers: regions and zones, instance types, images. Read-only and stateless.
 * Prices: EC2 does not return them (the Pricing API is a separate service), so Spec.pricePerHour stays
 * undefined rather than coming from a table that silently goes stale.
 */
import {
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  type Image as Ec2Image,
} from '@aws-sdk/client-ec2';
import type { CatalogApi, Image, Region, Spec } from '@cloud-barista/core/driver/port';
import { ProviderError, UsageError } from '@cloud-barista/core/errors';
import { Semaphore } from '@cloud-barista/core/util/limit';
import { aliasList, listAliasImages, osFromName, sshUserFromName } from '../common/catalog.js';
import type { AwsContext } from './context.js';
import { isNotFound } from './errors.js';

interface ImageAlias {
  owner: string;
  namePattern: string;
  os: string;
}

/** Manifest image aliases → the official publishers' accounts and AMI name patterns. */
export const IMAGE_ALIASES: Readonly<Record<string, ImageAlias>> = {
  'ubuntu-22.04': {
    owner: '099720109477', // Canonical
    namePattern: 'ubuntu/images/hvm-ssd*/ubuntu-jammy-22.04-amd64-server-*',
    os: 'Ubuntu 22.04',
  },
  'ubuntu-24.04': {
    owner: '099720109477',
    namePattern: 'ubuntu/images/hvm-ssd*/ubuntu-noble-24.04-amd64-server-*',
    os: 'Ubuntu 24.04',
  },
  'debian-12': {
    owner: '136693071363', // Debian
    namePattern: 'debian-12-amd64-*',
    os: 'Debian 12',
  },
};

const ALIAS_LIST = aliasList(IMAGE_ALIASES);

/** The usual login user of an image, from its name (ubuntu → ubuntu, debian → admin). */
export function sshUserFor(imageName: string): string {
  return sshUserFromName(imageName, 'ec2-user');
}

export function toImage(img: Ec2Image, os?: string): Image {
  const name = img.Name ?? img.ImageId ?? '';
  return {
    id: img.ImageId ?? '',
    name,
    os: os ?? osFromName(name),
    arch: img.Architecture ?? 'x86_64',
    sshUser: sshUserFor(name),
    ...(img.CreationDate ? { createdAt: img.CreationDate } : {}),
  };
}

/** Newest first; images without a creation date sort last. */
function newestFirst(a: Ec2Image, b: Ec2Image): number {
  return (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '');
}

export function createCatalog(ctx: AwsContext): CatalogApi {
  async function zonesOf(region: string): Promise<string[]> {
    const client = region === ctx.connection.region ? ctx.client : ctx.clientFor(region);
    try {
      const out = await client.send(
        new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }),
      );
      return (out.AvailabilityZones ?? []).flatMap((z) => (z.ZoneName ? [z.ZoneName] : [])).sort();
    } finally {
      if (client !== ctx.client) client.destroy();
    }
  }

  async function byAlias(alias: string, spec: ImageAlias): Promise<Image> {
    const out = await ctx.client.send(
      new DescribeImagesCommand({
        Owners: [spec.owner],
        Filters: [
          { Name: 'name', Values: [spec.namePattern] },
          { Name: 'state', Values: ['available'] },
        ],
      }),
    );
    const newest = [...(out.Images ?? [])].sort(newestFirst)[0];
    if (!newest?.ImageId) {
      throw new UsageError(`image '${alias}' has no match in ${ctx.connection.region}`, {
        hint: `no AMI named ${spec.namePattern} from owner ${spec.owner} is available there; pass an ami-… id instead`,
      });
    }
    return toImage(newest, spec.os);
  }

  async function byId(id: string): Promise<Image> {
    try {
      const out = await ctx.client.send(new DescribeImagesCommand({ ImageIds: [id] }));
      const img = out.Images?.[0];
      if (img?.ImageId) return toImage(img);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    throw new UsageError(`image '${id}' does not exist in ${ctx.connection.region}`, {
      hint: `AMI ids are per region; use one of ${ALIAS_LIST} to pick the current image automatically`,
    });
  }

  return {
    async listRegions(): Promise<Region[]> {
      const out = await ctx.client.send(new DescribeRegionsCommand({}));
      const names = (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : [])).sort();
      // Zones are per-region calls; bound them so a 30-region account does not burst the API.
      const gate = new Semaphore(8);
      return Promise.all(
        names.map((name) =>
          gate.run(async () => {
            try {
              return { name, zones: await zonesOf(name) };
            } catch (e) {
              // A region the account has not opted into answers AuthFailure: list it without zones.
              if (e instanceof ProviderError && e.errorClass === 'auth') return { name, zones: [] };
              throw e;
            }
          }),
        ),
      );
    },

    async listSpecs(): Promise<Spec[]> {
      const specs: Spec[] = [];
      let NextToken: string | undefined;
      do {
        const out = await ctx.client.send(new DescribeInstanceTypesCommand({ MaxResults: 100, NextToken }));
        for (const t of out.InstanceTypes ?? []) {
          if (!t.InstanceType) continue;
          const archs = t.ProcessorInfo?.SupportedArchitectures ?? [];
          const gpus = t.GpuInfo?.Gpus ?? [];
          const gpuCount = gpus.reduce((n, g) => n + (g.Count ?? 0), 0);
          specs.push({
            name: t.InstanceType,
            vcpu: t.VCpuInfo?.DefaultVCpus ?? 0,
            memoryGiB: (t.MemoryInfo?.SizeInMiB ?? 0) / 1024,
            arch: archs.includes('x86_64') ? 'x86_64' : (archs[0] ?? 'x86_64'),
            ...(gpuCount > 0
              ? {
                  gpu: {
                    model: [gpus[0]?.Manufacturer, gpus[0]?.Name].filter(Boolean).join(' '),
                    count: gpuCount,
                    ...(gpus[0]?.MemoryInfo?.SizeInMiB ? { memoryGiB: gpus[0].MemoryInfo.SizeInMiB / 1024 } : {}),
                  },
                }
              : {}),
          });
        }
        NextToken = out.NextToken || undefined;
      } while (NextToken);
      return specs.sort((a, b) => a.name.localeCompare(b.name));
    },

    /** The newest image of each alias that exists in this region. */
    listImages(): Promise<Image[]> {
      return listAliasImages(IMAGE_ALIASES, byAlias);
    },

    async resolveImage(image: string): Promise<Image> {
      const alias = IMAGE_ALIASES[image];
      if (alias) return byAlias(image, alias);
      if (/^ami-[0-9a-f]+$/.test(image)) return byId(image);
      throw new UsageError(`unknown image '${image}': use one of ${ALIAS_LIST}, or an AMI id (ami-…)`, {
        hint: `use one of ${ALIAS_LIST}, or a native AMI id (ami-…)`,
        issues: [
          { path: 'image', message: `'${image}' is neither an alias (${ALIAS_LIST}) nor an ami-… id` },
        ],
      });
    },
  };
}
