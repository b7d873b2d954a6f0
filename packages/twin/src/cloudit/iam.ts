/**
 * IAM's security groups (`iam/v1.0/{tenant}/securitygroups`): a group holds its rules; a rule is
 * inbound or outbound, a protocol, a port (`22`, `8000-8080`, `0` for all) and a target CIDR. The
 * tenant starts with none: CB-Spider's driver expects an operator-made `SSH` group or makes one.
 */
import { route, str, type CiCtx, type CiRoute } from './context.js';
import { badRequest, conflict, notFound } from './errors.js';
import type { SecurityGroup, SecurityRule } from './model.js';

const PROTOCOLS = new Set(['tcp', 'udp', 'icmp', 'all']);

function group(ctx: CiCtx): SecurityGroup {
  const g = ctx.engine.tenant.securityGroups.get(ctx.p.id!);
  if (!g) throw notFound('security group', ctx.p.id!);
  return g;
}

function ruleFrom(ctx: CiCtx, secgroupId: string, o: Record<string, unknown>): SecurityRule {
  const type = str(o, 'type', true);
  if (type !== 'inbound' && type !== 'outbound') throw badRequest(`rule 'type' must be inbound or outbound, got '${type}'`);
  const protocol = str(o, 'protocol', true).toLowerCase();
  if (!PROTOCOLS.has(protocol)) throw badRequest(`rule 'protocol' must be tcp, udp, icmp or all, got '${protocol}'`);
  const port = str(o, 'port') ?? '0';
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(port);
  if (!m || Number(m[1]) > 65535 || Number(m[2] ?? m[1]) > 65535 || Number(m[2] ?? m[1]) < Number(m[1])) throw badRequest(`rule 'port' must be a port, a range like 8000-8080 or 0, got '${port}'`);
  const target = str(o, 'target') ?? '0.0.0.0/0';
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(target)) throw badRequest(`rule 'target' must be a CIDR, got '${target}'`);
  const s = ctx.engine.stamp();
  return { ...s, secgroupId, name: str(o, 'name') ?? `${type}-${protocol}-${port}`, type, port, target, protocol, creator: ctx.user };
}

const view = (g: SecurityGroup) => ({ ...g, rulesCount: g.rules.length });

function create(ctx: CiCtx) {
  const name = str(ctx.body, 'name', true);
  const t = ctx.engine.tenant;
  if ([...t.securityGroups.values()].some((g) => g.name === name)) throw conflict('DUPLICATE_NAME', `security group '${name}' already exists`);
  const s = ctx.engine.stamp();
  const g: SecurityGroup = { ...s, name, state: 'CREATED', protection: 0, description: str(ctx.body, 'description') ?? '', creator: ctx.user, rules: [] };
  const rules = ctx.body.rules ?? [];
  if (!Array.isArray(rules)) throw badRequest("'rules' must be a list");
  g.rules = rules.map((r) => ruleFrom(ctx, g.id, (r ?? {}) as Record<string, unknown>));
  t.securityGroups.set(g.id, g);
  ctx.engine.changed();
  return { status: 201, body: view(g) };
}

function remove(ctx: CiCtx) {
  const g = group(ctx);
  const user = [...ctx.engine.tenant.servers.values()].find((s) => !s.deleting && s.secgroups.includes(g.id));
  if (user) throw conflict('SECURITY_GROUP_IN_USE', `security group '${g.name}' is used by server '${user.name}'`);
  ctx.engine.tenant.securityGroups.delete(g.id);
  ctx.engine.changed();
  return { status: 204 };
}

function addRule(ctx: CiCtx) {
  const g = group(ctx);
  const r = ruleFrom(ctx, g.id, ctx.body);
  if (g.rules.some((x) => x.type === r.type && x.protocol === r.protocol && x.port === r.port && x.target === r.target)) throw conflict('DUPLICATE_RULE', `security group '${g.name}' has that rule already`);
  g.rules.push(r);
  ctx.engine.changed();
  return { status: 201, body: r };
}

function removeRule(ctx: CiCtx) {
  const g = group(ctx);
  const i = g.rules.findIndex((r) => r.id === ctx.p.ruleId);
  if (i < 0) throw notFound('security group rule', ctx.p.ruleId!);
  g.rules.splice(i, 1);
  ctx.engine.changed();
  return { status: 204 };
}

export const IAM_ROUTES: CiRoute[] = [
  route('GET', 'securitygroups', 'securitygroups.list', (ctx) => ({ status: 200, body: [...ctx.engine.tenant.securityGroups.values()].map(view) })),
  route('POST', 'securitygroups', 'securitygroups.create', create),
  route('GET', 'securitygroups/{id}', 'securitygroups.listRules', (ctx) => ({ status: 200, body: group(ctx).rules })),
  route('GET', 'securitygroups/{id}/detail', 'securitygroups.get', (ctx) => ({ status: 200, body: view(group(ctx)) })),
  route('DELETE', 'securitygroups/{id}', 'securitygroups.delete', remove),
  route('POST', 'securitygroups/{id}/rules', 'securitygroups.addRule', addRule),
  route('DELETE', 'securitygroups/{id}/rules/{ruleId}', 'securitygroups.deleteRule', removeRule),
];
