/**
 * ECS network actions: VPCs, zone-bound VSwitches, security groups and their ingress rules
 * (AuthorizeSecurityGroup / RevokeSecurityGroup). Deletes refuse while something depends on the
 * resource, with ECS's DependencyViolation codes.
 */
import { intToIp, overlaps, parseCidr, contains, type Cidr } from '../ec2/cidr.js';
import { findAlibabaRegion } from '../data/alibaba.js';
import { type EcsCtx, type EcsHandler, ecsId } from './context.js';
import { EcsError, invalid } from './errors.js';
import type { EcsPermission, EcsSecurityGroup, EcsVSwitch, EcsVpc } from './model.js';
import { pageNumbered } from './paging.js';
import { matchesTags, tagsView } from './tags.js';
import { ecsTime, type WireObject } from './wire.js';

function cidr(value: string, field: string): Cidr {
  const c = parseCidr(value);
  if (!c) throw new EcsError('InvalidCidrBlock.Malformed', `Specified CIDR block '${value}' in ${field} is not valid.`);
  return c;
}

export function vpcOf(ctx: EcsCtx, id: string): EcsVpc {
  const v = ctx.region.vpcs.get(id);
  if (!v) throw new EcsError('InvalidVpcId.NotFound', `Specified VPC '${id}' does not exist.`);
  return v;
}

export function vSwitchOf(ctx: EcsCtx, id: string): EcsVSwitch {
  const v = ctx.region.vSwitches.get(id);
  if (!v) throw new EcsError('InvalidVSwitchId.NotFound', `Specified virtual switch '${id}' does not exist.`);
  return v;
}

export function securityGroupOf(ctx: EcsCtx, id: string): EcsSecurityGroup {
  const g = ctx.region.securityGroups.get(id);
  if (!g) throw new EcsError('InvalidSecurityGroupId.NotFound', `The specified SecurityGroupId '${id}' does not exist.`);
  return g;
}

function createVpc(ctx: EcsCtx): WireObject {
  const block = ctx.params.get('CidrBlock') ?? '172.16.0.0/12';
  const c = cidr(block, 'CidrBlock');
  if (c.prefix < 8 || c.prefix > 28) throw new EcsError('InvalidCidrBlock.Malformed', 'The VPC CIDR block mask must be between /8 and /28.');
  const vpc: EcsVpc = {
    id: ecsId('vpc', ctx.region.id),
    name: ctx.params.get('VpcName') ?? '',
    description: ctx.params.get('Description') ?? '',
    cidr: block,
    vRouterId: ecsId('vrt', ctx.region.id),
    routeTableId: ecsId('vtb', ctx.region.id),
    createdAt: ctx.env.now(),
    isDefault: false,
  };
  ctx.region.vpcs.set(vpc.id, vpc);
  ctx.env.changed();
  return { VpcId: vpc.id, VRouterId: vpc.vRouterId, RouteTableId: vpc.routeTableId };
}

function describeVpcs(ctx: EcsCtx): WireObject {
  const ids = ctx.params.get('VpcId')?.split(',');
  const found = [...ctx.region.vpcs.values()].filter((v) => !ids || ids.includes(v.id)).sort((a, b) => a.createdAt - b.createdAt);
  const { items, fields } = pageNumbered(found, ctx.params, 10, 50);
  return {
    ...fields,
    Vpcs: {
      Vpc: items.map((v) => ({
        VpcId: v.id,
        RegionId: ctx.region.id,
        Status: 'Available',
        VpcName: v.name,
        Description: v.description,
        CidrBlock: v.cidr,
        VRouterId: v.vRouterId,
        IsDefault: v.isDefault,
        CreationTime: ecsTime(v.createdAt),
        VSwitchIds: { VSwitchId: [...ctx.region.vSwitches.values()].filter((s) => s.vpcId === v.id).map((s) => s.id) },
        UserCidrs: { UserCidr: [] },
      })),
    },
  };
}

function deleteVpc(ctx: EcsCtx): WireObject {
  const vpc = vpcOf(ctx, ctx.params.required('VpcId'));
  if ([...ctx.region.vSwitches.values()].some((s) => s.vpcId === vpc.id)) throw new EcsError('DependencyViolation.VSwitch');
  if ([...ctx.region.securityGroups.values()].some((g) => g.vpcId === vpc.id)) {
    throw new EcsError('DependencyViolation.SecurityGroup', 'Specified VPC has security groups which must be deleted first.', 400);
  }
  ctx.region.vpcs.delete(vpc.id);
  ctx.env.changed();
  return {};
}

function createVSwitch(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const vpc = vpcOf(ctx, p.required('VpcId'));
  const zoneId = p.required('ZoneId');
  if (!findAlibabaRegion(ctx.region.id)?.zones.includes(zoneId)) throw new EcsError('InvalidZoneId.NotFound', `The specified zone '${zoneId}' does not exist in ${ctx.region.id}.`);
  const block = p.required('CidrBlock');
  const c = cidr(block, 'CidrBlock');
  if (c.prefix < 16 || c.prefix > 29) throw new EcsError('InvalidCidrBlock.Malformed', 'The VSwitch CIDR block mask must be between /16 and /29.');
  if (!contains(cidr(vpc.cidr, 'VPC'), c)) throw new EcsError('InvalidCidrBlock.Malformed', `Specified CIDR block ${block} is not within the VPC's ${vpc.cidr}.`);
  for (const s of ctx.region.vSwitches.values()) {
    if (s.vpcId === vpc.id && overlaps(cidr(s.cidr, 'VSwitch'), c)) throw new EcsError('InvalidVSwitchCidr.Overlapped');
  }
  const sw: EcsVSwitch = { id: ecsId('vsw', ctx.region.id), vpcId: vpc.id, zoneId, cidr: block, name: p.get('VSwitchName') ?? '', description: p.get('Description') ?? '', createdAt: ctx.env.now(), nextHost: 0 };
  ctx.region.vSwitches.set(sw.id, sw);
  ctx.env.changed();
  return { VSwitchId: sw.id };
}

/** The next private address of a VSwitch (ECS keeps the first and the last three of each block). */
export function allocatePrivateIp(sw: EcsVSwitch): string {
  const c = parseCidr(sw.cidr)!;
  const host = 1 + sw.nextHost++;
  if (host >= 2 ** (32 - c.prefix) - 3) throw new EcsError('InvalidVSwitchId.IpNotEnough', 'The specified VSwitch does not have enough IP addresses.', 400);
  return intToIp(c.base + host);
}

function describeVSwitches(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const vpcId = p.get('VpcId');
  const id = p.get('VSwitchId');
  const zone = p.get('ZoneId');
  const found = [...ctx.region.vSwitches.values()]
    .filter((s) => (!vpcId || s.vpcId === vpcId) && (!id || s.id === id) && (!zone || s.zoneId === zone))
    .sort((a, b) => a.createdAt - b.createdAt);
  const { items, fields } = pageNumbered(found, p, 10, 50);
  return {
    ...fields,
    VSwitches: {
      VSwitch: items.map((s) => ({
        VSwitchId: s.id,
        VpcId: s.vpcId,
        ZoneId: s.zoneId,
        Status: 'Available',
        CidrBlock: s.cidr,
        VSwitchName: s.name,
        Description: s.description,
        IsDefault: false,
        CreationTime: ecsTime(s.createdAt),
        AvailableIpAddressCount: 2 ** (32 - (parseCidr(s.cidr)?.prefix ?? 32)) - 4 - s.nextHost,
      })),
    },
  };
}

function deleteVSwitch(ctx: EcsCtx): WireObject {
  const sw = vSwitchOf(ctx, ctx.params.required('VSwitchId'));
  if ([...ctx.region.instances.values()].some((i) => i.vSwitchId === sw.id)) throw new EcsError('DependencyViolation.Instance');
  ctx.region.vSwitches.delete(sw.id);
  ctx.env.changed();
  return {};
}

function createSecurityGroup(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const vpcId = p.required('VpcId');
  vpcOf(ctx, vpcId);
  const g: EcsSecurityGroup = {
    id: ecsId('sg', ctx.region.id),
    name: p.get('SecurityGroupName') ?? '',
    description: p.get('Description') ?? '',
    vpcId,
    createdAt: ctx.env.now(),
    tags: p.tags(),
    permissions: [],
  };
  ctx.region.securityGroups.set(g.id, g);
  ctx.env.changed();
  return { SecurityGroupId: g.id };
}

function describeSecurityGroups(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const vpcId = p.get('VpcId');
  const ids = p.jsonList('SecurityGroupIds') ?? (p.get('SecurityGroupId') ? [p.get('SecurityGroupId')!] : undefined);
  const name = p.get('SecurityGroupName');
  const tags = p.tags();
  const found = [...ctx.region.securityGroups.values()]
    .filter((g) => (!vpcId || g.vpcId === vpcId) && (!ids || ids.includes(g.id)) && (!name || g.name === name) && matchesTags(g.tags, tags))
    .sort((a, b) => a.createdAt - b.createdAt);
  const { items, fields } = pageNumbered(found, p, 10, 50);
  return {
    ...fields,
    RegionId: ctx.region.id,
    SecurityGroups: {
      SecurityGroup: items.map((g) => ({
        SecurityGroupId: g.id,
        SecurityGroupName: g.name,
        Description: g.description,
        VpcId: g.vpcId,
        SecurityGroupType: 'normal',
        CreationTime: ecsTime(g.createdAt),
        ResourceGroupId: '',
        ServiceManaged: false,
        Tags: tagsView(g.tags),
      })),
    },
  };
}

function deleteSecurityGroup(ctx: EcsCtx): WireObject {
  const g = securityGroupOf(ctx, ctx.params.required('SecurityGroupId'));
  if ([...ctx.region.instances.values()].some((i) => i.securityGroupIds.includes(g.id))) throw new EcsError('DependencyViolation');
  ctx.region.securityGroups.delete(g.id);
  ctx.env.changed();
  return {};
}

/** The rules of one Authorize/Revoke call: the flat form or `Permissions.N.*`. */
function rulesOf(ctx: EcsCtx): EcsPermission[] {
  const p = ctx.params;
  const one = (prefix: string): EcsPermission | undefined => {
    const protocol = p.get(`${prefix}IpProtocol`);
    if (protocol === undefined) return undefined;
    const proto = protocol.toUpperCase();
    if (!['TCP', 'UDP', 'ICMP', 'GRE', 'ALL'].includes(proto)) throw invalid(`${prefix}IpProtocol`, 'expected tcp, udp, icmp, gre or all');
    const range = p.get(`${prefix}PortRange`) ?? (proto === 'TCP' || proto === 'UDP' ? '' : '-1/-1');
    const m = /^(-?\d+)\/(-?\d+)$/.exec(range);
    if (!m || ((proto === 'TCP' || proto === 'UDP') && !(Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65535))) {
      throw new EcsError('InvalidPortRange.Malformed', `The specified parameter ${prefix}PortRange '${range}' is not valid: expected from/to, e.g. 22/22.`, 400);
    }
    const source = p.get(`${prefix}SourceCidrIp`) ?? '0.0.0.0/0';
    if (!parseCidr(source) && !/^[\d.]+$/.test(source)) throw new EcsError('InvalidSourceCidrIp.Malformed', `The specified SourceCidrIp '${source}' is not valid.`, 400);
    return {
      IpProtocol: proto,
      PortRange: range,
      SourceCidrIp: source,
      Policy: (p.get(`${prefix}Policy`) ?? 'accept').toLowerCase() === 'drop' ? 'Drop' : 'Accept',
      Priority: p.get(`${prefix}Priority`) ?? '1',
      Description: p.get(`${prefix}Description`) ?? '',
      Direction: 'ingress',
      CreateTime: new Date(ctx.env.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  };
  const rules = [one(''), ...Array.from({ length: 100 }, (_, i) => one(`Permissions.${i + 1}.`))].filter((r): r is EcsPermission => r !== undefined);
  if (rules.length === 0) throw new EcsError('MissingParameter', 'The input parameter "IpProtocol" that is mandatory for processing this request is not supplied.');
  return rules;
}

const sameRule = (a: EcsPermission, b: EcsPermission) => a.IpProtocol === b.IpProtocol && a.PortRange === b.PortRange && a.SourceCidrIp === b.SourceCidrIp && a.Policy === b.Policy;

function authorizeSecurityGroup(ctx: EcsCtx): WireObject {
  const g = securityGroupOf(ctx, ctx.params.required('SecurityGroupId'));
  // An identical rule is already there: ECS answers success and adds nothing.
  for (const r of rulesOf(ctx)) if (!g.permissions.some((x) => sameRule(x, r))) g.permissions.push(r);
  ctx.env.changed();
  return {};
}

function revokeSecurityGroup(ctx: EcsCtx): WireObject {
  const g = securityGroupOf(ctx, ctx.params.required('SecurityGroupId'));
  const rules = rulesOf(ctx);
  g.permissions = g.permissions.filter((x) => !rules.some((r) => sameRule(x, r)));
  ctx.env.changed();
  return {};
}

function describeSecurityGroupAttribute(ctx: EcsCtx): WireObject {
  const g = securityGroupOf(ctx, ctx.params.required('SecurityGroupId'));
  return {
    RegionId: ctx.region.id,
    SecurityGroupId: g.id,
    SecurityGroupName: g.name,
    Description: g.description,
    VpcId: g.vpcId,
    InnerAccessPolicy: 'Accept',
    // The fields ECS sends for a CIDR-sourced rule (libcloud's describe_security_group_attributes sample).
    Permissions: {
      Permission: g.permissions.map((r) => ({
        ...r,
        NicType: 'intranet',
        DestCidrIp: '',
        DestGroupId: '',
        DestGroupName: '',
        DestGroupOwnerAccount: '',
        SourceGroupId: '',
        SourceGroupName: '',
        SourceGroupOwnerAccount: '',
      })),
    },
  };
}

export const NETWORK_ACTIONS: Readonly<Record<string, EcsHandler>> = {
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  DeleteVpc: deleteVpc,
  CreateVSwitch: createVSwitch,
  DescribeVSwitches: describeVSwitches,
  DeleteVSwitch: deleteVSwitch,
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroup: authorizeSecurityGroup,
  RevokeSecurityGroup: revokeSecurityGroup,
  DescribeSecurityGroupAttribute: describeSecurityGroupAttribute,
};
