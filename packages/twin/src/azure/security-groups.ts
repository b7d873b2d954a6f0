/** Microsoft.Network network security groups and their rules. */
import { type ArmCtx, type ArmResponse, arr, checkName, group, obj, param, props, sameText, str } from './context.js';
import { ArmError, resourceNotFound } from './errors.js';
import { idOf, type NetworkSecurityGroup, type SecurityRule, TYPES } from './model.js';
import { createOrUpdate, deleted, done, etag, find, getter, remove } from './network-base.js';

/** Azure's default rules of every NSG (also what the VM firewalls of isolated VMs apply). */
export const DEFAULT_RULES: SecurityRule[] = [
  { name: 'AllowVnetInBound', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'VirtualNetwork', access: 'Allow', priority: 65000, direction: 'Inbound', description: 'Allow inbound traffic from all VMs in VNET' },
  { name: 'AllowAzureLoadBalancerInBound', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: 'AzureLoadBalancer', destinationAddressPrefix: '*', access: 'Allow', priority: 65001, direction: 'Inbound', description: 'Allow inbound traffic from azure load balancer' },
  { name: 'DenyAllInBound', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: '*', access: 'Deny', priority: 65500, direction: 'Inbound', description: 'Deny all inbound traffic' },
  { name: 'AllowVnetOutBound', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'VirtualNetwork', access: 'Allow', priority: 65000, direction: 'Outbound', description: 'Allow outbound traffic from all VMs to all VMs in VNET' },
  { name: 'AllowInternetOutBound', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet', access: 'Allow', priority: 65001, direction: 'Outbound', description: 'Allow outbound traffic from all VMs to Internet' },
  { name: 'DenyAllOutBound', protocol: '*', sourcePortRange: '*', destinationPortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: '*', access: 'Deny', priority: 65500, direction: 'Outbound', description: 'Deny all outbound traffic' },
];

function renderRule(nsgId: string, r: SecurityRule, guid: string, kind: 'securityRules' | 'defaultSecurityRules'): unknown {
  return {
    name: r.name,
    id: `${nsgId}/${kind}/${r.name}`,
    etag: etag(guid),
    type: `Microsoft.Network/networkSecurityGroups/${kind}`,
    properties: {
      provisioningState: 'Succeeded',
      ...(r.description ? { description: r.description } : {}),
      protocol: r.protocol,
      sourcePortRange: r.sourcePortRange,
      ...(r.destinationPortRanges ? {} : { destinationPortRange: r.destinationPortRange }),
      ...(r.sourceAddressPrefixes ? {} : { sourceAddressPrefix: r.sourceAddressPrefix }),
      ...(r.destinationAddressPrefixes ? {} : { destinationAddressPrefix: r.destinationAddressPrefix }),
      access: r.access,
      priority: r.priority,
      direction: r.direction,
      sourcePortRanges: [],
      destinationPortRanges: r.destinationPortRanges ?? [],
      sourceAddressPrefixes: r.sourceAddressPrefixes ?? [],
      destinationAddressPrefixes: r.destinationAddressPrefixes ?? [],
    },
  };
}

export function renderNsg(ctx: ArmCtx, n: NetworkSecurityGroup): unknown {
  const id = idOf(ctx.sub.id, 'nsgs', n);
  const subnets: { id: string }[] = [];
  for (const v of ctx.sub.vnets.values()) {
    for (const s of v.subnets) if (sameText(s.nsgId, id)) subnets.push({ id: `${idOf(ctx.sub.id, 'vnets', v)}/subnets/${s.name}` });
  }
  const nics = [...ctx.sub.nics.values()].filter((x) => sameText(x.nsgId, id)).map((x) => ({ id: idOf(ctx.sub.id, 'nics', x) }));
  return {
    name: n.name,
    id,
    etag: etag(n.guid),
    type: TYPES.nsgs,
    location: n.location,
    tags: n.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: n.guid,
      securityRules: n.rules.map((r) => renderRule(id, r, n.guid, 'securityRules')),
      defaultSecurityRules: DEFAULT_RULES.map((r) => renderRule(id, r, n.guid, 'defaultSecurityRules')),
      ...(subnets.length ? { subnets } : {}),
      ...(nics.length ? { networkInterfaces: nics } : {}),
    },
  };
}

const PROTOCOLS = ['Tcp', 'Udp', 'Icmp', 'Esp', 'Ah', '*'];

function parseRule(raw: Record<string, unknown>, name: string): SecurityRule {
  const p = obj(raw.properties);
  const protocol = PROTOCOLS.find((x) => sameText(x, str(p.protocol)));
  const access = str(p.access);
  const direction = str(p.direction);
  const priority = p.priority;
  const bad = (field: string, v: unknown) =>
    new ArmError(400, 'SecurityRuleInvalidParameter', `Security rule ${name} has invalid value ${JSON.stringify(v)} for ${field}.`, field);
  if (!protocol) throw bad('protocol', p.protocol);
  if (access !== 'Allow' && access !== 'Deny') throw bad('access', access);
  if (direction !== 'Inbound' && direction !== 'Outbound') throw bad('direction', direction);
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 100 || priority > 4096) {
    throw new ArmError(400, 'SecurityRuleInvalidPriority', `Security rule has invalid Priority. Value provided: ${String(priority)} Allowed range 100-4096.`);
  }
  const plural = (field: string, single: string): string[] | undefined => {
    const list = arr(p[field]);
    if (list.length === 0) return undefined;
    if (list.some((x) => typeof x !== 'string' || !x)) throw bad(field, p[field]);
    if (str(p[single])) {
      throw new ArmError(400, 'SecurityRuleParameterContainsUnsupportedValue', `Security rule ${name} cannot specify both ${single} and ${field}.`, field);
    }
    return list as string[];
  };
  const sourceAddressPrefixes = plural('sourceAddressPrefixes', 'sourceAddressPrefix');
  const destinationPortRanges = plural('destinationPortRanges', 'destinationPortRange');
  const destinationAddressPrefixes = plural('destinationAddressPrefixes', 'destinationAddressPrefix');
  return {
    name,
    protocol,
    ...(sourceAddressPrefixes ? { sourceAddressPrefixes } : {}),
    ...(destinationPortRanges ? { destinationPortRanges } : {}),
    ...(destinationAddressPrefixes ? { destinationAddressPrefixes } : {}),
    sourcePortRange: str(p.sourcePortRange) ?? '*',
    destinationPortRange: str(p.destinationPortRange) ?? '*',
    sourceAddressPrefix: str(p.sourceAddressPrefix) ?? '*',
    destinationAddressPrefix: str(p.destinationAddressPrefix) ?? '*',
    access,
    priority,
    direction,
    ...(str(p.description) ? { description: str(p.description) } : {}),
  };
}

function checkPriorities(nsg: string, rules: SecurityRule[]): void {
  for (const r of rules) {
    const clash = rules.find((o) => o !== r && o.direction === r.direction && o.priority === r.priority);
    if (clash) {
      throw new ArmError(400, 'SecurityRuleConflict', `Security rule ${clash.name} conflicts with rule ${r.name}. Rules cannot have the same Priority and Direction. (${nsg})`);
    }
  }
}

export function putNsg(ctx: ArmCtx): ArmResponse {
  const g = group(ctx, true);
  const name = param(ctx, 'name');
  checkName(name, TYPES.nsgs);
  const rules = arr(props(ctx).securityRules).map((raw) => {
    const r = obj(raw);
    return parseRule(r, str(r.name) ?? '');
  });
  checkPriorities(name, rules);
  return createOrUpdate(ctx, 'nsgs', g.name, name, {
    render: renderNsg,
    update: (existing) => {
      existing.rules = rules;
    },
    create: () => ({ rules }),
  });
}

export const getNsg = getter('nsgs', renderNsg);

export function deleteNsg(ctx: ArmCtx): ArmResponse {
  return remove(ctx, 'nsgs', (n) => {
    const id = idOf(ctx.sub.id, 'nsgs', n);
    const user =
      [...ctx.sub.vnets.values()].flatMap((v) => v.subnets.filter((s) => sameText(s.nsgId, id)).map((s) => `${idOf(ctx.sub.id, 'vnets', v)}/subnets/${s.name}`))[0] ??
      [...ctx.sub.nics.values()].filter((x) => sameText(x.nsgId, id)).map((x) => idOf(ctx.sub.id, 'nics', x))[0];
    if (!user) return undefined;
    return new ArmError(400, 'InUseNetworkSecurityGroupCannotBeDeleted', `Network security group ${id} cannot be deleted because it is in use by the following resources: ${user}. In order to delete the Network security group, remove the association with the resource(s).`);
  });
}

export function putRule(ctx: ArmCtx): ArmResponse {
  group(ctx, true);
  const n = find(ctx, 'nsgs');
  const name = param(ctx, 'rule');
  const rule = parseRule(ctx.body, name);
  const i = n.rules.findIndex((r) => sameText(r.name, name));
  const next = i >= 0 ? n.rules.map((r, j) => (j === i ? rule : r)) : [...n.rules, rule];
  checkPriorities(n.name, next);
  n.rules = next;
  return done(ctx, i >= 0 ? 200 : 201, renderRule(idOf(ctx.sub.id, 'nsgs', n), rule, n.guid, 'securityRules'), n.location);
}

export function getRule(ctx: ArmCtx): ArmResponse {
  const n = find(ctx, 'nsgs');
  const name = param(ctx, 'rule');
  const r = n.rules.find((x) => sameText(x.name, name));
  if (!r) throw resourceNotFound(`${TYPES.nsgs}/${n.name}/securityRules`, name, n.resourceGroup);
  return { status: 200, body: renderRule(idOf(ctx.sub.id, 'nsgs', n), r, n.guid, 'securityRules') };
}

export function listRules(ctx: ArmCtx): ArmResponse {
  const n = find(ctx, 'nsgs');
  return { status: 200, body: { value: n.rules.map((r) => renderRule(idOf(ctx.sub.id, 'nsgs', n), r, n.guid, 'securityRules')) } };
}

export function deleteRule(ctx: ArmCtx): ArmResponse {
  const n = find(ctx, 'nsgs');
  const name = param(ctx, 'rule');
  if (!n.rules.some((r) => sameText(r.name, name))) return { status: 204 };
  n.rules = n.rules.filter((r) => !sameText(r.name, name));
  return deleted(ctx, n.location);
}
