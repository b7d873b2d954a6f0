/**
 * The per-connection default network: VPC → subnet → internet gateway → route → security group.
 * Every piece is created with TagSpecifications (our tags + Name) in the same call, so a run that
 * dies half-way leaves only tagged pieces, which the next ensureDefault finds and adopts.
 */
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ModifySubnetAttributeCommand,
  type Filter,
  type RouteTable,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { DefaultNetwork, NetworkApi } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError } from '@cloud-barista/core/errors';
import type { AwsContext } from './context.js';
import { hasCode } from './errors.js';
import { afterCreate, gone, tolerate, whileDependent } from './retry.js';
import { tagFilters, tagSpec } from './tags.js';

export const VPC_CIDR = '10.0.0.0/16';
export const SUBNET_CIDR = '10.0.1.0/24';
const ANYWHERE = '0.0.0.0/0';
const SSH_PORT = 22;

/** Lowest id first, so concurrent leftovers of one name resolve to the same pick every time. */
function first<T>(items: T[] | undefined, id: (t: T) => string | undefined): T | undefined {
  return [...(items ?? [])].filter((t) => id(t)).sort((a, b) => (id(a) ?? '').localeCompare(id(b) ?? ''))[0];
}

function allowsSshFromAnywhere(sg: SecurityGroup): boolean {
  return (sg.IpPermissions ?? []).some(
    (p) =>
      (p.IpProtocol === 'tcp' || p.IpProtocol === '-1') &&
      (p.IpProtocol === '-1' || ((p.FromPort ?? 0) <= SSH_PORT && (p.ToPort ?? 0) >= SSH_PORT)) &&
      (p.IpRanges ?? []).some((r) => r.CidrIp === ANYWHERE),
  );
}

export function createNetwork(ctx: AwsContext): NetworkApi {
  const ec2 = ctx.client;

  /** Filters that find exactly one piece of one default network: our tags plus its Name. */
  const mine = (tags: Tags, name: string, extra: Filter[] = []): Filter[] => [
    ...extra,
    ...tagFilters({ ...tags, Name: name }),
  ];

  async function firstZone(): Promise<string> {
    if (ctx.connection.zone) return ctx.connection.zone;
    const out = await ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }),
    );
    const zone = (out.AvailabilityZones ?? []).flatMap((z) => (z.ZoneName ? [z.ZoneName] : [])).sort()[0];
    if (!zone) throw new OperationError(`region ${ctx.connection.region} reports no available zone`);
    return zone;
  }

  async function ensureVpc(name: string, tags: Tags): Promise<string> {
    const found = await ec2.send(new DescribeVpcsCommand({ Filters: mine(tags, `${name}-vpc`) }));
    const vpc = first(found.Vpcs, (v) => v.VpcId);
    if (vpc?.VpcId) return vpc.VpcId;
    const out = await ec2.send(
      new CreateVpcCommand({ CidrBlock: VPC_CIDR, TagSpecifications: [tagSpec('vpc', tags, `${name}-vpc`)] }),
    );
    if (!out.Vpc?.VpcId) throw new OperationError('CreateVpc returned no VpcId');
    return out.Vpc.VpcId;
  }

  async function ensureSubnet(
    name: string,
    tags: Tags,
    vpcId: string,
  ): Promise<{ subnetId: string; zone: string }> {
    const found = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: mine(tags, `${name}-subnet`, [{ Name: 'vpc-id', Values: [vpcId] }]),
      }),
    );
    let subnet = first(found.Subnets, (s) => s.SubnetId);
    if (!subnet) {
      const zone = await firstZone();
      const out = await afterCreate(() =>
        ec2.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: SUBNET_CIDR,
            AvailabilityZone: zone,
            TagSpecifications: [tagSpec('subnet', tags, `${name}-subnet`)],
          }),
        ),
      );
      subnet = out.Subnet;
    }
    const subnetId = subnet?.SubnetId;
    if (!subnetId) throw new OperationError('CreateSubnet returned no SubnetId');
    if (!subnet?.MapPublicIpOnLaunch) {
      // Instances get a public IP from their network interface anyway; this makes the subnet
      // public for anything else launched into it, as a default network should be.
      await afterCreate(() =>
        ec2.send(
          new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }),
        ),
      );
    }
    return { subnetId, zone: subnet?.AvailabilityZone ?? (await firstZone()) };
  }

  async function ensureGateway(name: string, tags: Tags, vpcId: string): Promise<string> {
    const found = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: mine(tags, `${name}-igw`) }));
    let igw = first(found.InternetGateways, (g) => g.InternetGatewayId);
    if (!igw) {
      const out = await ec2.send(
        new CreateInternetGatewayCommand({
          TagSpecifications: [tagSpec('internet-gateway', tags, `${name}-igw`)],
        }),
      );
      igw = out.InternetGateway;
    }
    const igwId = igw?.InternetGatewayId;
    if (!igwId) throw new OperationError('CreateInternetGateway returned no InternetGatewayId');
    if (!(igw?.Attachments ?? []).some((a) => a.VpcId === vpcId)) {
      await tolerate(
        () =>
          afterCreate(() =>
            ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })),
          ),
        'Resource.AlreadyAssociated',
      );
    }
    return igwId;
  }

  async function ensureRoutes(
    name: string,
    tags: Tags,
    vpcId: string,
    subnetId: string,
    igwId: string,
  ): Promise<string> {
    const found = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: mine(tags, `${name}-rt`, [{ Name: 'vpc-id', Values: [vpcId] }]),
      }),
    );
    let table: RouteTable | undefined = first(found.RouteTables, (t) => t.RouteTableId);
    if (!table) {
      const out = await afterCreate(() =>
        ec2.send(
          new CreateRouteTableCommand({
            VpcId: vpcId,
            TagSpecifications: [tagSpec('route-table', tags, `${name}-rt`)],
          }),
        ),
      );
      table = out.RouteTable;
    }
    const routeTableId = table?.RouteTableId;
    if (!routeTableId) throw new OperationError('CreateRouteTable returned no RouteTableId');
    if (!(table?.Routes ?? []).some((r) => r.DestinationCidrBlock === ANYWHERE && r.GatewayId === igwId)) {
      await tolerate(
        () =>
          afterCreate(() =>
            ec2.send(
              new CreateRouteCommand({
                RouteTableId: routeTableId,
                DestinationCidrBlock: ANYWHERE,
                GatewayId: igwId,
              }),
            ),
          ),
        'RouteAlreadyExists',
      );
    }
    if (!(table?.Associations ?? []).some((a) => a.SubnetId === subnetId)) {
      await tolerate(
        () =>
          afterCreate(() =>
            ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId })),
          ),
        'Resource.AlreadyAssociated',
      );
    }
    return routeTableId;
  }

  async function ensureSecurityGroup(name: string, tags: Tags, vpcId: string): Promise<string> {
    const groupName = `${name}-sg`;
    const lookup = async () =>
      first(
        (
          await ec2.send(
            new DescribeSecurityGroupsCommand({
              Filters: [
                { Name: 'vpc-id', Values: [vpcId] },
                { Name: 'group-name', Values: [groupName] },
              ],
            }),
          )
        ).SecurityGroups,
        (g) => g.GroupId,
      );
    let sg = await lookup();
    if (!sg) {
      try {
        const out = await afterCreate(() =>
          ec2.send(
            new CreateSecurityGroupCommand({
              GroupName: groupName,
              Description: `Cloud-Barista default: SSH from anywhere (${name})`,
              VpcId: vpcId,
              TagSpecifications: [tagSpec('security-group', tags, groupName)],
            }),
          ),
        );
        sg = { GroupId: out.GroupId, IpPermissions: [] };
      } catch (e) {
        // Another process made it between our lookup and create: adopt theirs.
        if (!hasCode(e, 'InvalidGroup.Duplicate')) throw e;
        sg = await lookup();
      }
    }
    const groupId = sg?.GroupId;
    if (!groupId) throw new OperationError(`security group ${groupName} could not be created or found`);
    if (!sg || !allowsSshFromAnywhere(sg)) {
      await tolerate(
        () =>
          afterCreate(() =>
            ec2.send(
              new AuthorizeSecurityGroupIngressCommand({
                GroupId: groupId,
                IpPermissions: [
                  {
                    IpProtocol: 'tcp',
                    FromPort: SSH_PORT,
                    ToPort: SSH_PORT,
                    IpRanges: [{ CidrIp: ANYWHERE, Description: 'SSH' }],
                  },
                ],
                TagSpecifications: [tagSpec('security-group-rule', tags, `${groupName}-ssh`)],
              }),
            ),
          ),
        'InvalidPermission.Duplicate',
      );
    }
    return groupId;
  }

  return {
    async findDefault({ name, tags }): Promise<DefaultNetwork | undefined> {
      const vpc = first((await ec2.send(new DescribeVpcsCommand({ Filters: mine(tags, `${name}-vpc`) }))).Vpcs, (v) => v.VpcId);
      if (!vpc?.VpcId) return undefined;
      const vpcFilter = [{ Name: 'vpc-id', Values: [vpc.VpcId] }];
      const [subnets, groups] = await Promise.all([
        ec2.send(new DescribeSubnetsCommand({ Filters: mine(tags, `${name}-subnet`, vpcFilter) })),
        ec2.send(new DescribeSecurityGroupsCommand({ Filters: [...vpcFilter, { Name: 'group-name', Values: [`${name}-sg`] }] })),
      ]);
      const subnet = first(subnets.Subnets, (s) => s.SubnetId);
      // Gateways and route tables are found again through the VPC when it is deleted.
      return {
        networkId: vpc.VpcId,
        subnetId: subnet?.SubnetId ?? '',
        securityGroupId: first(groups.SecurityGroups, (g) => g.GroupId)?.GroupId ?? '',
        ...(subnet?.AvailabilityZone ? { zone: subnet.AvailabilityZone } : {}),
        extra: {},
      };
    },

    async ensureDefault({ name, tags }): Promise<DefaultNetwork> {
      const vpcId = await ensureVpc(name, tags);
      const { subnetId, zone } = await ensureSubnet(name, tags, vpcId);
      const igwId = await ensureGateway(name, tags, vpcId);
      const routeTableId = await ensureRoutes(name, tags, vpcId, subnetId, igwId);
      const securityGroupId = await ensureSecurityGroup(name, tags, vpcId);
      return { networkId: vpcId, subnetId, securityGroupId, zone, extra: { igwId, routeTableId } };
    },

    async deleteDefault(net: DefaultNetwork): Promise<void> {
      const vpcId = net.networkId;
      const waitMs = ctx.tuning.dependencyWaitMs;
      // Also sweep gateways and tables found through the VPC, in case `extra` predates them.
      const [igws, tables] = await Promise.all([
        ec2.send(
          new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
        ),
        ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
      ]);
      const igwIds = new Set(
        (igws.InternetGateways ?? []).flatMap((g) => (g.InternetGatewayId ? [g.InternetGatewayId] : [])),
      );
      if (net.extra.igwId) igwIds.add(net.extra.igwId);
      const ownTables = (tables.RouteTables ?? []).filter((t) => !(t.Associations ?? []).some((a) => a.Main));
      const tableIds = new Set(ownTables.flatMap((t) => (t.RouteTableId ? [t.RouteTableId] : [])));
      if (net.extra.routeTableId) tableIds.add(net.extra.routeTableId);

      // The group is referenced by instance ENIs until they are fully gone.
      if (net.securityGroupId) await gone(() =>
        whileDependent(
          () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: net.securityGroupId })),
          waitMs,
        ),
      );
      for (const t of ownTables) {
        for (const a of t.Associations ?? []) {
          if (a.RouteTableAssociationId && !a.Main) {
            await gone(() =>
              ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId })),
            );
          }
        }
      }
      for (const id of tableIds) {
        await gone(() =>
          whileDependent(() => ec2.send(new DeleteRouteTableCommand({ RouteTableId: id })), waitMs),
        );
      }
      for (const id of igwIds) {
        // Detach fails with DependencyViolation while public addresses are still mapped in the VPC.
        await tolerate(
          () =>
            gone(() =>
              whileDependent(
                () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId })),
                waitMs,
              ),
            ),
          'Gateway.NotAttached',
        );
        await gone(() =>
          whileDependent(() => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id })), waitMs),
        );
      }
      if (net.subnetId) {
        await gone(() =>
          whileDependent(() => ec2.send(new DeleteSubnetCommand({ SubnetId: net.subnetId })), waitMs),
        );
      }
      await gone(() => whileDependent(() => ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), waitMs));
    },
  };
}
