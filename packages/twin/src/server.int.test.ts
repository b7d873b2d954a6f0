import { readFileSync } from 'node:fs';
import { CreateVpcCommand, DescribeVpcsCommand, EC2Client, RunInstancesCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin as adminCall, ec2Error, rawCall, startTestTwin, type TestTwin, userKey, waitFor, xmlPaths } from '../test/helpers.js';
import type { TwinStatus } from './twin.js';

let t: TestTwin;
const FIXTURES = new URL('../test/fixtures/ec2/', import.meta.url);

beforeAll(async () => {
  t = await startTestTwin({ bootDelayMs: 0, stopDelayMs: 0, faults: ['RunInstances:InsufficientInstanceCapacity:1@sa-east-1'] });
});
afterAll(() => t.cleanup());

const admin = (path: string, init?: RequestInit) => adminCall(t.twin, path, init);
const putFaults = (body: unknown) => admin('/faults', { method: 'PUT', body: JSON.stringify(body) });
const outage = (region: string, down: boolean) => admin('/outage', { method: 'POST', body: JSON.stringify({ region, down }) });

describe('authentication and request errors', () => {
  it('answers AuthFailure (401) without a SigV4 credential, in the EC2 error document shape', async () => {
    const res = await rawCall(t.twin, { Action: 'DescribeVpcs' }, null);
    expect(res.status).toBe(401);
    expect(res.text).toMatch(/<Code>AuthFailure<\/Code><Message>AWS was not able to validate the provided access credentials<\/Message>/);
    const sample = readFileSync(new URL('describe_key_pairs_doesnt_exist.xml', FIXTURES), 'utf8');
    expect([...xmlPaths(res.text)].sort()).toEqual([...xmlPaths(sample)].sort());
  });

  it('answers AuthFailure for a credential scoped to a region that does not exist', async () => {
    const client = new EC2Client({ region: 'mars-west-1', endpoint: t.twin.endpoints.aws, credentials: t.twin.credentials.aws, maxAttempts: 1 });
    expect(await ec2Error(client.send(new DescribeVpcsCommand({})))).toMatchObject({
      name: 'AuthFailure',
      status: 401,
      message: "Credential should be scoped to a valid region, not 'mars-west-1'. ",
    });
    client.destroy();
  });

  it('refuses unknown and missing actions, honours DryRun', async () => {
    const unknown = await rawCall(t.twin, { Action: 'LaunchRocket' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('<Code>InvalidAction</Code>');
    expect((await rawCall(t.twin, {})).text).toContain('<Code>MissingAction</Code>');
    expect(await ec2Error(t.client().send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', DryRun: true })))).toMatchObject({
      name: 'DryRunOperation',
      status: 412,
    });
    expect((await t.client().send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.0.0.0/16'] }] }))).Vpcs).toEqual([]);
  });
});

describe('fault injection and outages', () => {
  it('applies faults given at start, per region', async () => {
    const client = t.client('sa-east-1');
    const img = (await client.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['debian-12-amd64-*'] }] }))).Images?.[0]?.ImageId;
    expect(await ec2Error(client.send(new RunInstancesCommand({ ImageId: img, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 })))).toMatchObject({
      name: 'InsufficientInstanceCapacity',
      status: 500,
    });
    const status = (await (await admin('/status')).json()) as TwinStatus;
    expect(status.faults).toEqual([{ action: 'RunInstances', code: 'InsufficientInstanceCapacity', rate: 1, region: 'sa-east-1' }]);
  });

  it('changes faults at runtime; counted throttling is retried away by the SDK', async () => {
    const put = await putFaults([{ action: '*', code: 'RequestLimitExceeded', rate: 1, region: 'us-east-2', count: 2 }]);
    expect(put.status).toBe(200);
    const retrying = new EC2Client({ region: 'us-east-2', endpoint: t.twin.endpoints.aws, credentials: t.twin.credentials.aws, maxAttempts: 3 });
    const out = await retrying.send(new DescribeVpcsCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    retrying.destroy();

    await putFaults({ faults: ['DescribeVpcs:RequestLimitExceeded:1@us-east-2'] });
    expect(await ec2Error(t.client('us-east-2').send(new DescribeVpcsCommand({})))).toMatchObject({
      name: 'RequestLimitExceeded',
      status: 503,
      message: 'Request limit exceeded.',
    });
    expect((await t.client('us-west-2').send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(1);

    await putFaults(['DescribeVpcs:-:1:300ms', 'CreateVpc:UnauthorizedOperation:1']);
    const started = Date.now();
    await t.client('us-west-2').send(new DescribeVpcsCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await ec2Error(t.client('us-west-2').send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })))).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });

    const bad = await putFaults([{ action: 'RunInstances', code: 'X', rate: 7 }]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/rate must be in 0\.\.1/);
    expect(((await (await admin('/faults')).json()) as { faults: unknown[] }).faults).toHaveLength(2);
    await putFaults([]);
  });

  it('takes a whole region down and back up', async () => {
    expect((await outage('eu-central-1', true)).status).toBe(200);
    for (const cmd of [new DescribeVpcsCommand({}), new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' })]) {
      expect(await ec2Error(t.client('eu-central-1').send(cmd))).toMatchObject({ name: 'Unavailable', status: 503 });
    }
    expect((await t.client('eu-west-1').send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(1);
    const status = (await (await admin('/status')).json()) as TwinStatus;
    expect(status.outages).toEqual(['eu-central-1']);
    await outage('eu-central-1', false);
    expect((await t.client('eu-central-1').send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(1);
    expect((await outage('atlantis-1', true)).status).toBe(400);
    expect((await admin('/outage', { method: 'POST', body: '{"region": 1}' })).status).toBe(400);
    expect((await admin('/nothing')).status).toBe(404);
  });
});

describe('response shapes match real EC2 samples', () => {
  // Paths in the samples that today's EC2 no longer sends for VPC/HVM instances: paravirtual
  // kernels, marketplace billing codes, EC2-Classic reservation groups, the pre-2016 names.
  const OBSOLETE = [/\/kernelId$/, /\/billingProducts(\/|$)/, /^RunInstancesResponse\/groupSet\/item/, /\/monitoring\/enabled$/, /\/shutdownState(\/|$)/];

  it('has every element the samples have', async () => {
    const region = 'ap-south-1';
    const call = async (p: Record<string, string>) => {
      const r = await rawCall(t.twin, p, region);
      expect(r.status).toBe(200);
      return r.text;
    };
    const tag = (type: string) => ({ 'TagSpecification.1.ResourceType': type, 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'shape' });
    const first = (xml: string, el: string) => new RegExp(`<${el}>([^<]+)</${el}>`).exec(xml)?.[1] ?? '';
    const out: Record<string, string> = {};
    out.import_key_pair = await call({ Action: 'ImportKeyPair', KeyName: 'k', PublicKeyMaterial: Buffer.from(userKey().publicKey).toString('base64') });
    out.describe_key_pairs = await call({ Action: 'DescribeKeyPairs' });
    out.create_vpc = await call({ Action: 'CreateVpc', CidrBlock: '10.0.0.0/16', ...tag('vpc') });
    const vpc = first(out.create_vpc, 'vpcId');
    out.describe_vpcs = await call({ Action: 'DescribeVpcs' });
    out.create_subnet = await call({ Action: 'CreateSubnet', VpcId: vpc, CidrBlock: '10.0.1.0/24', ...tag('subnet') });
    out.describe_subnets = await call({ Action: 'DescribeSubnets' });
    out.modify_subnet_attribute = await call({ Action: 'ModifySubnetAttribute', SubnetId: first(out.create_subnet, 'subnetId'), 'MapPublicIpOnLaunch.Value': 'true' });
    out.create_security_group = await call({ Action: 'CreateSecurityGroup', VpcId: vpc, GroupName: 'g', GroupDescription: 'd' });
    const sg = first(out.create_security_group, 'groupId');
    out.authorize_security_group_ingress = await call({
      Action: 'AuthorizeSecurityGroupIngress',
      GroupId: sg,
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '22',
      'IpPermissions.1.ToPort': '22',
      'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
      'IpPermissions.1.Groups.1.GroupId': sg,
    });
    out.describe_security_groups = await call({ Action: 'DescribeSecurityGroups', 'GroupId.1': sg });
    out.create_internet_gateway = await call({ Action: 'CreateInternetGateway' });
    const igw = first(out.create_internet_gateway, 'internetGatewayId');
    out.attach_internet_gateway = await call({ Action: 'AttachInternetGateway', InternetGatewayId: igw, VpcId: vpc });
    out.describe_internet_gateways = await call({ Action: 'DescribeInternetGateways' });
    out.describe_availability_zones = await call({ Action: 'DescribeAvailabilityZones' });
    out.describe_images = await call({ Action: 'DescribeImages' });
    const img = first(out.describe_images, 'imageId');
    const run = { Action: 'RunInstances', ImageId: img, InstanceType: 't3.micro', MinCount: '2', MaxCount: '2', KeyName: 'k', ClientToken: 'shape-1', ...tag('instance') };
    out.run_instances = await call(run);
    const mismatch = await rawCall(t.twin, { ...run, InstanceType: 't3.small' }, region);
    expect(mismatch.status).toBe(400);
    expect([...xmlPaths(mismatch.text)].sort()).toEqual([...xmlPaths(readFileSync(new URL('run_instances_idem_mismatch.xml', FIXTURES), 'utf8'))].sort());
    expect(mismatch.text).toContain('<Code>IdempotentParameterMismatch</Code>');
    const [a, b] = [...out.run_instances.matchAll(/<instanceId>([^<]+)<\/instanceId>/g)].map((m) => m[1] ?? '');
    await waitFor('running', async () => ((await call({ Action: 'DescribeInstances' })).match(/<name>running<\/name>/g)?.length === 2 ? true : undefined));
    out.stop_instances = await call({ Action: 'StopInstances', 'InstanceId.1': a ?? '' });
    await waitFor('stopped', async () => ((await call({ Action: 'DescribeInstances' })).includes('<name>stopped</name>') ? true : undefined));
    out.describe_instances = await call({ Action: 'DescribeInstances' });
    out.describe_volumes = await call({ Action: 'DescribeVolumes' });
    out.describe_account_attributes = await call({ Action: 'DescribeAccountAttributes' });
    out.start_instances = await call({ Action: 'StartInstances', 'InstanceId.1': a ?? '' });
    out.reboot_instances = await call({ Action: 'RebootInstances', 'InstanceId.1': b ?? '' });
    out.create_tags = await call({ Action: 'CreateTags', 'ResourceId.1': b ?? '', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
    out.describe_tags = await call({ Action: 'DescribeTags' });
    out.delete_tags = await call({ Action: 'DeleteTags', 'ResourceId.1': b ?? '', 'Tag.1.Key': 'k' });
    out.terminate_instances = await call({ Action: 'TerminateInstances', 'InstanceId.1': a ?? '', 'InstanceId.2': b ?? '' });
    out.delete_key_pair = await call({ Action: 'DeleteKeyPair', KeyName: 'k' });
    out.detach_internet_gateway = await waitFor('detach', async () => {
      const r = await rawCall(t.twin, { Action: 'DetachInternetGateway', InternetGatewayId: igw, VpcId: vpc }, region);
      return r.status === 200 ? r.text : undefined;
    });
    out.delete_internet_gateway = await call({ Action: 'DeleteInternetGateway', InternetGatewayId: igw });
    out.delete_security_group = await call({ Action: 'DeleteSecurityGroup', GroupId: sg });

    for (const [name, xml] of Object.entries(out)) {
      const sample = readFileSync(new URL(`${name}.xml`, FIXTURES), 'utf8');
      const mine = xmlPaths(xml);
      const missing = [...xmlPaths(sample)].filter((p) => !mine.has(p) && !OBSOLETE.some((re) => re.test(p)));
      expect({ name, missing }).toEqual({ name, missing: [] });
    }
  });
});

describe('read calls general clients make (Libcloud, Terraform)', () => {
  const call = (params: Record<string, string>) => rawCall(t.twin, params, 'ap-south-1');

  it('DescribeAddresses: none exist (VMs get public IPs without Elastic IPs); one asked for is not found', async () => {
    const all = await call({ Action: 'DescribeAddresses', 'Filter.1.Name': 'domain', 'Filter.1.Value.1': 'vpc' });
    expect(all.status).toBe(200);
    expect(all.text).toContain('<addressesSet/>');
    const ip = await call({ Action: 'DescribeAddresses', 'PublicIp.1': '203.0.113.7' });
    expect([ip.status, /<Code>([^<]+)/.exec(ip.text)?.[1]]).toEqual([400, 'InvalidAddress.NotFound']);
    const alloc = await call({ Action: 'DescribeAddresses', 'AllocationId.1': 'eipalloc-0123' });
    expect([alloc.status, /<Code>([^<]+)/.exec(alloc.text)?.[1]]).toEqual([400, 'InvalidAllocationID.NotFound']);
    const bad = await call({ Action: 'DescribeAddresses', 'Filter.1.Name': 'colour', 'Filter.1.Value.1': 'red' });
    expect([bad.status, /<Code>([^<]+)/.exec(bad.text)?.[1]]).toEqual([400, 'InvalidParameterValue']);
  });

  it('DescribeAccountAttributes: the default VPC and a new account\'s limits, one by name, an unknown name refused', async () => {
    const vpc = /<vpcId>([^<]+)<\/vpcId>/.exec((await call({ Action: 'DescribeVpcs', 'Filter.1.Name': 'is-default', 'Filter.1.Value.1': 'true' })).text)?.[1];
    const all = (await call({ Action: 'DescribeAccountAttributes' })).text;
    expect(all).toContain(`<attributeName>default-vpc</attributeName><attributeValueSet><item><attributeValue>${vpc}</attributeValue></item></attributeValueSet>`);
    expect(all).toContain('<attributeName>supported-platforms</attributeName><attributeValueSet><item><attributeValue>VPC</attributeValue></item></attributeValueSet>');
    const one = (await call({ Action: 'DescribeAccountAttributes', 'AttributeName.1': 'max-instances' })).text;
    expect([...one.matchAll(/<attributeName>([^<]+)/g)].map((m) => m[1])).toEqual(['max-instances']);
    const bad = await call({ Action: 'DescribeAccountAttributes', 'AttributeName.1': 'max-llamas' });
    expect([bad.status, /<Code>([^<]+)/.exec(bad.text)?.[1]]).toEqual([400, 'InvalidParameterValue']);
  });

  it('DescribeVolumes: each instance\'s root volume, attached; by id, by filter; an unknown id is not found', async () => {
    const img = /<imageId>([^<]+)/.exec((await call({ Action: 'DescribeImages' })).text)?.[1] ?? '';
    const run = (await call({ Action: 'RunInstances', ImageId: img, InstanceType: 't3.micro', MinCount: '1', MaxCount: '1' })).text;
    const instance = /<instanceId>([^<]+)/.exec(run)?.[1] ?? '';
    const mine = (await call({ Action: 'DescribeVolumes', 'Filter.1.Name': 'attachment.instance-id', 'Filter.1.Value.1': instance })).text;
    const volume = /<volumeId>([^<]+)/.exec(mine)?.[1] ?? '';
    expect(volume).toMatch(/^vol-[0-9a-f]+$/);
    expect(mine).toContain(`<instanceId>${instance}</instanceId>`);
    expect(mine).toContain('<status>in-use</status>');
    expect((await call({ Action: 'DescribeVolumes', 'VolumeId.1': volume })).text).toContain(`<volumeId>${volume}</volumeId>`);
    const gone = await call({ Action: 'DescribeVolumes', 'VolumeId.1': 'vol-0000000000000000a' });
    expect([gone.status, /<Code>([^<]+)/.exec(gone.text)?.[1]]).toEqual([400, 'InvalidVolume.NotFound']);
  });
});

describe('admin API', () => {
  it('reports status and instances, then shuts the twin down on request', async () => {
    const own = await startTestTwin({ bootDelayMs: 0 });
    const c = own.client('ca-central-1');
    const img = (await c.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-*'] }] }))).Images?.[0]?.ImageId;
    await c.send(new RunInstancesCommand({ ImageId: img, InstanceType: 't3.micro', MinCount: 3, MaxCount: 3 }));
    const status = await waitFor('3 running', async () => {
      const s = (await (await adminCall(own.twin, '/status')).json()) as TwinStatus;
      return s.instances.running === 3 ? s : undefined;
    });
    expect(status).toMatchObject({
      endpoints: { aws: own.twin.endpoints.aws },
      adminUrl: own.twin.adminUrl,
      sshPort: own.twin.sshPort,
      pid: process.pid,
      instances: { pending: 0, running: 3, stopped: 0, total: 3 },
      sshServers: 3,
      regions: ['ca-central-1'],
      faults: [],
      outages: [],
    });
    const list = (await (await adminCall(own.twin, '/instances?region=ca-central-1')).json()) as { publicIp: string; sshUser: string }[];
    expect(list).toHaveLength(3);
    expect(list.every((i) => i.sshUser === 'ubuntu' && /^127\./.test(i.publicIp))).toBe(true);

    const res = await adminCall(own.twin, '/shutdown', { method: 'POST' });
    expect(res.status).toBe(202);
    await own.twin.closed;
    await expect(adminCall(own.twin, '/status')).rejects.toThrow();
    await own.cleanup();
  });
});
