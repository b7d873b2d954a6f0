import {
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  type EC2Client,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ec2Error, startTestTwin, type TestTwin } from '../../test/helpers.js';

let t: TestTwin;
let seoul: EC2Client;

beforeAll(async () => {
  t = await startTestTwin();
  seoul = t.client('ap-northeast-2');
});
afterAll(() => t.cleanup());

describe('catalog through the AWS SDK', () => {
  it('lists at least 10 real regions with their endpoints', async () => {
    const out = await seoul.send(new DescribeRegionsCommand({}));
    const names = (out.Regions ?? []).map((r) => r.RegionName);
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(names).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-south-1', 'sa-east-1', 'ca-central-1']));
    expect(out.Regions?.find((r) => r.RegionName === 'eu-west-1')).toMatchObject({ Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' });
    const one = await seoul.send(new DescribeRegionsCommand({ RegionNames: ['sa-east-1'] }));
    expect(one.Regions?.map((r) => r.RegionName)).toEqual(['sa-east-1']);
  });

  it('lists the zones of the signing region only', async () => {
    const out = await seoul.send(new DescribeAvailabilityZonesCommand({}));
    expect(out.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c', 'ap-northeast-2d']);
    expect(out.AvailabilityZones?.[0]).toMatchObject({ State: 'available', RegionName: 'ap-northeast-2', ZoneId: 'apne2-az1', ZoneType: 'availability-zone' });
    const tokyo = await t.client('ap-northeast-1').send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['*c'] }] }));
    expect(tokyo.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['ap-northeast-1c']);
  });

  it('finds the newest Ubuntu 22.04 amd64 image the way drivers look it up', async () => {
    const out = await seoul.send(
      new DescribeImagesCommand({
        Owners: ['099720109477'],
        Filters: [
          { Name: 'name', Values: ['ubuntu/images/hvm-ssd*/ubuntu-jammy-22.04-amd64-server-*'] },
          { Name: 'architecture', Values: ['x86_64'] },
          { Name: 'state', Values: ['available'] },
        ],
      }),
    );
    const images = out.Images ?? [];
    expect(images.length).toBe(2);
    for (const img of images) {
      expect(img.OwnerId).toBe('099720109477');
      expect(img.ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
      expect(img.RootDeviceName).toBe('/dev/sda1');
      expect(img.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize).toBe(8);
    }
    const newest = images.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
    expect(newest?.Name).toBe('ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240301');
  });

  it('gives per-region, deterministic AMI ids for Ubuntu 24.04 and Debian 12', async () => {
    const debian = (client: EC2Client) =>
      client.send(new DescribeImagesCommand({ Owners: ['136693071363'], Filters: [{ Name: 'name', Values: ['debian-12-arm64-*'] }] }));
    const a = (await debian(seoul)).Images ?? [];
    const b = (await debian(t.client('eu-central-1'))).Images ?? [];
    expect(a.map((i) => i.Name)).toEqual(['debian-12-arm64-20240211-1654', 'debian-12-arm64-20240507-1740']);
    expect(a.every((i) => i.Architecture === 'arm64')).toBe(true);
    expect(a.map((i) => i.ImageId)).not.toEqual(b.map((i) => i.ImageId));
    expect((await debian(seoul)).Images?.map((i) => i.ImageId)).toEqual(a.map((i) => i.ImageId));
    const noble = await seoul.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['*noble-24.04-amd64*'] }] }));
    expect(noble.Images?.length).toBe(2);
    const id = noble.Images?.[0]?.ImageId ?? '';
    expect((await seoul.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0]?.Name).toMatch(/^ubuntu\/images\/hvm-ssd-gp3\/ubuntu-noble-24\.04-amd64-server-/);
  });

  it('answers EC2 errors for unknown or malformed image ids and owners', async () => {
    expect(await ec2Error(seoul.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })))).toMatchObject({
      name: 'InvalidAMIID.NotFound',
      status: 400,
      message: "The image id '[ami-0123456789abcdef0]' does not exist",
    });
    expect((await ec2Error(seoul.send(new DescribeImagesCommand({ ImageIds: ['ubuntu'] })))).name).toBe('InvalidAMIID.Malformed');
    expect((await ec2Error(seoul.send(new DescribeImagesCommand({ Owners: ['canonical'] })))).name).toBe('InvalidUserID.Malformed');
    expect((await seoul.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images).toEqual([]);
  });

  it('describes real instance types and pages with MaxResults/NextToken', async () => {
    const one = await seoul.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.micro', 't4g.small', 'm5.large'] }));
    const byName = new Map(one.InstanceTypes?.map((i) => [i.InstanceType, i]));
    expect(byName.get('t3.micro')).toMatchObject({
      VCpuInfo: { DefaultVCpus: 2, DefaultCores: 1, DefaultThreadsPerCore: 2 },
      MemoryInfo: { SizeInMiB: 1024 },
      ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
      FreeTierEligible: true,
      BurstablePerformanceSupported: true,
    });
    expect(byName.get('t4g.small')?.ProcessorInfo?.SupportedArchitectures).toEqual(['arm64']);
    expect(byName.get('m5.large')?.MemoryInfo?.SizeInMiB).toBe(8192);

    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await seoul.send(new DescribeInstanceTypesCommand({ MaxResults: 5, NextToken }));
      expect(page.InstanceTypes?.length).toBeLessThanOrEqual(5);
      seen.push(...(page.InstanceTypes ?? []).map((i) => i.InstanceType ?? ''));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBeGreaterThan(4);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await seoul.send(new DescribeInstanceTypesCommand({}));
    expect(seen).toEqual(all.InstanceTypes?.map((i) => i.InstanceType));
    expect(all.NextToken).toBeUndefined();
  });

  it('filters instance types and refuses unknown ones', async () => {
    const arm = await seoul.send(
      new DescribeInstanceTypesCommand({ Filters: [{ Name: 'processor-info.supported-architecture', Values: ['arm64'] }, { Name: 'instance-type', Values: ['t4g.*'] }] }),
    );
    expect(arm.InstanceTypes?.map((i) => i.InstanceType).sort()).toEqual(['t4g.large', 't4g.medium', 't4g.micro', 't4g.nano', 't4g.small', 't4g.xlarge']);
    expect(await ec2Error(seoul.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t9.huge' as _InstanceType] })))).toMatchObject({
      name: 'InvalidInstanceType',
      message: 'The following supplied instance types do not exist: [t9.huge]',
    });
    expect((await ec2Error(seoul.send(new DescribeInstanceTypesCommand({ MaxResults: 1000 })))).name).toBe('InvalidParameterValue');
  });
});
