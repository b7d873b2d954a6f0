/**
 * Neutron security groups and their rules. A new group comes with Neutron's two default egress
 * rules; a duplicate rule is a 409 SecurityGroupRuleExists naming the rule that exists; a group a
 * port still uses cannot be deleted (409 SecurityGroupInUse).
 */
import { member, optString, route, type OsCtx, type OsResponse, type OsRoute } from './context.js';
import { badRequest, OsError } from './errors.js';
import type { SecurityGroup, SecurityGroupRule } from './model.js';
import { common, get, list, tagsOf } from './neutron-common.js';

const N = 'network';

function ruleView(ctx: OsCtx, r: SecurityGroupRule): Record<string, unknown> {
  return {
    ...common(ctx, r),
    security_group_id: r.security_group_id,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix,
    remote_group_id: r.remote_group_id,
    description: r.description,
  };
}

function groupView(ctx: OsCtx, g: SecurityGroup): Record<string, unknown> {
  return {
    ...common(ctx, g),
    name: g.name,
    description: g.description,
    stateful: true,
    shared: false,
    security_group_rules: [...ctx.region.rules.values()].filter((r) => r.security_group_id === g.id).map((r) => ruleView(ctx, r)),
  };
}

function createGroup(ctx: OsCtx): OsResponse {
  const b = member(N, ctx.body, 'security_group');
  const name = optString(N, b, 'name') ?? '';
  if (name === 'default') throw new OsError(N, 409, 'Default security group already exists.', 'SecurityGroupDefaultAlreadyExists');
  const g: SecurityGroup = { ...ctx.engine.stamp(), name, description: optString(N, b, 'description') ?? '', tags: tagsOf(b) };
  ctx.region.securityGroups.set(g.id, g);
  for (const ethertype of ['IPv4', 'IPv6'] as const) {
    const r: SecurityGroupRule = { ...ctx.engine.stamp(), security_group_id: g.id, direction: 'egress', ethertype, protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, description: '' };
    ctx.region.rules.set(r.id, r);
  }
  ctx.engine.changed();
  return { status: 201, body: { security_group: groupView(ctx, g) } };
}

function deleteGroup(ctx: OsCtx): OsResponse {
  const g = get<SecurityGroup>(ctx, 'securityGroups', 'Security group', 'SecurityGroupNotFound');
  if (g.name === 'default') throw new OsError(N, 409, 'Removing default security group not allowed.', 'SecurityGroupCannotRemoveDefault');
  if ([...ctx.region.ports.values()].some((p) => p.security_groups.includes(g.id))) throw new OsError(N, 409, `Security Group ${g.id} in use.`, 'SecurityGroupInUse');
  for (const [id, r] of ctx.region.rules) if (r.security_group_id === g.id || r.remote_group_id === g.id) ctx.region.rules.delete(id);
  ctx.region.securityGroups.delete(g.id);
  ctx.engine.changed();
  return { status: 204 };
}

const PROTOCOLS = new Set(['tcp', 'udp', 'icmp', 'any']);

function createRule(ctx: OsCtx): OsResponse {
  const b = member(N, ctx.body, 'security_group_rule');
  const g = get<SecurityGroup>(ctx, 'securityGroups', 'Security group', 'SecurityGroupNotFound', optString(N, b, 'security_group_id') ?? '');
  const direction = b.direction;
  if (direction !== 'ingress' && direction !== 'egress') throw badRequest(N, `Invalid input for direction. Reason: ${JSON.stringify(direction)} is not in ['ingress', 'egress'].`, 'InvalidInput');
  const ethertype = (b.ethertype ?? 'IPv4') as string;
  if (ethertype !== 'IPv4' && ethertype !== 'IPv6') throw badRequest(N, `Invalid input for ethertype. Reason: ${ethertype} is not in ['IPv4', 'IPv6'].`, 'InvalidInput');
  const protocol = typeof b.protocol === 'string' ? b.protocol.toLowerCase() : typeof b.protocol === 'number' ? String(b.protocol) : null;
  if (protocol !== null && !PROTOCOLS.has(protocol) && !/^\d{1,3}$/.test(protocol)) throw badRequest(N, `Security group rule protocol ${protocol} not supported.`, 'SecurityGroupRuleInvalidProtocol');
  const min = b.port_range_min === undefined || b.port_range_min === null ? null : Number(b.port_range_min);
  const max = b.port_range_max === undefined || b.port_range_max === null ? null : Number(b.port_range_max);
  if ((min !== null || max !== null) && (protocol === null || (min !== null && max !== null && min > max))) {
    throw badRequest(N, 'For TCP/UDP protocols, port_range_min must be <= port_range_max', 'SecurityGroupInvalidPortRange');
  }
  // Neutron has no port 0 for TCP/UDP: all ports is a rule without a range.
  for (const port of [min, max]) if (port !== null && (protocol === 'tcp' || protocol === 'udp') && (port < 1 || port > 65535)) throw badRequest(N, `Invalid value for port ${port}.`, 'SecurityGroupInvalidPortValue');
  const remoteIp = optString(N, b, 'remote_ip_prefix') ?? null;
  const remoteGroup = optString(N, b, 'remote_group_id') ?? null;
  if (remoteGroup) get(ctx, 'securityGroups', 'Security group', 'SecurityGroupNotFound', remoteGroup);
  const rule: SecurityGroupRule = { ...ctx.engine.stamp(), security_group_id: g.id, direction, ethertype, protocol, port_range_min: min, port_range_max: max, remote_ip_prefix: remoteIp, remote_group_id: remoteGroup, description: optString(N, b, 'description') ?? '' };
  const same = [...ctx.region.rules.values()].find(
    (r) => r.security_group_id === g.id && r.direction === direction && r.ethertype === ethertype && r.protocol === protocol && r.port_range_min === min && r.port_range_max === max && r.remote_ip_prefix === remoteIp && r.remote_group_id === remoteGroup,
  );
  if (same) throw new OsError(N, 409, `Security group rule already exists. Rule id is ${same.id}.`, 'SecurityGroupRuleExists');
  ctx.region.rules.set(rule.id, rule);
  ctx.engine.changed();
  return { status: 201, body: { security_group_rule: ruleView(ctx, rule) } };
}

export const SECURITY_ROUTES: OsRoute[] = [
  route('GET', 'security-groups', 'securityGroups.list', 'get_security_group', (ctx) => list('security_groups', ctx.region.securityGroups.values(), (g) => groupView(ctx, g))(ctx)),
  route('POST', 'security-groups', 'securityGroups.create', 'create_security_group', createGroup),
  route('GET', 'security-groups/{id}', 'securityGroups.get', 'get_security_group', (ctx) => ({ status: 200, body: { security_group: groupView(ctx, get(ctx, 'securityGroups', 'Security group', 'SecurityGroupNotFound')) } })),
  route('DELETE', 'security-groups/{id}', 'securityGroups.delete', 'delete_security_group', deleteGroup),
  route('GET', 'security-group-rules', 'securityGroupRules.list', 'get_security_group_rule', (ctx) => list('security_group_rules', ctx.region.rules.values(), (r) => ruleView(ctx, r))(ctx)),
  route('POST', 'security-group-rules', 'securityGroupRules.create', 'create_security_group_rule', createRule),
  route('GET', 'security-group-rules/{id}', 'securityGroupRules.get', 'get_security_group_rule', (ctx) => ({ status: 200, body: { security_group_rule: ruleView(ctx, get(ctx, 'rules', 'Security group rule', 'SecurityGroupRuleNotFound')) } })),
  route('DELETE', 'security-group-rules/{id}', 'securityGroupRules.delete', 'delete_security_group_rule', (ctx) => {
    const r = get<SecurityGroupRule>(ctx, 'rules', 'Security group rule', 'SecurityGroupRuleNotFound');
    ctx.region.rules.delete(r.id);
    ctx.engine.changed();
    return { status: 204 };
  }),
];
