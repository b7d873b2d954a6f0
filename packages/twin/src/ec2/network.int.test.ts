// The whole EC2 network API is walked here: its commands by namespace.
import * as EC2 from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ec2Error, startTestTwin, type TestTwin, userKey } from '../../test/helpers.js';

let t: TestTwin;
let ec2: EC2.EC2Client;
const managed = (type: 'vpc' | 'subnet' | 'internet-gateway' | 'route-table' | 'security-group' | 'key-pair', name: string) => [
  { ResourceType: type, Tags: [{ Key: 'cb-managed', Value: 'true' }, { Key: 'Name', Value: name }] },
];

beforeAll(async () => {
  t = await startTestTwin();
  ec2 = t.client('eu-west-1');
});
afterAll(() => t.cleanup());

describe('default VPC', () => {
  it('exists in every region like on AWS, with public default subnets and an internet gateway', async () => {
    const vpcs = await ec2.send(new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    expect(vpcs.Vpcs).toHaveLength(1);
    const vpc = vpcs.Vpcs?.[0];
    expect(vpc).toMatchObject({ CidrBlock: '172.31.0.0/16', IsDefault: true, State: 'available' });
    const subnets = await ec2.send(new EC2.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc?.VpcId ?? ''] }] }));
    expect(subnets.Subnets?.map((s) => [s.AvailabilityZone, s.CidrBlock, s.DefaultForAz, s.MapPublicIpOnLaunch])).toEqual([
      ['eu-west-1a', '172.31.0.0/20', true, true],
      ['eu-west-1b', '172.31.16.0/20', true, true],
      ['eu-west-1c', '172.31.32.0/20', true, true],
    ]);
    const igws = await ec2.send(new EC2.DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc?.VpcId ?? ''] }] }));
    expect(igws.InternetGateways?.[0]?.Attachments).toEqual([{ State: 'available', VpcId: vpc?.VpcId }]);
  });
});

describe('VPC, subnet, gateway, routes, security group', () => {
  it('builds and tears down a public network the way the AWS driver does', async () => {
    const vpc = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.20.0.0/16', TagSpecifications: managed('vpc', 'net-vpc') }))).Vpc;
    expect(vpc).toMatchObject({ State: 'pending', CidrBlock: '10.20.0.0/16', IsDefault: false, Tags: [{ Key: 'cb-managed', Value: 'true' }, { Key: 'Name', Value: 'net-vpc' }] });
    const vpcId = vpc?.VpcId ?? '';
    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    const found = await ec2.send(new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['net-vpc'] }] }));
    expect(found.Vpcs?.map((v) => [v.VpcId, v.State])).toEqual([[vpcId, 'available']]);

    // Every VPC gets its main route table (local route) and its default security group.
    const tables = await ec2.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    expect(tables.RouteTables).toHaveLength(1);
    const main = tables.RouteTables?.[0];
    expect(main?.Associations?.[0]?.Main).toBe(true);
    expect(main?.Routes).toEqual([{ DestinationCidrBlock: '10.20.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' }]);
    const groups = await ec2.send(new EC2.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    expect(groups.SecurityGroups?.map((g) => g.GroupName)).toEqual(['default']);

    expect((await ec2Error(ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.99.0.0/24' })))).name).toBe('InvalidSubnet.Range');
    expect((await ec2Error(ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.0.0/24', AvailabilityZone: 'eu-west-1z' })))).name).toBe('InvalidParameterValue');
    const subnet = (
      await ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'eu-west-1b', TagSpecifications: managed('subnet', 'net-subnet') }))
    ).Subnet;
    expect(subnet).toMatchObject({ VpcId: vpcId, AvailabilityZone: 'eu-west-1b', AvailableIpAddressCount: 251, MapPublicIpOnLaunch: false });
    const subnetId = subnet?.SubnetId ?? '';
    expect(await ec2Error(ec2.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.128/25' })))).toMatchObject({
      name: 'InvalidSubnet.Conflict',
      message: "The CIDR '10.20.1.128/25' conflicts with another subnet",
    });
    await ec2.send(new EC2.ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }));
    const described = await ec2.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    expect(described.Subnets?.[0]?.MapPublicIpOnLaunch).toBe(true);

    const igwId = (await ec2.send(new EC2.CreateInternetGatewayCommand({ TagSpecifications: managed('internet-gateway', 'net-igw') }))).InternetGateway?.InternetGatewayId ?? '';
    await ec2.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    expect((await ec2Error(ec2.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })))).name).toBe('Resource.AlreadyAssociated');
    expect((await ec2Error(ec2.send(new EC2.DeleteInternetGatewayCommand({ InternetGatewayId: igwId })))).name).toBe('DependencyViolation');

    const rt = (await ec2.send(new EC2.CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: managed('route-table', 'net-rt') }))).RouteTable;
    const rtId = rt?.RouteTableId ?? '';
    await ec2.send(new EC2.CreateRouteCommand({ RouteTableId: rtId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
    expect((await ec2Error(ec2.send(new EC2.CreateRouteCommand({ RouteTableId: rtId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })))).name).toBe('RouteAlreadyExists');
    const assoc = await ec2.send(new EC2.AssociateRouteTableCommand({ RouteTableId: rtId, SubnetId: subnetId }));
    expect(assoc.AssociationState?.State).toBe('associated');
    expect((await ec2Error(ec2.send(new EC2.AssociateRouteTableCommand({ RouteTableId: main?.RouteTableId, SubnetId: subnetId })))).name).toBe('Resource.AlreadyAssociated');
    const withRoute = await ec2.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
    expect(withRoute.RouteTables?.[0]?.Routes?.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State])).toEqual([
      ['10.20.0.0/16', 'local', 'active'],
      ['0.0.0.0/0', igwId, 'active'],
    ]);
    expect((await ec2Error(ec2.send(new EC2.DeleteRouteTableCommand({ RouteTableId: rtId })))).name).toBe('DependencyViolation');
    expect((await ec2Error(ec2.send(new EC2.DeleteRouteTableCommand({ RouteTableId: main?.RouteTableId })))).name).toBe('DependencyViolation');
    expect((await ec2Error(ec2.send(new EC2.DisassociateRouteTableCommand({ AssociationId: main?.Associations?.[0]?.RouteTableAssociationId })))).name).toBe(
      'InvalidParameterValue',
    );

    const sgId = (
      await ec2.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'net-ssh', Description: 'ssh', VpcId: vpcId, TagSpecifications: managed('security-group', 'net-sg') }))
    ).GroupId ?? '';
    expect(await ec2Error(ec2.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'net-ssh', Description: 'again', VpcId: vpcId })))).toMatchObject({
      name: 'InvalidGroup.Duplicate',
      message: `The security group 'net-ssh' already exists for VPC '${vpcId}'`,
    });
    const ssh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }] };
    const auth = await ec2.send(new EC2.AuthorizeSecurityGroupIngressCommand({ GroupId: sgId, IpPermissions: [ssh] }));
    expect(auth.Return).toBe(true);
    expect(auth.SecurityGroupRules?.[0]).toMatchObject({ GroupId: sgId, IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' });
    expect(await ec2Error(ec2.send(new EC2.AuthorizeSecurityGroupIngressCommand({ GroupId: sgId, IpPermissions: [ssh] })))).toMatchObject({
      name: 'InvalidPermission.Duplicate',
      message: 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    });
    const sg = (await ec2.send(new EC2.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['net-ssh'] }, { Name: 'vpc-id', Values: [vpcId] }] })))
      .SecurityGroups?.[0];
    expect(sg?.IpPermissions).toEqual([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }], Ipv6Ranges: [], PrefixListIds: [] },
    ]);
    expect(sg?.IpPermissionsEgress?.[0]).toMatchObject({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
    await ec2.send(new EC2.RevokeSecurityGroupIngressCommand({ GroupId: sgId, IpPermissions: [ssh] }));
    expect((await ec2.send(new EC2.DescribeSecurityGroupsCommand({ GroupIds: [sgId] }))).SecurityGroups?.[0]?.IpPermissions).toEqual([]);
    const defaultSg = groups.SecurityGroups?.[0]?.GroupId ?? '';
    expect((await ec2Error(ec2.send(new EC2.DeleteSecurityGroupCommand({ GroupId: defaultSg })))).name).toBe('CannotDelete');

    // A VPC with subnets, a gateway or its own groups cannot go: DependencyViolation, as on AWS.
    expect(await ec2Error(ec2.send(new EC2.DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject({
      name: 'DependencyViolation',
      status: 400,
      message: `The vpc '${vpcId}' has dependencies and cannot be deleted.`,
    });
    await ec2.send(new EC2.DeleteSecurityGroupCommand({ GroupId: sgId }));
    await ec2.send(new EC2.DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId }));
    await ec2.send(new EC2.DeleteRouteTableCommand({ RouteTableId: rtId }));
    await ec2.send(new EC2.DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    expect((await ec2Error(ec2.send(new EC2.DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })))).name).toBe('Gateway.NotAttached');
    await ec2.send(new EC2.DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    await ec2.send(new EC2.DeleteSubnetCommand({ SubnetId: subnetId }));
    await ec2.send(new EC2.DeleteVpcCommand({ VpcId: vpcId }));
    expect(await ec2Error(ec2.send(new EC2.DescribeVpcsCommand({ VpcIds: [vpcId] })))).toMatchObject({
      name: 'InvalidVpcID.NotFound',
      message: `The vpc ID '${vpcId}' does not exist`,
    });
    // The main route table and default group went with the VPC.
    expect((await ec2.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables).toEqual([]);
    expect((await ec2.send(new EC2.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).SecurityGroups).toEqual([]);
  });

  it('rejects bad CIDRs and ids with EC2 codes', async () => {
    expect((await ec2Error(ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })))).name).toBe('InvalidVpc.Range');
    expect((await ec2Error(ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.0.0.1/16' })))).name).toBe('InvalidParameterValue');
    expect((await ec2Error(ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '' })))).name).toBe('MissingParameter');
    expect((await ec2Error(ec2.send(new EC2.DeleteVpcCommand({ VpcId: 'vpc-nope' })))).name).toBe('InvalidVpcID.Malformed');
    expect((await ec2Error(ec2.send(new EC2.CreateSubnetCommand({ VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.0.0.0/24' })))).name).toBe('InvalidVpcID.NotFound');
    expect((await ec2Error(ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.1.0.0/16', TagSpecifications: managed('subnet', 'x') })))).message).toMatch(
      /'subnet' is not a valid taggable resource type/,
    );
  });

  it('keeps regions apart and pages DescribeVpcs', async () => {
    const tokyo = t.client('ap-northeast-1');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await tokyo.send(new EC2.CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }))).Vpc?.VpcId ?? '');
    }
    const all: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await tokyo.send(new EC2.DescribeVpcsCommand({ MaxResults: 5, NextToken }));
      all.push(...(page.Vpcs ?? []).map((v) => v.VpcId ?? ''));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(all).toHaveLength(7); // six plus the default VPC
    expect(all).toEqual(expect.arrayContaining(ids));
    const ireland = await ec2.send(new EC2.DescribeVpcsCommand({}));
    expect(ireland.Vpcs?.some((v) => ids.includes(v.VpcId ?? ''))).toBe(false);
    expect((await ec2Error(ec2.send(new EC2.DescribeVpcsCommand({ VpcIds: [ids[0] ?? ''] })))).name).toBe('InvalidVpcID.NotFound');
  });
});

describe('key pairs', () => {
  it('imports, describes with fingerprint and public key, refuses duplicates, deletes', async () => {
    const key = userKey();
    const imported = await ec2.send(new EC2.ImportKeyPairCommand({ KeyName: 'cb-key', PublicKeyMaterial: Buffer.from(key.publicKey), TagSpecifications: managed('key-pair', 'cb-key') }));
    expect(imported.KeyName).toBe('cb-key');
    expect(imported.KeyPairId).toMatch(/^key-[0-9a-f]{17}$/);
    expect(imported.KeyFingerprint).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await ec2Error(ec2.send(new EC2.ImportKeyPairCommand({ KeyName: 'cb-key', PublicKeyMaterial: Buffer.from(key.publicKey) })))).toMatchObject({
      name: 'InvalidKeyPair.Duplicate',
      message: "The keypair 'cb-key' already exists.",
    });
    expect((await ec2Error(ec2.send(new EC2.ImportKeyPairCommand({ KeyName: 'bad', PublicKeyMaterial: Buffer.from('hello') })))).name).toBe('InvalidKey.Format');
    const described = await ec2.send(new EC2.DescribeKeyPairsCommand({ KeyNames: ['cb-key'], IncludePublicKey: true }));
    expect(described.KeyPairs?.[0]).toMatchObject({
      KeyName: 'cb-key',
      KeyType: 'ed25519',
      KeyFingerprint: imported.KeyFingerprint,
      PublicKey: key.publicKey,
      Tags: [{ Key: 'cb-managed', Value: 'true' }, { Key: 'Name', Value: 'cb-key' }],
    });
    expect(described.KeyPairs?.[0]?.CreateTime).toBeInstanceOf(Date);
    const byTag = await ec2.send(new EC2.DescribeKeyPairsCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }] }));
    expect(byTag.KeyPairs?.map((k) => k.KeyName)).toEqual(['cb-key']);
    await ec2.send(new EC2.DeleteKeyPairCommand({ KeyName: 'cb-key' }));
    expect(await ec2Error(ec2.send(new EC2.DescribeKeyPairsCommand({ KeyNames: ['cb-key'] })))).toMatchObject({
      name: 'InvalidKeyPair.NotFound',
      message: "The key pair 'cb-key' does not exist",
    });
    // Like EC2, deleting a key pair that is not there succeeds.
    expect((await ec2.send(new EC2.DeleteKeyPairCommand({ KeyName: 'cb-key' }))).Return).toBe(true);
  });
});

describe('tags', () => {
  it('creates, describes and deletes tags on any resource', async () => {
    const vpcId = (await ec2.send(new EC2.CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc?.VpcId ?? '';
    await ec2.send(new EC2.CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'cb-ns', Value: 'default' }, { Key: 'cb-mcis', Value: 'web' }, { Key: 'empty', Value: '' }] }));
    const tags = await ec2.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [vpcId] }] }));
    expect(tags.Tags).toEqual([
      { Key: 'cb-ns', ResourceId: vpcId, ResourceType: 'vpc', Value: 'default' },
      { Key: 'cb-mcis', ResourceId: vpcId, ResourceType: 'vpc', Value: 'web' },
      { Key: 'empty', ResourceId: vpcId, ResourceType: 'vpc', Value: '' },
    ]);
    await ec2.send(new EC2.DeleteTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'cb-mcis', Value: 'other' }, { Key: 'empty' }] }));
    const after = await ec2.send(new EC2.DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(after.Vpcs?.[0]?.Tags).toEqual([{ Key: 'cb-ns', Value: 'default' }, { Key: 'cb-mcis', Value: 'web' }]);
    expect((await ec2Error(ec2.send(new EC2.CreateTagsCommand({ Resources: ['vpc-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })))).name).toBe('InvalidVpcID.NotFound');
    expect((await ec2Error(ec2.send(new EC2.CreateTagsCommand({ Resources: ['bogus'], Tags: [{ Key: 'a', Value: 'b' }] })))).name).toBe('InvalidID');
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect((await ec2Error(ec2.send(new EC2.CreateTagsCommand({ Resources: [vpcId], Tags: many })))).name).toBe('TagLimitExceeded');
    expect((await ec2.send(new EC2.DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0]?.Tags).toHaveLength(2);
    await ec2.send(new EC2.DeleteVpcCommand({ VpcId: vpcId }));
  });
});
