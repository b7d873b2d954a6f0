/**
 * What this Alibaba Cloud region offers: regions and zones (DescribeRegions / DescribeZones),
 * instance types sold in the connection's zone (DescribeInstanceTypes), Alibaba's public images
 * (DescribeImages), and pay-as-you-go prices (DescribePrice, one call per type). Read-only.
 */
import * as Ecs from '@alicloud/ecs20140526';
import type { CatalogApi, DriverPrices, Image, Region, Spec } from '@cloud-barista/core/driver/port';
import { UsageError } from '@cloud-barista/core/errors';
import { Semaphore } from '@cloud-barista/core/util/limit';
import { aliasList, listAliasImages, osFromName } from '../common/catalog.js';
import type { AlibabaContext } from './context.js';
import { hasCode } from './errors.js';

/** Manifest aliases → the families of Alibaba's public ("system") images. */
export const IMAGE_ALIASES: Readonly<Record<string, { namePattern: string; os: string }>> = {
  'ubuntu-22.04': { namePattern: 'ubuntu_22_04_x64*', os: 'Ubuntu 22.04' },
  'ubuntu-24.04': { namePattern: 'ubuntu_24_04_x64*', os: 'Ubuntu 24.04' },
  'debian-12': { namePattern: 'debian_12_*_x64*', os: 'Debian 12' },
};

const ALIAS_LIST = aliasList(IMAGE_ALIASES);

/** Alibaba's public Linux images log in as root with the instance's key pair. */
export const ALIBABA_SSH_USER = 'root';

type EcsImage = Ecs.DescribeImagesResponseBodyImagesImage;

function toImage(img: EcsImage, os?: string): Image {
  const name = img.imageName ?? img.imageId ?? '';
  return {
    id: img.imageId ?? '',
    name,
    os: os ?? osFromName(img.OSNameEn ?? name),
    arch: img.architecture === 'arm64' ? 'arm64' : 'x86_64',
    sshUser: ALIBABA_SSH_USER,
    ...(img.creationTime ? { createdAt: img.creationTime } : {}),
  };
}

export function createCatalog(ctx: AlibabaContext): CatalogApi {
  const region = ctx.region;

  async function zonesOf(regionId: string): Promise<Ecs.DescribeZonesResponseBodyZonesZone[]> {
    const out = await ctx.call((c) => c.describeZones(new Ecs.DescribeZonesRequest({ regionId, acceptLanguage: 'en-US' })));
    return out.body?.zones?.zone ?? [];
  }

  async function images(req: Partial<Ecs.DescribeImagesRequest>): Promise<EcsImage[]> {
    const out = await ctx.call((c) => c.describeImages(new Ecs.DescribeImagesRequest({ regionId: region, imageOwnerAlias: 'system', status: 'Available', pageSize: 100, ...req })));
    return out.body?.images?.image ?? [];
  }

  async function byAlias(alias: string, spec: { namePattern: string; os: string }): Promise<Image> {
    const newest = (await images({ imageName: spec.namePattern })).filter((i) => i.imageId).sort((a, b) => (b.creationTime ?? '').localeCompare(a.creationTime ?? ''))[0];
    if (!newest) {
      throw new UsageError(`image '${alias}' has no match in ${region}`, { hint: `no public image named ${spec.namePattern} is available there; pass an image id instead` });
    }
    return toImage(newest, spec.os);
  }

  async function specs(): Promise<Spec[]> {
    const zone = await ctx.zone();
    const sold = new Set((await zonesOf(region)).find((z) => z.zoneId === zone)?.availableInstanceTypes?.instanceTypes ?? []);
    const out: Spec[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ctx.call((c) => c.describeInstanceTypes(new Ecs.DescribeInstanceTypesRequest({ maxResults: 1600, ...(nextToken ? { nextToken } : {}) })));
      for (const t of page.body?.instanceTypes?.instanceType ?? []) {
        if (!t.instanceTypeId || !sold.has(t.instanceTypeId)) continue;
        const gpus = t.GPUAmount ?? 0;
        out.push({
          name: t.instanceTypeId,
          vcpu: t.cpuCoreCount ?? 0,
          memoryGiB: t.memorySize ?? 0,
          arch: t.cpuArchitecture === 'ARM' ? 'arm64' : 'x86_64',
          ...(gpus > 0 ? { gpu: { model: t.GPUSpec ?? 'GPU', count: gpus, ...(t.GPUMemorySize ? { memoryGiB: t.GPUMemorySize } : {}) } } : {}),
        });
      }
      nextToken = page.body?.nextToken || undefined;
    } while (nextToken);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  return {
    async listRegions(): Promise<Region[]> {
      const out = await ctx.call((c) => c.describeRegions(new Ecs.DescribeRegionsRequest({ acceptLanguage: 'en-US' })));
      const ids = (out.body?.regions?.region ?? []).flatMap((r) => (r.regionId ? [r.regionId] : [])).sort();
      const gate = new Semaphore(6);
      return Promise.all(ids.map((name) => gate.run(async () => ({ name, zones: (await zonesOf(name)).flatMap((z) => (z.zoneId ? [z.zoneId] : [])).sort() }))));
    },

    listSpecs: specs,

    listImages: () => listAliasImages(IMAGE_ALIASES, byAlias),

    async resolveImage(image: string): Promise<Image> {
      const spec = IMAGE_ALIASES[image];
      if (spec) return byAlias(image, spec);
      const found = await images({ imageId: image, imageOwnerAlias: undefined }).catch((e: unknown) => {
        if (hasCode(e, 'InvalidImageId.NotFound', 'InvalidImageId.Malformed')) return [];
        throw e;
      });
      if (found[0]?.imageId === image) return toImage(found[0]);
      throw new UsageError(`image '${image}' does not exist in ${region}`, { hint: `image ids are per region; use one of ${ALIAS_LIST} to pick the current image automatically` });
    },

    async listPrices(): Promise<DriverPrices> {
      const zone = await ctx.zone();
      const gate = new Semaphore(8);
      const priced = await Promise.all(
        (await specs()).map((s) =>
          gate.run(async () => {
            try {
              const out = await ctx.call((c) =>
                c.describePrice(new Ecs.DescribePriceRequest({ regionId: region, zoneId: zone, resourceType: 'instance', instanceType: s.name, priceUnit: 'Hour', systemDisk: new Ecs.DescribePriceRequestSystemDisk({ category: 'cloud_essd', size: 40 }) })),
              );
              const price = out.body?.priceInfo?.price;
              // The instance part alone, as the other clouds' prices are (disks are priced apart).
              const instance = price?.detailInfos?.detailInfo?.find((d) => d.resource === 'instanceType')?.tradePrice ?? price?.tradePrice;
              return instance !== undefined ? [{ spec: s.name, pricePerHour: instance }] : [];
            } catch (e) {
              if (hasCode(e, 'InvalidInstanceType.ValueNotSupported', 'InvalidInstanceType.NotSupported', 'InvalidResourceType.NotSupported')) return [];
              throw e;
            }
          }),
        ),
      );
      return { prices: priced.flat(), source: `Alibaba Cloud DescribePrice (pay-as-you-go, ${zone}, USD)` };
    },
  };
}
