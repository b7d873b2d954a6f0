/** Security groups and their rules. */
import type { Ctx } from './context.js';
import { Ec2Error, err } from './errors.js';
import { applyFilters } from './filters.js';
import { newId } from './ids.js';
import { getMany, getSecurityGroup, getVpc } from './lookup.js';
import { ACCOUNT_ID, type RegionData, type SecurityGroup, type SgRule } from './model.js';
import { paginate } from './paging.js';
import { Params, tagsFromSpecs } from './query.js';
import { newSecurityGroup } from './records.js';
import { tagSet } from './tags.js';
import { el, items, node, type XmlChild } from './xml.js';

const PROTOCOLS: Record<string, string> = { tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', '-1': '-1', all: '-1' };

function normalizeProtocol(p: string): string {
  const known = PROTOCOLS[p.toLowerCase()];
  if (known) return known;
  if (/^\d+$/.test(p) && Number(p) <= 255) return p;
  throw new Ec2Error('InvalidParameterValue', `Invalid value '${p}' for IP protocol. Unknown protocol.`);
}

function arn(region: RegionData, id: string): string {
  return `arn:aws:ec2:${region.name}:${ACCOUNT_ID}:security-group/${id}`;
}

/** Resolves a group by id, or by name in the default VPC (EC2's rule for GroupName). */
function resolveGroup(ctx: Ctx, p: Params): SecurityGroup {
  const id = p.str('GroupId');
  if (id) return getSecurityGroup(ctx.region, id);
  const name = p.str('GroupName');
  if (!name) throw err.missing('GroupId');
  const vpcId = ctx.region.defaultVpcId;
  const sg = [...ctx.region.securityGroups.values()].find((g) => g.vpcId === vpcId && g.name === name);
  if (!sg) {
    throw new Ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpcId ?? 'none'}'`);
  }
  return sg;
}

type NewRule = Omit<SgRule, 'id'>;

function ports(protocol: string, p: Params): { fromPort?: number; toPort?: number } {
  if (protocol === '-1') return {};
  const fromPort = p.int('FromPort');
  const toPort = p.int('ToPort');
  if (protocol === 'tcp' || protocol === 'udp') {
    if (fromPort === undefined || toPort === undefined) {
      throw new Ec2Error('InvalidParameterValue', `Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.`);
    }
    if (fromPort < 0 || toPort > 65535 || fromPort > toPort) {
      throw new Ec2Error('InvalidParameterValue', `Invalid TCP/UDP port range (${fromPort}, ${toPort}).`);
    }
  }
  return { fromPort, toPort };
}

/** The rules a request names, in either the IpPermissions.N form or the legacy flat form. */
function requestedRules(ctx: Ctx, p: Params, egress: boolean): NewRule[] {
  const perms = p.structs('IpPermissions');
  const out: NewRule[] = [];
  if (perms.length === 0 && p.has('IpProtocol')) {
    const protocol = normalizeProtocol(p.req('IpProtocol'));
    const base = { egress, protocol, ...ports(protocol, p) };
    const cidr = p.str('CidrIp');
    const source = p.str('SourceSecurityGroupName');
    if (cidr) out.push({ ...base, cidrIpv4: cidr });
    if (source) out.push({ ...base, groupId: resolveGroup(ctx, new Params(new Map([['GroupName', source]]))).id });
    if (!cidr && !source) throw err.missing('CidrIp');
    return out;
  }
  if (perms.length === 0) throw err.missing('IpPermissions');
  for (const perm of perms) {
    const protocol = normalizeProtocol(perm.req('IpProtocol'));
    const base = { egress, protocol, ...ports(protocol, perm) };
    for (const r of perm.structs('IpRanges')) out.push({ ...base, cidrIpv4: r.req('CidrIp'), description: r.str('Description') });
    for (const r of perm.structs('Ipv6Ranges')) out.push({ ...base, cidrIpv6: r.req('CidrIpv6'), description: r.str('Description') });
    for (const g of perm.structs('Groups')) {
      const target = g.str('GroupId') ? getSecurityGroup(ctx.region, g.req('GroupId')) : resolveGroup(ctx, g);
      out.push({ ...base, groupId: target.id, description: g.str('Description') });
    }
  }
  return out;
}

function sameRule(a: NewRule, b: NewRule): boolean {
  return (
    a.egress === b.egress &&
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6 &&
    a.groupId === b.groupId
  );
}

function describeRule(r: NewRule): string {
  const peer = r.cidrIpv4 ?? r.cidrIpv6 ?? r.groupId ?? '';
  const proto = r.protocol === '-1' ? 'ALL' : r.protocol.toUpperCase();
  return `peer: ${peer}, ${proto}, from port: ${r.fromPort ?? -1}, to port: ${r.toPort ?? -1}, ALLOW`;
}

function authorize(ctx: Ctx, egress: boolean): XmlChild[] {
  const sg = resolveGroup(ctx, ctx.params);
  const rules = requestedRules(ctx, ctx.params, egress);
  for (const r of rules) {
    if (sg.rules.some((x) => sameRule(x, r))) {
      throw new Ec2Error('InvalidPermission.Duplicate', `the specified rule "${describeRule(r)}" already exists`);
    }
  }
  const added = rules.map((r) => ({ ...r, id: newId('sgr') }));
  sg.rules.push(...added);
  ctx.env.changed();
  return [
    el('return', true),
    items('securityGroupRuleSet', added, (r) => [
      el('securityGroupRuleId', r.id),
      el('groupId', sg.id),
      el('groupOwnerId', ACCOUNT_ID),
      el('isEgress', r.egress),
      el('ipProtocol', r.protocol),
      el('fromPort', r.fromPort ?? -1),
      el('toPort', r.toPort ?? -1),
      el('cidrIpv4', r.cidrIpv4),
      el('cidrIpv6', r.cidrIpv6),
      r.groupId ? node('referencedGroupInfo', [el('groupId', r.groupId), el('userId', ACCOUNT_ID)]) : undefined,
      el('description', r.description),
      tagSet([]),
    ]),
  ];
}

export const authorizeSecurityGroupIngress = (ctx: Ctx) => authorize(ctx, false);
export const authorizeSecurityGroupEgress = (ctx: Ctx) => authorize(ctx, true);

function revoke(ctx: Ctx, egress: boolean): XmlChild[] {
  const sg = resolveGroup(ctx, ctx.params);
  const ruleIds = ctx.params.list('SecurityGroupRuleId');
  if (ruleIds.length > 0) {
    for (const id of ruleIds) {
      if (!sg.rules.some((r) => r.id === id && r.egress === egress)) {
        throw new Ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      }
    }
    sg.rules = sg.rules.filter((r) => !ruleIds.includes(r.id));
  } else {
    const rules = requestedRules(ctx, ctx.params, egress);
    for (const r of rules) {
      if (!sg.rules.some((x) => sameRule(x, r))) {
        throw new Ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
      }
    }
    sg.rules = sg.rules.filter((x) => !rules.some((r) => sameRule(x, r)));
  }
  ctx.env.changed();
  return [el('return', true)];
}

export const revokeSecurityGroupIngress = (ctx: Ctx) => revoke(ctx, false);
export const revokeSecurityGroupEgress = (ctx: Ctx) => revoke(ctx, true);

export function createSecurityGroup(ctx: Ctx): XmlChild[] {
  const name = ctx.params.req('GroupName');
  const description = ctx.params.req('GroupDescription');
  const vpcParam = ctx.params.str('VpcId');
  const vpcId = vpcParam ? getVpc(ctx.region, vpcParam).id : ctx.region.defaultVpcId;
  if (!vpcId) throw new Ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
  if (name === 'default') throw new Ec2Error('InvalidParameterValue', 'Cannot use reserved security group name: default');
  if (name.startsWith('sg-')) throw new Ec2Error('InvalidParameterValue', 'Group names may not be in the format sg-*');
  if (name.length > 255) throw err.invalidValue('GroupName', name, 'Length exceeds maximum of 255.');
  if ([...ctx.region.securityGroups.values()].some((g) => g.vpcId === vpcId && g.name === name)) {
    throw new Ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
  }
  const tags = tagsFromSpecs(ctx.params, ['security-group'], 'security-group');
  const sg = newSecurityGroup(ctx.env, ctx.region, vpcId, name, description, tags);
  ctx.env.changed();
  return [el('return', true), el('groupId', sg.id), tagSet(sg.tags), el('securityGroupArn', arn(ctx.region, sg.id))];
}

export function deleteSecurityGroup(ctx: Ctx): XmlChild[] {
  const sg = resolveGroup(ctx, ctx.params);
  if (sg.name === 'default') {
    throw new Ec2Error('CannotDelete', `the specified group: "${sg.id}" name: "default" cannot be deleted by a user`);
  }
  const usedByInstance = [...ctx.region.instances.values()].some((i) => i.state !== 'terminated' && i.groupIds.includes(sg.id));
  const referenced = [...ctx.region.securityGroups.values()].some(
    (g) => g.id !== sg.id && g.rules.some((r) => r.groupId === sg.id),
  );
  if (usedByInstance || referenced) {
    throw new Ec2Error('DependencyViolation', `resource ${sg.id} has a dependent object`);
  }
  ctx.region.securityGroups.delete(sg.id);
  ctx.env.changed();
  return [el('return', true), el('groupId', sg.id)];
}

/** EC2 groups rules that share protocol and ports into one IpPermission. */
function renderPermissions(name: string, ctx: Ctx, rules: SgRule[]): XmlChild {
  const groups = new Map<string, SgRule[]>();
  for (const r of rules) {
    const key = `${r.protocol}|${r.fromPort ?? ''}|${r.toPort ?? ''}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return items(name, [...groups.values()], (g) => {
    const first = g[0] as SgRule;
    return [
      el('ipProtocol', first.protocol),
      el('fromPort', first.fromPort),
      el('toPort', first.toPort),
      items('groups', g.filter((r) => r.groupId), (r) => [
        el('description', r.description),
        el('userId', ACCOUNT_ID),
        el('groupId', r.groupId),
        el('groupName', r.groupId ? ctx.region.securityGroups.get(r.groupId)?.name : undefined),
      ]),
      items('ipRanges', g.filter((r) => r.cidrIpv4), (r) => [el('cidrIp', r.cidrIpv4), el('description', r.description)]),
      items('ipv6Ranges', g.filter((r) => r.cidrIpv6), (r) => [el('cidrIpv6', r.cidrIpv6), el('description', r.description)]),
      items('prefixListIds', [], () => []),
    ];
  });
}

export function describeSecurityGroups(ctx: Ctx): XmlChild[] {
  const ids = ctx.params.list('GroupId');
  const names = ctx.params.list('GroupName');
  let base = [...ctx.region.securityGroups.values()];
  if (ids.length) {
    const found = getMany(ctx.region.securityGroups, ids, 'sg', 'InvalidGroupId.Malformed', 'InvalidGroup.NotFound', 'security group');
    base = base.filter((g) => found.includes(g));
  }
  if (names.length) {
    const found = names.map((n) => resolveGroup(ctx, new Params(new Map([['GroupName', n]]))));
    base = base.filter((g) => found.includes(g));
  }
  const filtered = applyFilters(base, ctx.params.filters(), {
    'group-id': (g) => g.id,
    'group-name': (g) => g.name,
    'vpc-id': (g) => g.vpcId,
    description: (g) => g.description,
    'owner-id': () => ACCOUNT_ID,
    'ip-permission.protocol': (g) => g.rules.filter((r) => !r.egress).map((r) => r.protocol),
    'ip-permission.from-port': (g) => g.rules.filter((r) => !r.egress).map((r) => r.fromPort),
    'ip-permission.to-port': (g) => g.rules.filter((r) => !r.egress).map((r) => r.toPort),
    'ip-permission.cidr': (g) => g.rules.filter((r) => !r.egress).map((r) => r.cidrIpv4),
    'ip-permission.group-id': (g) => g.rules.filter((r) => !r.egress).map((r) => r.groupId),
    'egress.ip-permission.cidr': (g) => g.rules.filter((r) => r.egress).map((r) => r.cidrIpv4),
  });
  const page = paginate(filtered, ctx.params.int('MaxResults'), ctx.params.str('NextToken'), { min: 5, max: 1000 }, (g) => g.seq);
  return [
    items('securityGroupInfo', page.items, (g) => [
      el('ownerId', ACCOUNT_ID),
      el('groupId', g.id),
      el('groupName', g.name),
      el('groupDescription', g.description),
      el('vpcId', g.vpcId),
      el('securityGroupArn', arn(ctx.region, g.id)),
      renderPermissions('ipPermissions', ctx, g.rules.filter((r) => !r.egress)),
      renderPermissions('ipPermissionsEgress', ctx, g.rules.filter((r) => r.egress)),
      tagSet(g.tags),
    ]),
    el('nextToken', page.nextToken),
  ];
}
