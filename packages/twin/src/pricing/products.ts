/**
 * The twin's EC2 price list: one product per (region, instance type, operating system) in the shape
 * of AWS Price List Query API items (`product.attributes`, `terms.OnDemand.<sku>.<offer>.
 * priceDimensions.<rate>.pricePerUnit.USD`), built from the twin's own catalog (data/aws.ts).
 *
 * Linux prices are data/aws.ts's on-demand prices. Windows entries exist so that clients must
 * filter by operating system as they must on AWS; their prices are the Linux price plus AWS's
 * usual Windows licence uplift ($0.046 per vCPU-hour, $0.0046 for burstable types), an
 * approximation. Attribute names and value formats ("8 GiB", "Up to 5 Gigabit", "BoxUsage:…",
 * "JRTCKXETXF"/"6YS6EN2CT7" term and rate codes) are the real ones.
 */
import { createHash } from 'node:crypto';
import { AWS_INSTANCE_TYPES, AWS_REGIONS, onDemandPrice, type AwsInstanceType, type AwsRegion } from '../data/aws.js';

export const ON_DEMAND_OFFER = 'JRTCKXETXF';
export const HOURLY_RATE = '6YS6EN2CT7';
export const PUBLICATION_DATE = '2024-06-03T18:24:51Z';
const VERSION = '20240603182451';

/** Usage-type prefixes AWS uses per region (us-east-1 has none). */
const USAGE_PREFIX: Record<string, string> = {
  'us-east-1': '',
  'us-east-2': 'USE2-',
  'us-west-1': 'USW1-',
  'us-west-2': 'USW2-',
  'ca-central-1': 'CAN1-',
  'sa-east-1': 'SAE1-',
  'eu-west-1': 'EU-',
  'eu-west-2': 'EUW2-',
  'eu-central-1': 'EUC1-',
  'eu-north-1': 'EUN1-',
  'ap-northeast-1': 'APN1-',
  'ap-northeast-2': 'APN2-',
  'ap-southeast-1': 'APS1-',
  'ap-southeast-2': 'APS2-',
  'ap-south-1': 'APS3-',
};

export type Attributes = Record<string, string>;

export interface PriceListItem {
  product: { productFamily: string; attributes: Attributes; sku: string };
  serviceCode: string;
  terms: { OnDemand: Record<string, unknown> };
  version: string;
  publicationDate: string;
}

function sku(seed: string): string {
  return createHash('sha256').update(seed).digest('base64').replace(/[^A-Z0-9]/gi, '').toUpperCase().slice(0, 16);
}

function family(t: AwsInstanceType): string {
  const f = t.name.split('.')[0]!;
  if (t.gpu) return 'GPU instance';
  if (f.startsWith('c')) return 'Compute optimized';
  if (f.startsWith('r')) return 'Memory optimized';
  return 'General purpose';
}

function processor(t: AwsInstanceType): string {
  if (t.manufacturer === 'AWS') return t.name.startsWith('m7g') || t.name.startsWith('c7g') ? 'AWS Graviton3 Processor' : 'AWS Graviton2 Processor';
  if (t.manufacturer === 'AMD') return 'AMD EPYC 7571';
  return t.hypervisor === 'xen' ? 'Intel Xeon Family' : 'Intel Xeon Platinum 8175';
}

function item(region: AwsRegion, t: AwsInstanceType, os: 'Linux' | 'Windows'): PriceListItem {
  const linux = onDemandPrice(t, region);
  const price = os === 'Linux' ? linux : Math.round((linux + t.vcpus * (t.burstable ? 0.0046 : 0.046)) * 10_000) / 10_000;
  const id = sku(`${region.name}/${t.name}/${os}`);
  const usage = `${USAGE_PREFIX[region.name] ?? ''}BoxUsage:${t.name}`;
  const attributes: Attributes = {
    capacitystatus: 'Used',
    clockSpeed: `${t.clockGhz} GHz`,
    currentGeneration: t.hypervisor === 'nitro' ? 'Yes' : 'No',
    ecu: t.burstable ? 'Variable' : String(t.vcpus * 4),
    gpuMemory: t.gpu ? `${(t.gpu.count * t.gpu.memoryMiB) / 1024} GiB` : 'NA',
    ...(t.gpu ? { gpu: String(t.gpu.count) } : {}),
    instanceFamily: family(t),
    instanceType: t.name,
    instancesku: sku(`${region.name}/${t.name}/${os}/instance`),
    licenseModel: os === 'Linux' ? 'No License required' : 'License Included',
    location: region.displayName,
    locationType: 'AWS Region',
    marketoption: 'OnDemand',
    memory: `${+(t.memoryMiB / 1024).toFixed(3)} GiB`,
    networkPerformance: t.networkPerformance,
    normalizationSizeFactor: String(Math.max(0.25, t.vcpus / 4)),
    operatingSystem: os,
    operation: os === 'Linux' ? 'RunInstances' : 'RunInstances:0002',
    physicalProcessor: processor(t),
    preInstalledSw: 'NA',
    processorArchitecture: '64-bit',
    regionCode: region.name,
    servicecode: 'AmazonEC2',
    servicename: 'Amazon Elastic Compute Cloud',
    storage: 'EBS only',
    tenancy: 'Shared',
    usagetype: usage,
    vcpu: String(t.vcpus),
    vpcnetworkingsupport: 'true',
  };
  const offer = `${id}.${ON_DEMAND_OFFER}`;
  const rate = `${offer}.${HOURLY_RATE}`;
  return {
    product: { productFamily: 'Compute Instance', attributes, sku: id },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [offer]: {
          priceDimensions: {
            [rate]: {
              unit: 'Hrs',
              endRange: 'Inf',
              description: `$${price.toFixed(4)} per On Demand ${os} ${t.name} Instance Hour`,
              appliesTo: [],
              rateCode: rate,
              beginRange: '0',
              pricePerUnit: { USD: price.toFixed(10) },
            },
          },
          sku: id,
          effectiveDate: '2024-06-01T00:00:00Z',
          offerTermCode: ON_DEMAND_OFFER,
          termAttributes: {},
        },
      },
    },
    version: VERSION,
    publicationDate: PUBLICATION_DATE,
  };
}

let all: PriceListItem[] | undefined;

/** Every EC2 product of the twin, in a stable order (region, type, OS). */
export function ec2Products(): readonly PriceListItem[] {
  all ??= AWS_REGIONS.flatMap((r) => AWS_INSTANCE_TYPES.flatMap((t) => [item(r, t, 'Linux'), item(r, t, 'Windows')]));
  return all;
}
