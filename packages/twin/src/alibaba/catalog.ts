/**
 * ECS catalog actions: DescribeRegions, DescribeZones, DescribeInstanceTypes, DescribeImages and
 * DescribePrice, answered from the static data in ../data/alibaba.ts.
 */
import {
  ALIBABA_IMAGES,
  ALIBABA_INSTANCE_TYPES,
  ALIBABA_REGIONS,
  type AlibabaImage,
  type AlibabaInstanceType,
  alibabaPrice,
  findAlibabaInstanceType,
  findAlibabaRegion,
  instanceTypesIn,
  SYSTEM_DISK_USD_PER_GIB_HOUR,
} from '../data/alibaba.js';
import type { EcsCtx, EcsHandler } from './context.js';
import { EcsError, invalid } from './errors.js';
import { page, pageNumbered } from './paging.js';
import type { WireObject } from './wire.js';

const DISK_CATEGORIES = ['cloud_essd', 'cloud_auto', 'cloud_efficiency'];

function english(ctx: EcsCtx): boolean {
  return (ctx.params.get('AcceptLanguage') ?? 'zh-CN').toLowerCase().startsWith('en');
}

function describeRegions(ctx: EcsCtx): WireObject {
  return {
    Regions: {
      Region: ALIBABA_REGIONS.map((r) => ({
        RegionId: r.id,
        LocalName: english(ctx) ? r.englishName : r.localName,
        RegionEndpoint: `ecs.${r.id}.aliyuncs.com`,
        Status: 'available',
      })),
    },
  };
}

function describeZones(ctx: EcsCtx): WireObject {
  const r = findAlibabaRegion(ctx.region.id)!;
  const letter = (z: string) => z.slice(-1).toUpperCase();
  return {
    Zones: {
      Zone: r.zones.map((z) => ({
        ZoneId: z,
        ZoneType: 'AvailabilityZone',
        LocalName: english(ctx) ? `${r.englishName.replace(/ \(.*$/, '')} Zone ${letter(z)}` : `${r.localName.replace(/（.*$/, '')} 可用区${letter(z)}`,
        AvailableResourceCreation: { ResourceTypes: ['VSwitch', 'IoOptimized', 'Instance', 'Disk', 'DedicatedHost'] },
        AvailableInstanceTypes: { InstanceTypes: instanceTypesIn(z).map((t) => t.id) },
        AvailableDiskCategories: { DiskCategories: DISK_CATEGORIES },
        AvailableResources: { ResourcesInfo: [] },
      })),
    },
  };
}

function typeView(t: AlibabaInstanceType): WireObject {
  return {
    InstanceTypeId: t.id,
    InstanceTypeFamily: t.family,
    CpuCoreCount: t.vcpus,
    CpuArchitecture: t.arch,
    MemorySize: t.memoryGiB,
    GPUAmount: t.gpu?.amount ?? 0,
    GPUSpec: t.gpu?.spec ?? '',
    GPUMemorySize: t.gpu?.memoryGiB ?? 0,
    InstanceCategory: t.gpu ? 'GPU-accelerated' : 'General-purpose',
    InstanceFamilyLevel: t.id.includes('t6') ? 'CreditEntryLevel' : 'EnterpriseLevel',
    EniQuantity: Math.max(2, Math.min(8, t.vcpus)),
    LocalStorageAmount: 0,
    PhysicalProcessorModel: t.arch === 'ARM' ? 'Yitian 710' : 'Intel Xeon (Ice Lake) Platinum 8369B',
  };
}

function describeInstanceTypes(ctx: EcsCtx): WireObject {
  const only = ctx.params.list('InstanceTypes');
  const family = ctx.params.get('InstanceTypeFamily');
  const types = ALIBABA_INSTANCE_TYPES.filter((t) => (only.length === 0 || only.includes(t.id)) && (!family || t.family === family));
  const { items, nextToken } = page(types, ctx.params, { maxResults: 'MaxResults', max: 1600 });
  return { ...(nextToken ? { NextToken: nextToken } : { NextToken: '' }), InstanceTypes: { InstanceType: items.map(typeView) } };
}

function globMatch(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return text.includes(pattern);
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(text);
}

function imageView(i: AlibabaImage): WireObject {
  return {
    ImageId: i.id,
    ImageName: i.name,
    ImageFamily: i.family,
    ImageOwnerAlias: 'system',
    ImageVersion: '',
    Description: '',
    OSName: i.osName.replace(' 64 bit', ' 64位'),
    OSNameEn: i.osName,
    OSType: 'linux',
    Platform: i.platform,
    Architecture: 'x86_64',
    Size: i.sizeGiB,
    Status: 'Available',
    Usage: 'instance',
    IsSupportCloudinit: true,
    IsSupportIoOptimized: true,
    IsSelfShared: '',
    IsSubscribed: false,
    BootMode: 'BIOS',
    CreationTime: i.creationTime,
    ProductCode: '',
    Progress: '100%',
    DiskDeviceMappings: { DiskDeviceMapping: [] },
    Tags: { Tag: [] },
  };
}

function describeImages(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const ids = p.get('ImageId')?.split(',');
  const owner = p.get('ImageOwnerAlias');
  const name = p.get('ImageName');
  const familyName = p.get('ImageFamily');
  const osType = p.get('OSType');
  const arch = p.get('Architecture');
  const images = ALIBABA_IMAGES.filter(
    (i) =>
      (!ids || ids.includes(i.id)) &&
      (!owner || owner === 'system') &&
      (!name || globMatch(name, i.name)) &&
      (!familyName || i.family === familyName) &&
      (!osType || osType === 'linux') &&
      (!arch || arch === 'x86_64'),
  ).sort((a, b) => b.creationTime.localeCompare(a.creationTime));
  const { items, fields } = pageNumbered(images, p, 10, 100);
  return { RegionId: ctx.region.id, ...fields, Images: { Image: items.map(imageView) } };
}

function describePrice(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const resourceType = p.get('ResourceType') ?? 'instance';
  if (resourceType !== 'instance') throw invalid('ResourceType', 'the twin prices instances only');
  const typeId = p.required('InstanceType');
  const type = findAlibabaInstanceType(typeId);
  const region = findAlibabaRegion(ctx.region.id)!;
  const zone = p.get('ZoneId');
  if (zone && !region.zones.includes(zone)) throw new EcsError('InvalidZoneId.NotFound');
  if (!type || (zone && !instanceTypesIn(zone).includes(type))) throw new EcsError('InvalidInstanceType.ValueNotSupported');
  const unit = p.get('PriceUnit') ?? 'Hour';
  const hours = unit === 'Hour' ? 1 : unit === 'Week' ? 168 : unit === 'Month' ? 720 : unit === 'Year' ? 8760 : NaN;
  if (Number.isNaN(hours)) throw invalid('PriceUnit', 'expected Hour, Week, Month or Year');
  const period = p.int('Period', 1, 1, 9);
  const diskGiB = p.int('SystemDisk.Size', 40, 20, 2048);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const instance = round(alibabaPrice(type, region) * hours * period);
  const disk = round(diskGiB * SYSTEM_DISK_USD_PER_GIB_HOUR * region.priceFactor * hours * period);
  const total = round(instance + disk);
  return {
    PriceInfo: {
      Price: {
        OriginalPrice: total,
        DiscountPrice: 0,
        TradePrice: total,
        Currency: 'USD',
        DetailInfos: {
          DetailInfo: [
            { Resource: 'instanceType', OriginalPrice: instance, DiscountPrice: 0, TradePrice: instance },
            { Resource: 'systemDisk', OriginalPrice: disk, DiscountPrice: 0, TradePrice: disk },
          ],
        },
      },
      Rules: { Rule: [] },
    },
  };
}

export const CATALOG_ACTIONS: Readonly<Record<string, EcsHandler>> = {
  DescribeRegions: describeRegions,
  DescribeZones: describeZones,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeImages: describeImages,
  DescribePrice: describePrice,
};
