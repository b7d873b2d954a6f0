/** Read-only catalog actions: regions, zones, images, instance types. */
import { AWS_INSTANCE_TYPES, AWS_REGIONS, type AwsImage, type AwsInstanceType, findRegion, imagesFor } from '../data/aws.js';
import type { Ctx } from './context.js';
import { Ec2Error } from './errors.js';
import { applyFilters } from './filters.js';
import { checkIds } from './ids.js';
import { paginate } from './paging.js';
import { tagSet } from './tags.js';
import { el, items, node, scalarItems, type XmlChild } from './xml.js';

const NO_TAGS = { tags: [] as never[] };

export function describeRegions(ctx: Ctx): XmlChild[] {
  const names = ctx.params.list('RegionName');
  for (const n of names) if (!findRegion(n)) throw new Ec2Error('InvalidParameterValue', `Invalid region: ${n}`);
  const base = AWS_REGIONS.filter((r) => names.length === 0 || names.includes(r.name)).map((r) => ({ ...r, ...NO_TAGS }));
  const filtered = applyFilters(base, ctx.params.filters(), {
    'region-name': (r) => r.name,
    endpoint: (r) => `ec2.${r.name}.amazonaws.com`,
    'opt-in-status': () => 'opt-in-not-required',
  });
  return [
    items('regionInfo', filtered, (r) => [
      el('regionName', r.name),
      el('regionEndpoint', `ec2.${r.name}.amazonaws.com`),
      el('optInStatus', 'opt-in-not-required'),
    ]),
  ];
}

export function describeAvailabilityZones(ctx: Ctx): XmlChild[] {
  const region = findRegion(ctx.region.name);
  const zones = (region?.zones ?? []).map((z, i) => ({ name: z, id: region?.zoneIds[i] ?? '', ...NO_TAGS }));
  const names = ctx.params.list('ZoneName');
  const ids = ctx.params.list('ZoneId');
  for (const n of names) {
    if (!zones.some((z) => z.name === n)) throw new Ec2Error('InvalidParameterValue', `The zone '${n}' does not exist.`);
  }
  for (const n of ids) {
    if (!zones.some((z) => z.id === n)) throw new Ec2Error('InvalidParameterValue', `The zone ID '${n}' does not exist.`);
  }
  const base = zones.filter((z) => (names.length === 0 && ids.length === 0) || names.includes(z.name) || ids.includes(z.id));
  const filtered = applyFilters(base, ctx.params.filters(), {
    'zone-name': (z) => z.name,
    'zone-id': (z) => z.id,
    'region-name': () => ctx.region.name,
    state: () => 'available',
    'zone-type': () => 'availability-zone',
    'group-name': () => ctx.region.name,
    'opt-in-status': () => 'opt-in-not-required',
  });
  return [
    items('availabilityZoneInfo', filtered, (z) => [
      el('zoneName', z.name),
      el('zoneState', 'available'),
      el('regionName', ctx.region.name),
      node('messageSet', []),
      el('optInStatus', 'opt-in-not-required'),
      el('zoneId', z.id),
      el('groupName', ctx.region.name),
      el('networkBorderGroup', ctx.region.name),
      el('zoneType', 'availability-zone'),
    ]),
  ];
}

const OWNER_ALIASES = ['self', 'amazon', 'aws-marketplace', 'aws-backup-vault'];

function volumeType(img: AwsImage): string {
  return img.name.includes('hvm-ssd-gp3') ? 'gp3' : 'gp2';
}

function renderImage(img: AwsImage): XmlChild[] {
  const deprecation = new Date(img.creationDate);
  deprecation.setUTCFullYear(deprecation.getUTCFullYear() + 2);
  return [
    el('imageId', img.imageId),
    el('imageLocation', `${img.ownerId}/${img.name}`),
    el('imageState', 'available'),
    el('imageOwnerId', img.ownerId),
    el('creationDate', img.creationDate),
    el('isPublic', true),
    el('architecture', img.architecture),
    el('imageType', 'machine'),
    el('sriovNetSupport', 'simple'),
    el('name', img.name),
    el('description', img.description),
    el('rootDeviceType', 'ebs'),
    el('rootDeviceName', img.rootDeviceName),
    items('blockDeviceMapping', ['root', 'ephemeral0', 'ephemeral1'] as const, (d) =>
      d === 'root'
        ? [
            el('deviceName', img.rootDeviceName),
            node('ebs', [
              el('deleteOnTermination', true),
              el('snapshotId', img.snapshotId),
              el('volumeSize', img.rootVolumeGiB),
              el('volumeType', volumeType(img)),
              el('encrypted', false),
            ]),
          ]
        : [el('deviceName', d === 'ephemeral0' ? '/dev/sdb' : '/dev/sdc'), el('virtualName', d)],
    ),
    el('virtualizationType', 'hvm'),
    tagSet([]),
    el('hypervisor', 'xen'),
    el('enaSupport', true),
    el('platformDetails', 'Linux/UNIX'),
    el('usageOperation', 'RunInstances'),
    el('deprecationTime', deprecation.toISOString()),
  ];
}

export function findImage(region: string, imageId: string): AwsImage | undefined {
  return imagesFor(region).find((i) => i.imageId === imageId);
}

export function describeImages(ctx: Ctx): XmlChild[] {
  const ids = ctx.params.list('ImageId');
  const owners = ctx.params.list('Owner');
  const all = imagesFor(ctx.region.name);
  checkIds('ami', 'InvalidAMIID.Malformed', ids);
  const missing = ids.filter((id) => !all.some((i) => i.imageId === id));
  if (missing.length === 1) throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${missing[0]}]' does not exist`);
  if (missing.length > 1) throw new Ec2Error('InvalidAMIID.NotFound', `The image ids '[${missing.join(', ')}]' do not exist`);
  for (const o of owners) {
    if (!/^\d{12}$/.test(o) && !OWNER_ALIASES.includes(o)) throw new Ec2Error('InvalidUserID.Malformed', `Invalid user id: "${o}"`);
  }
  const maxResults = ctx.params.int('MaxResults');
  if (maxResults !== undefined && ids.length > 0) {
    throw new Ec2Error('InvalidParameterCombination', 'The parameter imageIdsSet cannot be used with the parameter maxResults');
  }
  const base = all
    .filter((i) => ids.length === 0 || ids.includes(i.imageId))
    .filter((i) => owners.length === 0 || owners.includes(i.ownerId))
    .map((i, pos) => ({ ...i, pos, ...NO_TAGS }));
  const filtered = applyFilters(base, ctx.params.filters(), {
    name: (i) => i.name,
    architecture: (i) => i.architecture,
    state: () => 'available',
    'image-id': (i) => i.imageId,
    'owner-id': (i) => i.ownerId,
    'owner-alias': () => undefined,
    'is-public': () => true,
    description: (i) => i.description,
    'image-type': () => 'machine',
    'root-device-type': () => 'ebs',
    'root-device-name': (i) => i.rootDeviceName,
    'virtualization-type': () => 'hvm',
    hypervisor: () => 'xen',
    'ena-support': () => true,
    'platform-details': () => 'Linux/UNIX',
    'creation-date': (i) => i.creationDate,
    'block-device-mapping.volume-type': (i) => volumeType(i),
    'block-device-mapping.volume-size': (i) => i.rootVolumeGiB,
    'block-device-mapping.device-name': (i) => i.rootDeviceName,
    'block-device-mapping.snapshot-id': (i) => i.snapshotId,
  });
  const page = paginate(filtered, maxResults, ctx.params.str('NextToken'), { min: 5, max: 1000 }, (i) => i.pos);
  return [items('imagesSet', page.items, renderImage), el('nextToken', page.nextToken)];
}

function renderType(t: AwsInstanceType): XmlChild[] {
  const xen = t.hypervisor === 'xen';
  const threads = t.vcpus / t.cores;
  return [
    el('instanceType', t.name),
    el('currentGeneration', true),
    el('freeTierEligible', t.freeTierEligible),
    scalarItems('supportedUsageClasses', ['on-demand', 'spot']),
    scalarItems('supportedRootDeviceTypes', ['ebs']),
    scalarItems('supportedVirtualizationTypes', ['hvm']),
    el('bareMetal', false),
    el('hypervisor', t.hypervisor),
    node('processorInfo', [
      scalarItems('supportedArchitectures', [t.architecture]),
      el('sustainedClockSpeedInGhz', t.clockGhz),
      el('manufacturer', t.manufacturer),
    ]),
    node('vCpuInfo', [el('defaultVCpus', t.vcpus), el('defaultCores', t.cores), el('defaultThreadsPerCore', threads)]),
    node('memoryInfo', [el('sizeInMiB', t.memoryMiB)]),
    ...(t.gpu
      ? [
          node('gpuInfo', [
            items('gpus', [t.gpu], (g) => [el('name', g.name), el('manufacturer', g.manufacturer), el('count', g.count), node('memoryInfo', [el('sizeInMiB', g.memoryMiB)])]),
            el('totalGpuMemoryInMiB', t.gpu.count * t.gpu.memoryMiB),
          ]),
        ]
      : []),
    el('instanceStorageSupported', false),
    node('ebsInfo', [
      el('ebsOptimizedSupport', xen ? 'unsupported' : 'default'),
      el('encryptionSupport', 'supported'),
      el('nvmeSupport', xen ? 'unsupported' : 'required'),
    ]),
    node('networkInfo', [
      el('networkPerformance', t.networkPerformance),
      el('maximumNetworkInterfaces', t.maxNetworkInterfaces),
      el('maximumNetworkCards', 1),
      el('defaultNetworkCardIndex', 0),
      el('ipv4AddressesPerInterface', t.maxNetworkInterfaces * 4),
      el('ipv6AddressesPerInterface', t.maxNetworkInterfaces * 4),
      el('ipv6Supported', true),
      el('enaSupport', xen ? 'unsupported' : 'required'),
      el('efaSupported', false),
      el('encryptionInTransitSupported', false),
    ]),
    node('placementGroupInfo', [scalarItems('supportedStrategies', ['partition', 'spread'])]),
    el('hibernationSupported', true),
    el('burstablePerformanceSupported', t.burstable),
    el('dedicatedHostsSupported', !t.burstable),
    el('autoRecoverySupported', true),
    scalarItems('supportedBootModes', t.architecture === 'arm64' ? ['uefi'] : ['legacy-bios', 'uefi']),
  ];
}

export function describeInstanceTypes(ctx: Ctx): XmlChild[] {
  const names = ctx.params.list('InstanceType');
  const missing = names.filter((n) => !AWS_INSTANCE_TYPES.some((t) => t.name === n));
  if (missing.length) {
    throw new Ec2Error('InvalidInstanceType', `The following supplied instance types do not exist: [${missing.join(', ')}]`);
  }
  const base = AWS_INSTANCE_TYPES.filter((t) => names.length === 0 || names.includes(t.name)).map((t, pos) => ({ ...t, pos, ...NO_TAGS }));
  const filtered = applyFilters(base, ctx.params.filters(), {
    'instance-type': (t) => t.name,
    'current-generation': () => true,
    'free-tier-eligible': (t) => t.freeTierEligible,
    'burstable-performance-supported': (t) => t.burstable,
    'bare-metal': () => false,
    hypervisor: (t) => t.hypervisor,
    'processor-info.supported-architecture': (t) => t.architecture,
    'processor-info.sustained-clock-speed-in-ghz': (t) => t.clockGhz,
    'processor-info.manufacturer': (t) => t.manufacturer,
    'vcpu-info.default-vcpus': (t) => t.vcpus,
    'vcpu-info.default-cores': (t) => t.cores,
    'memory-info.size-in-mib': (t) => t.memoryMiB,
    'network-info.network-performance': (t) => t.networkPerformance,
    'supported-usage-class': () => ['on-demand', 'spot'],
    'supported-virtualization-type': () => 'hvm',
    'supported-root-device-type': () => 'ebs',
  });
  const page = paginate(filtered, ctx.params.int('MaxResults'), ctx.params.str('NextToken'), { min: 5, max: 100, defaultSize: 100 }, (t) => t.pos);
  return [items('instanceTypeSet', page.items, renderType), el('nextToken', page.nextToken)];
}
