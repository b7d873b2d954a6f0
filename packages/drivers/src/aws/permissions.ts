/**
 * Which EC2 actions the credential may call, asked the way EC2 offers it: the same call with
 * `DryRun=true`. EC2 validates the request and authorizes it, then answers `DryRunOperation` (would
 * have succeeded) or `UnauthorizedOperation` (denied) and does nothing. Calls on existing resources
 * (stop an instance, attach a gateway to a VPC) name one of ours when there is one, else a
 * placeholder id; where EC2 answers that with a not-found or validation error instead, the result
 * is `unknown` and says so. ModifySubnetAttribute takes no DryRun and is not asked.
 */
// Two dozen actions, one per probe: the SDK's commands by their EC2 names (ec2.RunInstancesCommand).
import * as ec2 from '@aws-sdk/client-ec2';
import type { CatalogApi, PermissionCheck } from '@cloud-barista/core/driver/port';
import { ProviderError } from '@cloud-barista/core/errors';
import { Semaphore } from '@cloud-barista/core/util/limit';
import { generateSshKeyPair } from '@cloud-barista/core/ssh/keys';

/** Ids for calls on existing resources: ours where we have them, else well-formed placeholders. */
interface ProbeTargets {
  imageId: string;
  instanceId: string;
  vpcId: string;
}

interface Probe {
  action: string;
  neededFor: string;
  send(c: ec2.EC2Client, t: ProbeTargets, publicKey: string): Promise<unknown>;
}

const PLACEHOLDER = { instanceId: 'i-0cb0000000000000f', vpcId: 'vpc-0cb0000000000000f', imageId: 'ami-0cb0000000000000f' };
const SUBNET = 'subnet-0cb0000000000000f';
const GROUP = 'sg-0cb0000000000000f';
const GATEWAY = 'igw-0cb0000000000000f';
const ROUTE_TABLE = 'rtb-0cb0000000000000f';
const PROBE_NAME = 'cb-permission-check';
const SSH_IN = [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];

/** Every mutating action the driver calls that takes DryRun, with what it is for. */
export const AWS_PROBES: readonly Probe[] = [
  { action: 'RunInstances', neededFor: 'create VMs', send: (c, t) => c.send(new ec2.RunInstancesCommand({ DryRun: true, ImageId: t.imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 })) },
  { action: 'CreateTags', neededFor: 'tag what it creates (tag-on-create)', send: (c, t) => c.send(new ec2.CreateTagsCommand({ DryRun: true, Resources: [t.vpcId], Tags: [{ Key: 'cb-managed', Value: 'true' }] })) },
  { action: 'StopInstances', neededFor: 'suspend VMs', send: (c, t) => c.send(new ec2.StopInstancesCommand({ DryRun: true, InstanceIds: [t.instanceId] })) },
  { action: 'StartInstances', neededFor: 'resume VMs', send: (c, t) => c.send(new ec2.StartInstancesCommand({ DryRun: true, InstanceIds: [t.instanceId] })) },
  { action: 'RebootInstances', neededFor: 'reboot VMs', send: (c, t) => c.send(new ec2.RebootInstancesCommand({ DryRun: true, InstanceIds: [t.instanceId] })) },
  { action: 'TerminateInstances', neededFor: 'terminate VMs', send: (c, t) => c.send(new ec2.TerminateInstancesCommand({ DryRun: true, InstanceIds: [t.instanceId] })) },
  { action: 'CreateVpc', neededFor: 'create the default VPC', send: (c) => c.send(new ec2.CreateVpcCommand({ DryRun: true, CidrBlock: '10.0.0.0/16' })) },
  { action: 'CreateSubnet', neededFor: 'create the default subnet', send: (c, t) => c.send(new ec2.CreateSubnetCommand({ DryRun: true, VpcId: t.vpcId, CidrBlock: '10.0.1.0/24' })) },
  { action: 'CreateInternetGateway', neededFor: 'create the internet gateway', send: (c) => c.send(new ec2.CreateInternetGatewayCommand({ DryRun: true })) },
  { action: 'AttachInternetGateway', neededFor: 'attach the internet gateway', send: (c, t) => c.send(new ec2.AttachInternetGatewayCommand({ DryRun: true, InternetGatewayId: GATEWAY, VpcId: t.vpcId })) },
  { action: 'CreateRouteTable', neededFor: 'create the route table', send: (c, t) => c.send(new ec2.CreateRouteTableCommand({ DryRun: true, VpcId: t.vpcId })) },
  { action: 'CreateRoute', neededFor: 'route to the internet', send: (c) => c.send(new ec2.CreateRouteCommand({ DryRun: true, RouteTableId: ROUTE_TABLE, DestinationCidrBlock: '0.0.0.0/0', GatewayId: GATEWAY })) },
  { action: 'AssociateRouteTable', neededFor: 'associate the route table', send: (c) => c.send(new ec2.AssociateRouteTableCommand({ DryRun: true, RouteTableId: ROUTE_TABLE, SubnetId: SUBNET })) },
  { action: 'CreateSecurityGroup', neededFor: 'create the SSH security group', send: (c, t) => c.send(new ec2.CreateSecurityGroupCommand({ DryRun: true, GroupName: PROBE_NAME, Description: PROBE_NAME, VpcId: t.vpcId })) },
  { action: 'AuthorizeSecurityGroupIngress', neededFor: 'open SSH (and cluster ports)', send: (c) => c.send(new ec2.AuthorizeSecurityGroupIngressCommand({ DryRun: true, GroupId: GROUP, IpPermissions: SSH_IN })) },
  { action: 'ImportKeyPair', neededFor: 'import the SSH key pair', send: (c, _t, publicKey) => c.send(new ec2.ImportKeyPairCommand({ DryRun: true, KeyName: PROBE_NAME, PublicKeyMaterial: Buffer.from(publicKey) })) },
  { action: 'DeleteKeyPair', neededFor: 'remove the key pair with the last MCIS', send: (c) => c.send(new ec2.DeleteKeyPairCommand({ DryRun: true, KeyName: PROBE_NAME })) },
  { action: 'DeleteSecurityGroup', neededFor: 'remove default resources', send: (c) => c.send(new ec2.DeleteSecurityGroupCommand({ DryRun: true, GroupId: GROUP })) },
  { action: 'DetachInternetGateway', neededFor: 'remove default resources', send: (c, t) => c.send(new ec2.DetachInternetGatewayCommand({ DryRun: true, InternetGatewayId: GATEWAY, VpcId: t.vpcId })) },
  { action: 'DeleteInternetGateway', neededFor: 'remove default resources', send: (c) => c.send(new ec2.DeleteInternetGatewayCommand({ DryRun: true, InternetGatewayId: GATEWAY })) },
  { action: 'DeleteSubnet', neededFor: 'remove default resources', send: (c) => c.send(new ec2.DeleteSubnetCommand({ DryRun: true, SubnetId: SUBNET })) },
  { action: 'DeleteVpc', neededFor: 'remove default resources', send: (c, t) => c.send(new ec2.DeleteVpcCommand({ DryRun: true, VpcId: t.vpcId })) },
];

/** What one dry run's answer says about the permission. */
export function dryRunVerdict(e: unknown): Pick<PermissionCheck, 'status' | 'why'> {
  if (!(e instanceof ProviderError)) return { status: 'unknown', why: e instanceof Error ? e.message : String(e) };
  if (e.code === 'DryRunOperation') return { status: 'allowed' };
  if (e.code === 'UnauthorizedOperation' || e.code === 'AccessDenied') return { status: 'denied', why: e.code };
  // A placeholder id EC2 could not find, a parameter it rejected: it never got to say yes or no.
  return { status: 'unknown', why: `EC2 answered ${e.code} before authorizing the dry run` };
}

async function targets(client: ec2.EC2Client, catalog: CatalogApi): Promise<ProbeTargets> {
  const firstOr = async <T>(p: Promise<T | undefined>, fallback: string) => (await p.catch(() => undefined)) ?? fallback;
  const [imageId, instanceId, vpcId] = await Promise.all([
    firstOr(catalog.resolveImage('ubuntu-22.04').then((i) => i.id), PLACEHOLDER.imageId),
    firstOr(
      client
        .send(new ec2.DescribeInstancesCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }, { Name: 'instance-state-name', Values: ['running', 'stopped', 'pending', 'stopping'] }], MaxResults: 5 }))
        .then((r) => r.Reservations?.flatMap((x) => x.Instances ?? [])[0]?.InstanceId),
      PLACEHOLDER.instanceId,
    ),
    firstOr(client.send(new ec2.DescribeVpcsCommand({ Filters: [{ Name: 'tag:cb-managed', Values: ['true'] }] })).then((r) => r.Vpcs?.[0]?.VpcId), PLACEHOLDER.vpcId),
  ]);
  return { imageId, instanceId, vpcId };
}

export async function checkAwsPermissions(client: ec2.EC2Client, catalog: CatalogApi): Promise<PermissionCheck[]> {
  const t = await targets(client, catalog);
  const { publicKey } = generateSshKeyPair(PROBE_NAME);
  const gate = new Semaphore(6);
  return Promise.all(AWS_PROBES.map((p) => gate.run(async (): Promise<PermissionCheck> => {
    const verdict = await p.send(client, t, publicKey).then(
      // EC2 never answers a dry run with success; if it did, it acted, and must be told.
      () => ({ status: 'unknown' as const, why: 'EC2 did not answer the dry run with DryRunOperation' }),
      dryRunVerdict,
    );
    return { permission: `ec2:${p.action}`, neededFor: p.neededFor, ...verdict };
  })));
}
