import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeImagesCommand,
  type EC2Client,
  ImportKeyPairCommand,
  type Instance,
  ModifySubnetAttributeCommand,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeInstances,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ec2Error, sshExec, startTestTwin, tcpOpen, type TestTwin, userKey, waitFor } from '../../test/helpers.js';

let t: TestTwin;
let ec2: EC2Client;
let ubuntu: string;
let debian: string;
const key = userKey();
let net: { vpcId: string; subnetId: string; sgId: string; privateSubnetId: string };

async function describe1(id: string): Promise<Instance> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const inst = out.Reservations?.[0]?.Instances?.[0];
  if (!inst) throw new Error(`no ${id}`);
  return inst;
}

function inState(id: string, state: string): Promise<Instance> {
  return waitFor(`${id} ${state}`, async () => {
    const i = await describe1(id);
    return i.State?.Name === state ? i : undefined;
  });
}

function ipOrder(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

beforeAll(async () => {
  t = await startTestTwin({ bootDelayMs: 150, stopDelayMs: 60 });
  ec2 = t.client('ap-northeast-2');
  const image = async (pattern: string, owner: string) =>
    (await ec2.send(new DescribeImagesCommand({ Owners: [owner], Filters: [{ Name: 'name', Values: [pattern] }] }))).Images?.[0]?.ImageId ?? '';
  ubuntu = await image('ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*', '099720109477');
  debian = await image('debian-12-amd64-*', '136693071363');
  await ec2.send(new ImportKeyPairCommand({ KeyName: 'cb-test', PublicKeyMaterial: Buffer.from(key.publicKey) }));
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }))).Subnet?.SubnetId ?? '';
  const privateSubnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24' }))).Subnet?.SubnetId ?? '';
  const sgId = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'ssh', Description: 'ssh' }))).GroupId ?? '';
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sgId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  net = { vpcId, subnetId, sgId, privateSubnetId };
});
afterAll(() => t.cleanup());

const launch = (over: Record<string, unknown> = {}) =>
  ec2.send(
    new RunInstancesCommand({
      ImageId: ubuntu,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      KeyName: 'cb-test',
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.subnetId, Groups: [net.sgId], AssociatePublicIpAddress: true }],
      ...over,
    }),
  );

describe('RunInstances', () => {
  it('launches pending instances with tags, volumes and private IPs, which then run with their own loopback public IP', async () => {
    const run = await launch({
      MinCount: 2,
      MaxCount: 2,
      ClientToken: 'launch-tags-1',
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 20 } }],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'cb-managed', Value: 'true' }, { Key: 'cb-vm', Value: 'web-1' }] },
        { ResourceType: 'volume', Tags: [{ Key: 'cb-managed', Value: 'true' }] },
      ],
    });
    expect(run.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    expect(run.Instances).toHaveLength(2);
    const [a, b] = run.Instances ?? [];
    expect(a).toMatchObject({
      State: { Code: 0, Name: 'pending' },
      ImageId: ubuntu,
      InstanceType: 't3.micro',
      KeyName: 'cb-test',
      SubnetId: net.subnetId,
      VpcId: net.vpcId,
      PrivateIpAddress: '10.0.1.4',
      ClientToken: 'launch-tags-1',
      AmiLaunchIndex: 0,
      Placement: { AvailabilityZone: 'ap-northeast-2a', Tenancy: 'default' },
      SecurityGroups: [{ GroupId: net.sgId, GroupName: 'ssh' }],
      Tags: [{ Key: 'cb-managed', Value: 'true' }, { Key: 'cb-vm', Value: 'web-1' }],
    });
    expect(b?.PrivateIpAddress).toBe('10.0.1.5');
    const volumeId = a?.BlockDeviceMappings?.[0]?.Ebs?.VolumeId ?? '';
    const volumeTags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [volumeId] }] }));
    expect(volumeTags.Tags).toEqual([{ Key: 'cb-managed', ResourceId: volumeId, ResourceType: 'volume', Value: 'true' }]);
    const subnet = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [net.subnetId] }));
    expect(subnet.Subnets?.[0]?.AvailableIpAddressCount).toBe(249);

    const running = await inState(a?.InstanceId ?? '', 'running');
    expect(running.PublicIpAddress).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(running.PublicIpAddress).not.toMatch(/^127\.0\.0\./);
    expect(running.NetworkInterfaces?.[0]?.Association?.PublicIp).toBe(running.PublicIpAddress);
    expect(running.PrivateDnsName).toBe('ip-10-0-1-4.ap-northeast-2.compute.internal');
    const other = await inState(b?.InstanceId ?? '', 'running');
    expect(other.PublicIpAddress).not.toBe(running.PublicIpAddress);

    const byTag = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:cb-vm', Values: ['web-*'] },
          { Name: 'instance-state-name', Values: ['running'] },
          { Name: 'vpc-id', Values: [net.vpcId] },
          { Name: 'client-token', Values: ['launch-tags-1'] },
        ],
      }),
    );
    expect(byTag.Reservations?.map((r) => [r.ReservationId, r.Instances?.length])).toEqual([[run.ReservationId, 2]]);
    const byKey = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: ['cb-vm'] }, { Name: 'instance-id', Values: [a?.InstanceId ?? ''] }] }));
    expect(byKey.Reservations?.[0]?.Instances?.map((i) => i.InstanceId)).toEqual([a?.InstanceId]);
  });

  it('is idempotent on ClientToken exactly as EC2: same params → same reservation, other params → mismatch', async () => {
    const first = await launch({ ClientToken: 'idem-1' });
    const again = await launch({ ClientToken: 'idem-1' });
    expect(again.ReservationId).toBe(first.ReservationId);
    expect(again.Instances?.map((i) => i.InstanceId)).toEqual(first.Instances?.map((i) => i.InstanceId));
    const all = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'client-token', Values: ['idem-1'] }] }));
    expect(all.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(1);
    expect(await ec2Error(launch({ ClientToken: 'idem-1', InstanceType: 't3.small' }))).toMatchObject({
      name: 'IdempotentParameterMismatch',
      status: 400,
    });
  });

  it('uses the subnet setting for public IPs when the top-level form is used', async () => {
    const run = await launch({ NetworkInterfaces: undefined, SubnetId: net.privateSubnetId, SecurityGroupIds: [net.sgId] });
    const id = run.Instances?.[0]?.InstanceId ?? '';
    const running = await inState(id, 'running');
    // No MapPublicIpOnLaunch and no AssociatePublicIpAddress: no public IP, as on AWS.
    expect(running.PublicIpAddress).toBeUndefined();
    expect(running.PrivateIpAddress).toMatch(/^10\.0\.2\./);
    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: net.privateSubnetId, MapPublicIpOnLaunch: { Value: true } }));
    const mapped = await launch({ NetworkInterfaces: undefined, SubnetId: net.privateSubnetId, SecurityGroupIds: [net.sgId] });
    expect((await inState(mapped.Instances?.[0]?.InstanceId ?? '', 'running')).PublicIpAddress).toMatch(/^127\./);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id, mapped.Instances?.[0]?.InstanceId ?? ''] }));
  });

  it('launches into the default VPC when no subnet is given', async () => {
    const run = await ec2.send(new RunInstancesCommand({ ImageId: debian, InstanceType: 't3.nano', MinCount: 1, MaxCount: 1, KeyName: 'cb-test' }));
    const inst = await inState(run.Instances?.[0]?.InstanceId ?? '', 'running');
    expect(inst.PrivateIpAddress).toMatch(/^172\.31\./);
    expect(inst.PublicIpAddress).toMatch(/^127\./);
    expect(inst.PublicDnsName).toBe(`ec2-${inst.PublicIpAddress?.replaceAll('.', '-')}.ap-northeast-2.compute.amazonaws.com`);
    expect(inst.SecurityGroups?.[0]?.GroupName).toBe('default');
    expect(inst.RootDeviceName).toBe('/dev/xvda');
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.InstanceId ?? ''] }));
  });

  it('answers EC2 errors for bad launches', async () => {
    expect((await ec2Error(launch({ ImageId: 'ami-0123456789abcdef0' }))).name).toBe('InvalidAMIID.NotFound');
    expect((await ec2Error(launch({ ImageId: 'ubuntu' }))).name).toBe('InvalidAMIID.Malformed');
    expect(await ec2Error(launch({ KeyName: 'nope' }))).toMatchObject({ name: 'InvalidKeyPair.NotFound', message: "The key pair 'nope' does not exist" });
    expect((await ec2Error(launch({ InstanceType: 't9.huge' }))).name).toBe('InvalidParameterValue');
    expect((await ec2Error(launch({ InstanceType: 't4g.micro' }))).message).toMatch(/architecture 'arm64' of the specified instance type does not match/);
    expect((await ec2Error(launch({ MinCount: 3, MaxCount: 2 }))).name).toBe('InvalidParameterValue');
    expect((await ec2Error(launch({ SubnetId: net.subnetId }))).name).toBe('InvalidParameterCombination');
    expect((await ec2Error(launch({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: 'subnet-0123456789abcdef0' }] }))).name).toBe('InvalidSubnetID.NotFound');
    expect((await ec2Error(launch({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.subnetId, Groups: ['sg-0123456789abcdef0'] }] }))).name).toBe(
      'InvalidGroup.NotFound',
    );
    const small = await ec2Error(launch({ BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 4 } }] }));
    expect(small.name).toBe('InvalidBlockDeviceMapping');
    expect(small.message).toMatch(/Volume of size 4GB is smaller than snapshot 'snap-[0-9a-f]+', expect size >= 8GB/);
    expect((await ec2Error(launch({ TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'a', Value: 'b' }] }] }))).name).toBe('InvalidParameterValue');
  });
});

describe('instance lifecycle with real SSH', () => {
  it('runs commands over SSH with the launch key only, stops (refusing connections), starts on a new IP keeping the home dir, reboots, terminates', async () => {
    const run = await launch({ TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'cb-vm', Value: 'life' }] }] });
    const id = run.Instances?.[0]?.InstanceId ?? '';
    const up = await inState(id, 'running');
    const ip = up.PublicIpAddress ?? '';
    const port = t.twin.sshPort;
    const info = t.twin.instances().find((i) => i.instanceId === id);
    expect(info).toMatchObject({ sshUser: 'ubuntu', publicIp: ip, sshPort: port, state: 'running' });

    const first = await sshExec(ip, port, 'ubuntu', key.privateKey, 'echo hello > note.txt; pwd; whoami >/dev/null; echo $CB_TWIN_INSTANCE_ID');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual([join(t.stateDir, 'vms', id, 'home'), id]);
    expect(`ssh-ed25519 ${first.hostKey}`).toBe(info?.hostPublicKey);
    expect(readFileSync(join(t.stateDir, 'vms', id, 'home', 'note.txt'), 'utf8')).toBe('hello\n');
    await expect(sshExec(ip, port, 'ubuntu', userKey().privateKey, 'true')).rejects.toThrow(/authentication/i);
    await expect(sshExec(ip, port, 'root', key.privateKey, 'true')).rejects.toThrow(/authentication/i);

    // Security group in use by a live instance.
    expect(await ec2Error(ec2.send(new DeleteSecurityGroupCommand({ GroupId: net.sgId })))).toMatchObject({
      name: 'DependencyViolation',
      message: `resource ${net.sgId} has a dependent object`,
    });

    // Starting a running instance changes nothing, as on EC2.
    const noop = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(noop.StartingInstances?.[0]).toMatchObject({ CurrentState: { Name: 'running' }, PreviousState: { Name: 'running' } });
    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stop.StoppingInstances).toEqual([{ InstanceId: id, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } }]);
    expect(await ec2Error(ec2.send(new StartInstancesCommand({ InstanceIds: [id] })))).toMatchObject({
      name: 'IncorrectInstanceState',
      message: `The instance '${id}' is not in a state from which it can be started.`,
    });
    const stopped = await inState(id, 'stopped');
    expect(stopped.PublicIpAddress).toBeUndefined();
    expect(stopped.PrivateIpAddress).toBe(up.PrivateIpAddress);
    expect(stopped.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(stopped.StateTransitionReason).toMatch(/^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);
    expect(await tcpOpen(ip, port)).toBe(false);
    expect((await ec2Error(ec2.send(new RebootInstancesCommand({ InstanceIds: [id] })))).name).toBe('IncorrectInstanceState');

    const start = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(start.StartingInstances?.[0]).toMatchObject({ CurrentState: { Name: 'pending' }, PreviousState: { Name: 'stopped' } });
    const again = await inState(id, 'running');
    const newIp = again.PublicIpAddress ?? '';
    expect(ipOrder(newIp)).toBeGreaterThan(ipOrder(ip));
    const second = await sshExec(newIp, port, 'ubuntu', key.privateKey, 'cat note.txt');
    expect(second.stdout).toBe('hello\n');
    expect(second.hostKey).toBe(first.hostKey);

    expect((await ec2.send(new RebootInstancesCommand({ InstanceIds: [id] }))).$metadata.httpStatusCode).toBe(200);
    expect((await describe1(id)).State?.Name).toBe('running');
    const afterReboot = await waitFor('ssh after reboot', async () => {
      try {
        return await sshExec(newIp, port, 'ubuntu', key.privateKey, 'echo back');
      } catch {
        return undefined;
      }
    });
    expect(afterReboot.stdout).toBe('back\n');

    const term = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(term.TerminatingInstances).toEqual([{ InstanceId: id, CurrentState: { Code: 32, Name: 'shutting-down' }, PreviousState: { Code: 16, Name: 'running' } }]);
    const gone = await inState(id, 'terminated');
    expect(gone.PublicIpAddress).toBeUndefined();
    expect(gone.NetworkInterfaces).toEqual([]);
    expect(await tcpOpen(newIp, port)).toBe(false);
    expect(existsSync(join(t.stateDir, 'vms', id))).toBe(false);
    const termAgain = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(termAgain.TerminatingInstances?.[0]?.PreviousState?.Name).toBe('terminated');
    expect((await ec2Error(ec2.send(new StartInstancesCommand({ InstanceIds: [id] })))).name).toBe('IncorrectInstanceState');
  });

  it('refuses malformed and unknown instance ids', async () => {
    expect(await ec2Error(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-123'] })))).toMatchObject({
      name: 'InvalidInstanceID.Malformed',
      status: 400,
      message: 'Invalid id: "i-123"',
    });
    expect(await ec2Error(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0123456789abcdef0', 'i-0123456789abcdef1'] })))).toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      message: "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist",
    });
  });

  it('blocks deleting a subnet with live instances', async () => {
    const run = await launch();
    expect((await ec2Error(ec2.send(new DeleteSubnetCommand({ SubnetId: net.subnetId })))).name).toBe('DependencyViolation');
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [run.Instances?.[0]?.InstanceId ?? ''] }));
  });
});

describe('DescribeInstances paging and DescribeInstanceStatus', () => {
  it('pages with MaxResults/NextToken over every instance exactly once', async () => {
    const run = await launch({ MinCount: 12, MaxCount: 12, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'batch', Value: 'page' }] }] });
    const ids = run.Instances?.map((i) => i.InstanceId ?? '') ?? [];
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken, Filters: [{ Name: 'tag:batch', Values: ['page'] }] }));
      const got = page.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '') ?? [];
      expect(got.length).toBeLessThanOrEqual(5);
      seen.push(...got);
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    expect((await ec2Error(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: ids.slice(0, 1) })))).name).toBe('InvalidParameterCombination');
    expect((await ec2Error(ec2.send(new DescribeInstancesCommand({ MaxResults: 3 })))).name).toBe('InvalidParameterValue');
    expect((await ec2Error(ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })))).name).toBe('InvalidParameterValue');

    await waitFor('all running', async () => {
      const s = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids }));
      return s.InstanceStatuses?.length === 12 ? s : undefined;
    }, 30_000); // twelve SSH servers starting: slow on a busy machine
    const status = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids.slice(0, 1) }));
    expect(status.InstanceStatuses?.[0]).toMatchObject({
      InstanceId: ids[0],
      InstanceState: { Code: 16, Name: 'running' },
      InstanceStatus: { Status: 'ok', Details: [{ Name: 'reachability', Status: 'passed' }] },
      SystemStatus: { Status: 'ok' },
    });
    await ec2.send(new StopInstancesCommand({ InstanceIds: ids.slice(0, 2) }));
    const stoppedOnly = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids.slice(0, 2) }));
    expect(stoppedOnly.InstanceStatuses).toEqual([]);
    const all = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids.slice(0, 2), IncludeAllInstances: true }));
    expect(all.InstanceStatuses?.map((s) => s.InstanceStatus?.Status)).toEqual(['not-applicable', 'not-applicable']);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  });
});

describe('SDK waiters and paginators', () => {
  it('work unchanged against the twin', async () => {
    const run = await launch({ MinCount: 3, MaxCount: 3 });
    const ids = run.Instances?.map((i) => i.InstanceId ?? '') ?? [];
    const running = await waitUntilInstanceRunning({ client: ec2, maxWaitTime: 30, minDelay: 1 }, { InstanceIds: ids });
    expect(running.state).toBe('SUCCESS');
    const seen: string[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, { Filters: [{ Name: 'instance-id', Values: ids }] })) {
      seen.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? ''));
    }
    expect(seen.sort()).toEqual([...ids].sort());
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    const terminated = await waitUntilInstanceTerminated({ client: ec2, maxWaitTime: 30, minDelay: 1 }, { InstanceIds: ids });
    expect(terminated.state).toBe('SUCCESS');
  });
});

describe('terminated instances', () => {
  it('stay visible for the retention time, then are gone', async () => {
    const short = await startTestTwin({ bootDelayMs: 0, stopDelayMs: 0, terminatedRetentionMs: 300 });
    try {
      const c = short.client('us-west-2');
      const img = (await c.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['debian-12-amd64-*'] }] }))).Images?.[0]?.ImageId;
      const id = (await c.send(new RunInstancesCommand({ ImageId: img, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).Instances?.[0]?.InstanceId ?? '';
      await c.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
      const seen = await waitFor('terminated', async () => {
        const out = await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
        return out.Reservations?.[0]?.Instances?.[0]?.State?.Name === 'terminated' ? true : undefined;
      });
      expect(seen).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      expect((await ec2Error(c.send(new DescribeInstancesCommand({ InstanceIds: [id] })))).name).toBe('InvalidInstanceID.NotFound');
      expect((await c.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
    } finally {
      await short.cleanup();
    }
  });
});
