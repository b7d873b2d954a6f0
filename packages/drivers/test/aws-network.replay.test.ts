/**
 * The AWS driver's catalog, network and key-pair calls against real EC2 response samples (Apache
 * Libcloud's fixtures in test/fixtures/ec2), fed through the real SDK by a replaying requestHandler.
 * Shapes Libcloud has no sample of are written inline, marked as such.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '@cloud-barista/core';
import { emptySet, ec2Error, EC2_NS as NS, REPLAY_NET as NET, REPLAY_TAGS as TAGS, replayDriver } from './replay.js';

describe('catalog', () => {
  it('resolves an alias to the newest image of the official owner and name pattern', async () => {
    const { driver, replay } = replayDriver({ DescribeImages: { file: 'describe_images.xml' } });
    const img = await driver.catalog.resolveImage('ubuntu-22.04');
    // The sample's newest (and only dated) image wins.
    expect(img).toMatchObject({
      id: 'ami-57ba933a',
      os: 'Ubuntu 22.04',
      arch: 'x86_64',
      createdAt: '2021-01-10T18:24:00.000Z',
    });
    const p = Object.fromEntries(replay.calls[0]!.params);
    expect(p).toMatchObject({
      'Owner.1': '099720109477',
      'Filter.1.Name': 'name',
      'Filter.1.Value.1': 'ubuntu/images/hvm-ssd*/ubuntu-jammy-22.04-amd64-server-*',
    });
  });

  it.each([
    ['ubuntu-24.04', '099720109477', 'ubuntu/images/hvm-ssd*/ubuntu-noble-24.04-amd64-server-*'],
    ['debian-12', '136693071363', 'debian-12-amd64-*'],
  ])('%s asks owner %s for %s', async (alias, owner, pattern) => {
    const { driver, replay } = replayDriver({ DescribeImages: { file: 'describe_images.xml' } });
    await driver.catalog.resolveImage(alias);
    expect(replay.calls[0]!.params.get('Owner.1')).toBe(owner);
    expect(replay.calls[0]!.params.get('Filter.1.Value.1')).toBe(pattern);
  });

  it('resolves an ami id; a missing one is a UsageError', async () => {
    const { driver } = replayDriver({
      DescribeImages: (params) =>
        params.get('ImageId.1') === 'ami-57ba933a'
          ? { file: 'describe_images.xml' }
          : { status: 400, body: ec2Error('InvalidAMIID.NotFound') },
    });
    expect((await driver.catalog.resolveImage('ami-57ba933a')).name).toBe('Test Image');
    await expect(driver.catalog.resolveImage('ami-0000dead')).rejects.toThrow(UsageError);
  });

  it('an unknown image is a UsageError naming it and the aliases, without any call', async () => {
    const { driver, replay } = replayDriver({});
    const err = await driver.catalog.resolveImage('windows-11').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/windows-11.*ubuntu-22\.04, ubuntu-24\.04, debian-12/);
    expect(replay.calls).toHaveLength(0);
  });

  it('an alias with no match in the region is a UsageError', async () => {
    const { driver } = replayDriver({ DescribeImages: { body: emptySet('DescribeImages', 'imagesSet') } });
    await expect(driver.catalog.resolveImage('debian-12')).rejects.toThrow(UsageError);
  });

  it('lists specs across pages without prices', async () => {
    // Inline: Libcloud's describe_instance_types.xml is Eucalyptus-shaped, not EC2's. This follows
    // the EC2 API Reference's DescribeInstanceTypes response.
    const type = (name: string, vcpu: number, mib: number, arch: string) =>
      `<item><instanceType>${name}</instanceType><vCpuInfo><defaultVCpus>${vcpu}</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>${mib}</sizeInMiB></memoryInfo><processorInfo><supportedArchitectures><item>${arch}</item></supportedArchitectures></processorInfo></item>`;
    const page = (items: string, next?: string) =>
      `<DescribeInstanceTypesResponse xmlns="${NS}"><requestId>r</requestId><instanceTypeSet>${items}</instanceTypeSet>${next ? `<nextToken>${next}</nextToken>` : ''}</DescribeInstanceTypesResponse>`;
    const { driver, replay } = replayDriver({
      DescribeInstanceTypes: (p) =>
        p.get('NextToken') === 'n2'
          ? { body: page(type('t4g.small', 2, 2048, 'arm64')) }
          : { body: page(type('t3.micro', 2, 1024, 'x86_64') + type('m5.large', 2, 8192, 'x86_64'), 'n2') },
    });
    expect(await driver.catalog.listSpecs()).toEqual([
      { name: 'm5.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64' },
      { name: 't3.micro', vcpu: 2, memoryGiB: 1, arch: 'x86_64' },
      { name: 't4g.small', vcpu: 2, memoryGiB: 2, arch: 'arm64' },
    ]);
    expect(replay.calls).toHaveLength(2);
  });

  it('lists regions with their zones', async () => {
    // Inline DescribeRegions (no Libcloud sample); zones come from describe_availability_zones.xml.
    const regions = `<DescribeRegionsResponse xmlns="${NS}"><requestId>r</requestId><regionInfo><item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item></regionInfo></DescribeRegionsResponse>`;
    const { driver } = replayDriver({
      DescribeRegions: { body: regions },
      DescribeAvailabilityZones: { file: 'describe_availability_zones.xml' },
    });
    expect(await driver.catalog.listRegions()).toEqual([
      { name: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] },
    ]);
  });

  it('ping times DescribeAvailabilityZones', async () => {
    const { driver } = replayDriver({
      DescribeAvailabilityZones: { file: 'describe_availability_zones.xml' },
    });
    const r = await driver.ping();
    expect(r.region).toBe('us-east-1');
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

/** Route tables: Libcloud has no samples; shapes follow the EC2 API Reference. */
const RT = {
  DescribeRouteTables: { body: emptySet('DescribeRouteTables', 'routeTableSet') },
  CreateRouteTable: {
    body: `<CreateRouteTableResponse xmlns="${NS}"><requestId>r</requestId><routeTable><routeTableId>rtb-f9ad4890</routeTableId><vpcId>vpc-ad3527cf</vpcId><routeSet><item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state></item></routeSet><associationSet/><tagSet/></routeTable></CreateRouteTableResponse>`,
  },
  CreateRoute: {
    body: `<CreateRouteResponse xmlns="${NS}"><requestId>r</requestId><return>true</return></CreateRouteResponse>`,
  },
  AssociateRouteTable: {
    body: `<AssociateRouteTableResponse xmlns="${NS}"><requestId>r</requestId><associationId>rtbassoc-f8ad4891</associationId></AssociateRouteTableResponse>`,
  },
};

function tagsOf(p: URLSearchParams, spec = 1): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 1; p.get(`TagSpecification.${spec}.Tag.${i}.Key`); i++) {
    tags[p.get(`TagSpecification.${spec}.Tag.${i}.Key`)!] = p.get(`TagSpecification.${spec}.Tag.${i}.Value`)!;
  }
  return tags;
}

describe('network', () => {
  it('creates VPC → subnet → gateway → route → security group, each tagged at creation', async () => {
    const { driver, replay } = replayDriver({
      DescribeVpcs: { body: emptySet('DescribeVpcs', 'vpcSet') },
      CreateVpc: { file: 'create_vpc.xml' },
      DescribeSubnets: { body: emptySet('DescribeSubnets', 'subnetSet') },
      DescribeAvailabilityZones: { file: 'describe_availability_zones.xml' },
      CreateSubnet: { file: 'create_subnet.xml' },
      ModifySubnetAttribute: { file: 'modify_subnet_attribute.xml' },
      DescribeInternetGateways: { body: emptySet('DescribeInternetGateways', 'internetGatewaySet') },
      CreateInternetGateway: { file: 'create_internet_gateway.xml' },
      AttachInternetGateway: { file: 'attach_internet_gateway.xml' },
      ...RT,
      DescribeSecurityGroups: { body: emptySet('DescribeSecurityGroups', 'securityGroupInfo') },
      CreateSecurityGroup: { file: 'create_security_group.xml' },
      AuthorizeSecurityGroupIngress: { file: 'authorize_security_group_ingress.xml' },
    });
    const net = await driver.network.ensureDefault({ name: 'cb-replay', tags: TAGS });
    expect(net).toEqual({
      networkId: 'vpc-ad3527cf',
      subnetId: 'subnet-ce0e7ce6',
      securityGroupId: 'sg-52e2f530',
      zone: 'us-east-1b',
      extra: { igwId: 'igw-13ac2b36', routeTableId: 'rtb-f9ad4890' },
    });
    const creates = replay.calls.filter((c) => c.action.startsWith('Create') && c.action !== 'CreateRoute');
    expect(creates.map((c) => [c.action, c.params.get('TagSpecification.1.ResourceType')])).toEqual([
      ['CreateVpc', 'vpc'],
      ['CreateSubnet', 'subnet'],
      ['CreateInternetGateway', 'internet-gateway'],
      ['CreateRouteTable', 'route-table'],
      ['CreateSecurityGroup', 'security-group'],
    ]);
    for (const c of creates) {
      const { Name, ...ours } = tagsOf(c.params);
      expect(ours).toEqual(TAGS);
      expect(Name).toMatch(/^cb-replay-(vpc|subnet|igw|rt|sg)$/);
    }
    const p = (a: string) => Object.fromEntries(replay.callsTo(a)[0]!.params);
    expect(p('CreateVpc').CidrBlock).toBe('10.0.0.0/16');
    // No zone on the connection: the region's first available zone.
    expect(p('CreateSubnet')).toMatchObject({ VpcId: 'vpc-ad3527cf', AvailabilityZone: 'eu-west-1a' });
    expect(p('ModifySubnetAttribute')).toMatchObject({
      SubnetId: 'subnet-ce0e7ce6',
      'MapPublicIpOnLaunch.Value': 'true',
    });
    expect(p('AttachInternetGateway')).toMatchObject({
      InternetGatewayId: 'igw-13ac2b36',
      VpcId: 'vpc-ad3527cf',
    });
    expect(p('CreateRoute')).toMatchObject({
      RouteTableId: 'rtb-f9ad4890',
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: 'igw-13ac2b36',
    });
    expect(p('AssociateRouteTable')).toMatchObject({
      RouteTableId: 'rtb-f9ad4890',
      SubnetId: 'subnet-ce0e7ce6',
    });
    expect(p('CreateSecurityGroup')).toMatchObject({ GroupName: 'cb-replay-sg', VpcId: 'vpc-ad3527cf' });
    expect(p('AuthorizeSecurityGroupIngress')).toMatchObject({
      GroupId: 'sg-52e2f530',
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '22',
      'IpPermissions.1.ToPort': '22',
      'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
    });
    // Found-by filters: our tags plus the piece's Name.
    const vpcFilters = Object.fromEntries(replay.callsTo('DescribeVpcs')[0]!.params);
    expect(vpcFilters).toMatchObject({
      'Filter.1.Name': 'tag:cb-managed',
      'Filter.3.Name': 'tag:Name',
      'Filter.3.Value.1': 'cb-replay-vpc',
    });
  });

  it("uses the connection's zone when it has one", async () => {
    const { driver, replay } = replayDriver(
      {
        DescribeVpcs: { file: 'describe_vpcs.xml' },
        DescribeSubnets: { body: emptySet('DescribeSubnets', 'subnetSet') },
        CreateSubnet: { file: 'create_subnet.xml' },
        ModifySubnetAttribute: { file: 'modify_subnet_attribute.xml' },
        DescribeInternetGateways: { file: 'describe_internet_gateways.xml' },
        AttachInternetGateway: { file: 'attach_internet_gateway.xml' },
        ...RT,
        DescribeSecurityGroups: { file: 'describe_security_groups.xml' },
        AuthorizeSecurityGroupIngress: { file: 'authorize_security_group_ingress.xml' },
      },
      { connection: { zone: 'us-east-1c' } },
    );
    const net = await driver.network.ensureDefault({ name: 'cb-replay', tags: TAGS });
    expect(replay.callsTo('CreateSubnet')[0]!.params.get('AvailabilityZone')).toBe('us-east-1c');
    expect(replay.callsTo('DescribeAvailabilityZones')).toHaveLength(0);
    // Adopted from describe_vpcs.xml / describe_internet_gateways.xml / describe_security_groups.xml.
    expect(net.networkId).toBe('vpc-532335e1');
    expect(net.extra.igwId).toBe('igw-7fdae215');
    expect(net.securityGroupId).toBe('sg-443d0a12');
    expect(
      replay.calls.filter((c) =>
        ['CreateVpc', 'CreateInternetGateway', 'CreateSecurityGroup'].includes(c.action),
      ),
    ).toHaveLength(0);
    // The adopted group allows port 80 only: SSH is added.
    expect(replay.callsTo('AuthorizeSecurityGroupIngress')).toHaveLength(1);
  });

  it('deletes in dependency order, waits out DependencyViolation, and treats NotFound as done', async () => {
    const { driver, replay } = replayDriver(
      {
        DescribeInternetGateways: { body: emptySet('DescribeInternetGateways', 'internetGatewaySet') },
        DescribeRouteTables: {
          body: `<DescribeRouteTablesResponse xmlns="${NS}"><requestId>r</requestId><routeTableSet><item><routeTableId>rtb-1</routeTableId><vpcId>vpc-1</vpcId><associationSet><item><routeTableAssociationId>rtbassoc-1</routeTableAssociationId><routeTableId>rtb-1</routeTableId><subnetId>subnet-1</subnetId><main>false</main></item></associationSet></item><item><routeTableId>rtb-main</routeTableId><vpcId>vpc-1</vpcId><associationSet><item><routeTableAssociationId>rtbassoc-m</routeTableAssociationId><routeTableId>rtb-main</routeTableId><main>true</main></item></associationSet></item></routeTableSet></DescribeRouteTablesResponse>`,
        },
        DeleteSecurityGroup: [
          { status: 400, body: ec2Error('DependencyViolation') },
          { file: 'delete_security_group.xml' },
        ],
        DisassociateRouteTable: {
          body: `<DisassociateRouteTableResponse xmlns="${NS}"><requestId>r</requestId><return>true</return></DisassociateRouteTableResponse>`,
        },
        DeleteRouteTable: { status: 400, body: ec2Error('InvalidRouteTableID.NotFound') },
        DetachInternetGateway: { status: 400, body: ec2Error('Gateway.NotAttached') },
        DeleteInternetGateway: { file: 'delete_internet_gateway.xml' },
        DeleteSubnet: { file: 'delete_subnet.xml' },
        DeleteVpc: { status: 400, body: ec2Error('InvalidVpcID.NotFound') },
      },
      { tuning: { dependencyWaitMs: 10_000 } },
    );
    await driver.network.deleteDefault({ ...NET, extra: { igwId: 'igw-1', routeTableId: 'rtb-1' } });
    expect(replay.calls.map((c) => c.action).filter((a) => !a.startsWith('Describe'))).toEqual([
      'DeleteSecurityGroup',
      'DeleteSecurityGroup',
      'DisassociateRouteTable',
      'DeleteRouteTable',
      'DetachInternetGateway',
      'DeleteInternetGateway',
      'DeleteSubnet',
      'DeleteVpc',
    ]);
  });
});

describe('key pairs', () => {
  it('imports the public key with tags; a duplicate is adopted; delete tolerates NotFound', async () => {
    const { driver, replay } = replayDriver({
      ImportKeyPair: [
        { file: 'import_key_pair.xml' },
        { status: 400, body: ec2Error('InvalidKeyPair.Duplicate') },
      ],
      DeleteKeyPair: [
        { file: 'delete_key_pair.xml' },
        { status: 400, body: ec2Error('InvalidKeyPair.NotFound') },
      ],
    });
    const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG0 cb';
    expect(await driver.keys.ensureKeyPair({ name: 'keypair', publicKey: pub, tags: TAGS })).toEqual({
      keyName: 'keypair',
    });
    expect(await driver.keys.ensureKeyPair({ name: 'keypair', publicKey: pub, tags: TAGS })).toEqual({
      keyName: 'keypair',
    });
    const p = replay.callsTo('ImportKeyPair')[0]!.params;
    expect(Buffer.from(p.get('PublicKeyMaterial')!, 'base64').toString()).toBe(pub);
    expect(p.get('TagSpecification.1.ResourceType')).toBe('key-pair');
    expect(tagsOf(p)).toEqual({ ...TAGS, Name: 'keypair' });
    await driver.keys.deleteKeyPair('keypair');
    await driver.keys.deleteKeyPair('keypair');
  });
});
