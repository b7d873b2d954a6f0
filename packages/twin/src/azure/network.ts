/**
 * Microsoft.Network: virtual networks and subnets, network security groups and their rules, public
 * IP addresses, network interfaces. Writes are long-running operations that finish at once (the
 * twin has no fabric to program), announced with Azure-AsyncOperation as ARM does.
 */
import { randomUUID } from 'node:crypto';
import { contains, containsIp, intToIp, ipToInt, overlaps, parseCidr, size } from '../ec2/cidr.js';
import { findAzureRegion } from '../data/azure.js';
import {
  type ArmCtx,
  type ArmResponse,
  arr,
  checkName,
  group,
  location,
  lroHeaders,
  obj,
  page,
  param,
  props,
  sameText,
  str,
  tags as bodyTags,
} from './context.js';
import { ArmError, resourceNotFound } from './errors.js';
import {
  idOf,
  type IpConfiguration,
  type NetworkInterface,
  type NetworkSecurityGroup,
  parseId,
  type PublicIp,
  resourceId,
  type SecurityRule,
  type Subnet,
  TYPES,
  type VirtualNetwork,
} from './model.js';

const NS = 'Microsoft.Network';
const etag = (guid: string) => `W/"${guid}"`;

type NetMap = 'vnets' | 'nsgs' | 'pips' | 'nics';

function key(ctx: ArmCtx, map: NetMap, rg: string, name: string): string {
  return resourceId(ctx.sub.id, rg, TYPES[map], name).toLowerCase();
}

function find<T>(ctx: ArmCtx, map: NetMap): T {
  const g = group(ctx);
  const name = param(ctx, 'name');
  const r = (ctx.sub[map] as Map<string, T>).get(key(ctx, map, g.name, name));
  if (!r) throw resourceNotFound(TYPES[map], name, g.name);
  return r;
}

/** A resource referenced by id from a request body (subnet, NSG, public IP). */
function byRef<T>(ctx: ArmCtx, map: NetMap, id: string | undefined, what: string): T {
  const r = id ? (ctx.sub[map] as Map<string, T>).get(id.toLowerCase()) : undefined;
  if (!r) throw new ArmError(400, 'InvalidResourceReference', `Resource ${id ?? '(none)'} referenced by resource ${what} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
  return r;
}

function done(ctx: ArmCtx, status: number, body: unknown, loc: string): ArmResponse {
  const op = ctx.engine.startOperation(ctx.sub.id, 'done', 'network');
  ctx.engine.changed();
  return { status, body, headers: lroHeaders(ctx, op, NS, loc, false) };
}

function deleted(ctx: ArmCtx, loc: string): ArmResponse {
  const op = ctx.engine.startOperation(ctx.sub.id, 'done', 'network');
  ctx.engine.changed();
  return { status: 202, headers: { ...lroHeaders(ctx, op, NS, loc, true), 'retry-after': '10' } };
}

// ---- virtual networks and subnets --------------------------------------------------------------

/** ipConfiguration ids of the NICs in a subnet. */
function subnetUsers(ctx: ArmCtx, subnetId: string): string[] {
  const out: string[] = [];
  for (const nic of ctx.sub.nics.values()) {
    for (const ipc of nic.ipConfigurations) {
      if (sameText(ipc.subnetId, subnetId)) out.push(`${idOf(ctx.sub.id, 'nics', nic)}/ipConfigurations/${ipc.name}`);
    }
  }
  return out;
}

function renderSubnet(ctx: ArmCtx, vnet: VirtualNetwork, s: Subnet): unknown {
  const id = `${idOf(ctx.sub.id, 'vnets', vnet)}/subnets/${s.name}`;
  const users = subnetUsers(ctx, id);
  return {
    name: s.name,
    id,
    etag: etag(vnet.guid),
    type: 'Microsoft.Network/virtualNetworks/subnets',
    properties: {
      provisioningState: 'Succeeded',
      addressPrefix: s.addressPrefix,
      ...(s.nsgId ? { networkSecurityGroup: { id: s.nsgId } } : {}),
      ...(users.length ? { ipConfigurations: users.map((u) => ({ id: u })) } : {}),
      delegations: [],
      privateEndpointNetworkPolicies: 'Disabled',
      privateLinkServiceNetworkPolicies: 'Enabled',
    },
  };
}

function renderVnet(ctx: ArmCtx, v: VirtualNetwork): unknown {
  return {
    name: v.name,
    id: idOf(ctx.sub.id, 'vnets', v),
    etag: etag(v.guid),
    type: TYPES.vnets,
    location: v.location,
    tags: v.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: v.guid,
      addressSpace: { addressPrefixes: v.addressPrefixes },
      subnets: v.subnets.map((s) => renderSubnet(ctx, v, s)),
      virtualNetworkPeerings: [],
      enableDdosProtection: false,
      enableVmProtection: false,
    },
  };
}

function parseSubnet(ctx: ArmCtx, vnetName: string, prefixes: string[], raw: Record<string, unknown>, name: string): Subnet {
  const p = obj(raw.properties);
  const prefix = str(p.addressPrefix) ?? str(arr(p.addressPrefixes)[0]);
  const cidr = prefix ? parseCidr(prefix) : undefined;
  if (!prefix || !cidr) throw new ArmError(400, 'InvalidAddressPrefixFormat', `Address prefix ${prefix ?? '(none)'} of resource ${vnetName}/subnets/${name} is not formatted correctly.`);
  if (!prefixes.some((vp) => { const c = parseCidr(vp); return c !== undefined && contains(c, cidr); })) {
    throw new ArmError(400, 'NetcfgSubnetRangeOutsideVnet', `Subnet '${name}' is not valid because its IP address range is outside the IP address range of virtual network '${vnetName}'.`);
  }
  if (cidr.prefix > 29) throw new ArmError(400, 'NetcfgInvalidSubnet', `Subnet '${name}' is not valid in virtual network '${vnetName}'. The smallest supported subnet is /29.`);
  const nsgId = str(obj(p.networkSecurityGroup).id);
  if (nsgId) byRef<NetworkSecurityGroup>(ctx, 'nsgs', nsgId, `${vnetName}/subnets/${name}`);
  return { name, addressPrefix: prefix, ...(nsgId ? { nsgId: resourceIdCase(ctx, 'nsgs', nsgId) } : {}) };
}

/** The stored id of a referenced resource, in the case it was created with. */
function resourceIdCase(ctx: ArmCtx, map: NetMap, id: string): string {
  const r = (ctx.sub[map] as Map<string, { resourceGroup: string; name: string }>).get(id.toLowerCase());
  return r ? idOf(ctx.sub.id, map, r) : id;
}

function checkNoOverlap(vnetName: string, subnets: Subnet[]): void {
  for (let i = 0; i < subnets.length; i++) {
    for (let j = i + 1; j < subnets.length; j++) {
      const a = parseCidr(subnets[i]?.addressPrefix ?? '');
      const b = parseCidr(subnets[j]?.addressPrefix ?? '');
      if (a && b && overlaps(a, b)) {
        throw new ArmError(400, 'NetcfgSubnetRangesOverlap', `Subnet '${subnets[j]?.name}' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '${vnetName}'.`);
      }
    }
  }
}

function inUseSubnet(ctx: ArmCtx, vnet: VirtualNetwork, s: Subnet): ArmError | undefined {
  const users = subnetUsers(ctx, `${idOf(ctx.sub.id, 'vnets', vnet)}/subnets/${s.name}`);
  if (!users.length) return undefined;
  return new ArmError(400, 'InUseSubnetCannotBeDeleted', `Subnet ${s.name} is in use by ${users[0]} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.`);
}

export function putVnet(ctx: ArmCtx): ArmResponse {
  const g = group(ctx, true);
  const name = param(ctx, 'name');
  checkName(name, TYPES.vnets, 64);
  const p = props(ctx);
  const prefixes = arr(obj(p.addressSpace).addressPrefixes).filter((x): x is string => typeof x === 'string');
  if (!prefixes.length || prefixes.some((x) => !parseCidr(x))) {
    throw new ArmError(400, 'InvalidAddressPrefixFormat', `Address prefix ${prefixes.join(',') || '(none)'} of resource ${name} is not formatted correctly.`);
  }
  const subnets = arr(p.subnets).map((raw) => {
    const r = obj(raw);
    const n = str(r.name);
    if (!n) throw new ArmError(400, 'InvalidRequestFormat', 'Cannot parse the request: a subnet has no name.');
    return parseSubnet(ctx, name, prefixes, r, n);
  });
  checkNoOverlap(name, subnets);
  const k = key(ctx, 'vnets', g.name, name);
  const existing = ctx.sub.vnets.get(k);
  if (existing) {
    for (const old of existing.subnets) {
      if (!subnets.some((s) => sameText(s.name, old.name))) {
        const e = inUseSubnet(ctx, existing, old);
        if (e) throw e;
      }
    }
    existing.addressPrefixes = prefixes;
    existing.subnets = subnets;
    if (ctx.body.tags !== undefined) existing.tags = bodyTags(ctx);
    return done(ctx, 200, renderVnet(ctx, existing), existing.location);
  }
  const v: VirtualNetwork = { seq: ctx.engine.nextSeq(), name, resourceGroup: g.name, location: location(ctx, TYPES.vnets), tags: bodyTags(ctx), guid: randomUUID(), addressPrefixes: prefixes, subnets };
  ctx.sub.vnets.set(k, v);
  return done(ctx, 201, renderVnet(ctx, v), v.location);
}

export function getVnet(ctx: ArmCtx): ArmResponse {
  return { status: 200, body: renderVnet(ctx, find<VirtualNetwork>(ctx, 'vnets')) };
}

export function deleteVnet(ctx: ArmCtx): ArmResponse {
  const g = group(ctx);
  const k = key(ctx, 'vnets', g.name, param(ctx, 'name'));
  const v = ctx.sub.vnets.get(k);
  if (!v) return { status: 204 };
  for (const s of v.subnets) {
    const e = inUseSubnet(ctx, v, s);
    if (e) throw e;
  }
  ctx.sub.vnets.delete(k);
  return deleted(ctx, v.location);
}

function subnetOf(ctx: ArmCtx, v: VirtualNetwork): Subnet {
  const name = param(ctx, 'subnet');
  const s = v.subnets.find((x) => sameText(x.name, name));
  if (!s) throw resourceNotFound(`${TYPES.vnets}/${v.name}/subnets`, name, v.resourceGroup);
  return s;
}

export function putSubnet(ctx: ArmCtx): ArmResponse {
  group(ctx, true);
  const v = find<VirtualNetwork>(ctx, 'vnets');
  const name = param(ctx, 'subnet');
  const s = parseSubnet(ctx, v.name, v.addressPrefixes, ctx.body, name);
  const i = v.subnets.findIndex((x) => sameText(x.name, name));
  const next = i >= 0 ? v.subnets.map((x, j) => (j === i ? { ...s, name: x.name } : x)) : [...v.subnets, s];
  checkNoOverlap(v.name, next);
  v.subnets = next;
  return done(ctx, i >= 0 ? 200 : 201, renderSubnet(ctx, v, subnetOf(ctx, v)), v.location);
}

export function getSubnet(ctx: ArmCtx): ArmResponse {
  const v = find<VirtualNetwork>(ctx, 'vnets');
  return { status: 200, body: renderSubnet(ctx, v, subnetOf(ctx, v)) };
}

export function listSubnets(ctx: ArmCtx): ArmResponse {
  const v = find<VirtualNetwork>(ctx, 'vnets');
  return { status: 200, body: { value: v.subnets.map((s) => renderSubnet(ctx, v, s)) } };
}

export function deleteSubnet(ctx: ArmCtx): ArmResponse {
  const v = find<VirtualNetwork>(ctx, 'vnets');
  const name = param(ctx, 'subnet');
  const s = v.subnets.find((x) => sameText(x.name, name));
  if (!s) return { status: 204 };
  const e = inUseSubnet(ctx, v, s);
  if (e) throw e;
  v.subnets = v.subnets.filter((x) => x !== s);
  return deleted(ctx, v.location);
}

// ---- network security groups ------------------------------------------------------------------

const DEFAULT_RULES: SecurityRule[] = [
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
      destinationAddressPrefix: r.destinationAddressPrefix,
      access: r.access,
      priority: r.priority,
      direction: r.direction,
      sourcePortRanges: [],
      destinationPortRanges: r.destinationPortRanges ?? [],
      sourceAddressPrefixes: r.sourceAddressPrefixes ?? [],
      destinationAddressPrefixes: [],
    },
  };
}

function renderNsg(ctx: ArmCtx, n: NetworkSecurityGroup): unknown {
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
  return {
    name,
    protocol,
    ...(sourceAddressPrefixes ? { sourceAddressPrefixes } : {}),
    ...(destinationPortRanges ? { destinationPortRanges } : {}),
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
  const k = key(ctx, 'nsgs', g.name, name);
  const existing = ctx.sub.nsgs.get(k);
  if (existing) {
    existing.rules = rules;
    if (ctx.body.tags !== undefined) existing.tags = bodyTags(ctx);
    return done(ctx, 200, renderNsg(ctx, existing), existing.location);
  }
  const n: NetworkSecurityGroup = { seq: ctx.engine.nextSeq(), name, resourceGroup: g.name, location: location(ctx, TYPES.nsgs), tags: bodyTags(ctx), guid: randomUUID(), rules };
  ctx.sub.nsgs.set(k, n);
  return done(ctx, 201, renderNsg(ctx, n), n.location);
}

export function getNsg(ctx: ArmCtx): ArmResponse {
  return { status: 200, body: renderNsg(ctx, find<NetworkSecurityGroup>(ctx, 'nsgs')) };
}

export function deleteNsg(ctx: ArmCtx): ArmResponse {
  const g = group(ctx);
  const k = key(ctx, 'nsgs', g.name, param(ctx, 'name'));
  const n = ctx.sub.nsgs.get(k);
  if (!n) return { status: 204 };
  const id = idOf(ctx.sub.id, 'nsgs', n);
  const user =
    [...ctx.sub.vnets.values()].flatMap((v) => v.subnets.filter((s) => sameText(s.nsgId, id)).map((s) => `${idOf(ctx.sub.id, 'vnets', v)}/subnets/${s.name}`))[0] ??
    [...ctx.sub.nics.values()].filter((x) => sameText(x.nsgId, id)).map((x) => idOf(ctx.sub.id, 'nics', x))[0];
  if (user) {
    throw new ArmError(400, 'InUseNetworkSecurityGroupCannotBeDeleted', `Network security group ${id} cannot be deleted because it is in use by the following resources: ${user}. In order to delete the Network security group, remove the association with the resource(s).`);
  }
  ctx.sub.nsgs.delete(k);
  return deleted(ctx, n.location);
}

export function putRule(ctx: ArmCtx): ArmResponse {
  group(ctx, true);
  const n = find<NetworkSecurityGroup>(ctx, 'nsgs');
  const name = param(ctx, 'rule');
  const rule = parseRule(ctx.body, name);
  const i = n.rules.findIndex((r) => sameText(r.name, name));
  const next = i >= 0 ? n.rules.map((r, j) => (j === i ? rule : r)) : [...n.rules, rule];
  checkPriorities(n.name, next);
  n.rules = next;
  return done(ctx, i >= 0 ? 200 : 201, renderRule(idOf(ctx.sub.id, 'nsgs', n), rule, n.guid, 'securityRules'), n.location);
}

export function getRule(ctx: ArmCtx): ArmResponse {
  const n = find<NetworkSecurityGroup>(ctx, 'nsgs');
  const name = param(ctx, 'rule');
  const r = n.rules.find((x) => sameText(x.name, name));
  if (!r) throw resourceNotFound(`${TYPES.nsgs}/${n.name}/securityRules`, name, n.resourceGroup);
  return { status: 200, body: renderRule(idOf(ctx.sub.id, 'nsgs', n), r, n.guid, 'securityRules') };
}

export function listRules(ctx: ArmCtx): ArmResponse {
  const n = find<NetworkSecurityGroup>(ctx, 'nsgs');
  return { status: 200, body: { value: n.rules.map((r) => renderRule(idOf(ctx.sub.id, 'nsgs', n), r, n.guid, 'securityRules')) } };
}

export function deleteRule(ctx: ArmCtx): ArmResponse {
  const n = find<NetworkSecurityGroup>(ctx, 'nsgs');
  const name = param(ctx, 'rule');
  if (!n.rules.some((r) => sameText(r.name, name))) return { status: 204 };
  n.rules = n.rules.filter((r) => !sameText(r.name, name));
  return deleted(ctx, n.location);
}

// ---- public IP addresses -----------------------------------------------------------------------

/** The NIC ip configuration a public IP is attached to. */
function pipUser(ctx: ArmCtx, pipId: string): { nic: NetworkInterface; ipc: IpConfiguration } | undefined {
  for (const nic of ctx.sub.nics.values()) {
    const ipc = nic.ipConfigurations.find((c) => sameText(c.publicIpId, pipId));
    if (ipc) return { nic, ipc };
  }
  return undefined;
}

/** The address a VM actually serves SSH on wins (the lifecycle may have had to move it). */
function syncAddress(ctx: ArmCtx, pip: PublicIp, user: { nic: NetworkInterface } | undefined): void {
  const vm = user?.nic.vmId ? ctx.sub.vms.get(user.nic.vmId.toLowerCase()) : undefined;
  if (vm?.power.publicIp && vm.power.publicIp !== pip.ipAddress) {
    pip.ipAddress = vm.power.publicIp;
    ctx.engine.changed();
  }
}

export function renderPip(ctx: ArmCtx, p: PublicIp): unknown {
  const id = idOf(ctx.sub.id, 'pips', p);
  const user = pipUser(ctx, id);
  syncAddress(ctx, p, user);
  return {
    name: p.name,
    id,
    etag: etag(p.guid),
    location: p.location,
    ...(p.zones ? { zones: p.zones } : {}),
    tags: p.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: p.guid,
      ...(p.ipAddress ? { ipAddress: p.ipAddress } : {}),
      publicIPAddressVersion: 'IPv4',
      publicIPAllocationMethod: p.allocation,
      idleTimeoutInMinutes: 4,
      ipTags: [],
      ...(user ? { ipConfiguration: { id: `${idOf(ctx.sub.id, 'nics', user.nic)}/ipConfigurations/${user.ipc.name}` } } : {}),
    },
    sku: { name: p.sku, tier: 'Regional' },
    type: TYPES.pips,
  };
}

function checkZones(loc: string, zones: unknown): string[] | undefined {
  const list = arr(zones).map(String);
  if (!list.length) return undefined;
  const region = findAzureRegion(loc);
  for (const z of list) {
    if (!region?.zones.includes(z)) {
      throw new ArmError(400, 'InvalidAvailabilityZone', `The zone(s) '${z}' for resource is not supported. The supported zones for location '${loc}' are '${region?.zones.join(',') ?? ''}'`);
    }
  }
  return list;
}

export function putPip(ctx: ArmCtx): ArmResponse {
  const g = group(ctx, true);
  const name = param(ctx, 'name');
  checkName(name, TYPES.pips);
  const p = props(ctx);
  const skuName = str(obj(ctx.body.sku).name) ?? 'Standard';
  if (skuName !== 'Basic' && skuName !== 'Standard') throw new ArmError(400, 'InvalidPublicIpSku', `Public IP SKU ${skuName} is not valid.`);
  const allocation = str(p.publicIPAllocationMethod) ?? (skuName === 'Standard' ? 'Static' : 'Dynamic');
  if (allocation !== 'Static' && allocation !== 'Dynamic') throw new ArmError(400, 'InvalidRequestFormat', `Cannot parse the request: publicIPAllocationMethod '${allocation}'.`);
  if (skuName === 'Standard' && allocation !== 'Static') {
    throw new ArmError(400, 'StandardSkuPublicIPAddressesMustBeStatic', `Standard sku publicIp /subscriptions/${ctx.sub.id}/resourceGroups/${g.name}/providers/Microsoft.Network/publicIPAddresses/${name} must be static.`);
  }
  const k = key(ctx, 'pips', g.name, name);
  const existing = ctx.sub.pips.get(k);
  if (existing) {
    if (ctx.body.tags !== undefined) existing.tags = bodyTags(ctx);
    return done(ctx, 200, renderPip(ctx, existing), existing.location);
  }
  const loc = location(ctx, TYPES.pips);
  const zones = checkZones(loc, ctx.body.zones);
  const pip: PublicIp = {
    seq: ctx.engine.nextSeq(),
    name,
    resourceGroup: g.name,
    location: loc,
    tags: bodyTags(ctx),
    guid: randomUUID(),
    sku: skuName,
    allocation,
    // A static address is reserved at once; a dynamic one when its VM first starts.
    ...(allocation === 'Static' ? { ipAddress: ctx.engine.allocateIp() } : {}),
    ...(zones ? { zones } : {}),
  };
  ctx.sub.pips.set(k, pip);
  return done(ctx, 201, renderPip(ctx, pip), pip.location);
}

export function getPip(ctx: ArmCtx): ArmResponse {
  return { status: 200, body: renderPip(ctx, find<PublicIp>(ctx, 'pips')) };
}

export function deletePip(ctx: ArmCtx): ArmResponse {
  const g = group(ctx);
  const k = key(ctx, 'pips', g.name, param(ctx, 'name'));
  const pip = ctx.sub.pips.get(k);
  if (!pip) return { status: 204 };
  const id = idOf(ctx.sub.id, 'pips', pip);
  const user = pipUser(ctx, id);
  if (user) {
    throw new ArmError(400, 'PublicIPAddressCannotBeDeleted', `Public IP address ${id} can not be deleted since it is still allocated to resource ${idOf(ctx.sub.id, 'nics', user.nic)}/ipConfigurations/${user.ipc.name}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`);
  }
  ctx.sub.pips.delete(k);
  return deleted(ctx, pip.location);
}

// ---- network interfaces ------------------------------------------------------------------------

function macAddress(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase().match(/../g)?.join('-') ?? '00-0D-3A-00-00-00';
}

/** The next free private address of a subnet; Azure keeps the first four and the last one. */
function privateIp(ctx: ArmCtx, subnetId: string, prefix: string, subnetName: string): string {
  const c = parseCidr(prefix);
  if (!c) throw new ArmError(400, 'InvalidAddressPrefixFormat', `Address prefix ${prefix} is not formatted correctly.`);
  const used = new Set<number>();
  for (const nic of ctx.sub.nics.values()) {
    for (const ipc of nic.ipConfigurations) if (sameText(ipc.subnetId, subnetId)) used.add(ipToInt(ipc.privateIp) ?? -1);
  }
  for (let off = 4; off < size(c) - 1; off++) {
    const ip = c.base + off;
    if (containsIp(c, ip) && !used.has(ip)) return intToIp(ip);
  }
  throw new ArmError(400, 'SubnetIsFull', `Subnet ${subnetName} with address prefix ${prefix} does not have enough capacity for 1 IP addresses.`);
}

export function renderNic(ctx: ArmCtx, n: NetworkInterface): unknown {
  const id = idOf(ctx.sub.id, 'nics', n);
  return {
    name: n.name,
    id,
    etag: etag(n.guid),
    location: n.location,
    tags: n.tags,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: n.guid,
      ipConfigurations: n.ipConfigurations.map((c) => ({
        name: c.name,
        id: `${id}/ipConfigurations/${c.name}`,
        etag: etag(n.guid),
        type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
        properties: {
          provisioningState: 'Succeeded',
          privateIPAddress: c.privateIp,
          privateIPAllocationMethod: 'Dynamic',
          ...(c.publicIpId ? { publicIPAddress: { id: c.publicIpId } } : {}),
          subnet: { id: c.subnetId },
          primary: c.primary,
          privateIPAddressVersion: 'IPv4',
        },
      })),
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      ...(n.vmId ? { macAddress: n.macAddress, primary: true, virtualMachine: { id: n.vmId } } : {}),
      enableAcceleratedNetworking: false,
      enableIPForwarding: false,
      ...(n.nsgId ? { networkSecurityGroup: { id: n.nsgId } } : {}),
      nicType: 'Standard',
    },
    type: TYPES.nics,
  };
}

export function putNic(ctx: ArmCtx): ArmResponse {
  const g = group(ctx, true);
  const name = param(ctx, 'name');
  checkName(name, TYPES.nics);
  const p = props(ctx);
  const loc = location(ctx, TYPES.nics);
  const k = key(ctx, 'nics', g.name, name);
  const existing = ctx.sub.nics.get(k);
  const nicId = resourceId(ctx.sub.id, g.name, TYPES.nics, name);
  const raw = arr(p.ipConfigurations).map(obj);
  if (!raw.length) throw new ArmError(400, 'NetworkInterfaceMustHaveAtLeastOneIpConfiguration', `Network interface ${nicId} must have one or more IP configurations.`);
  const ipConfigurations = raw.map((r, i): IpConfiguration => {
    const cname = str(r.name) ?? `ipconfig${i + 1}`;
    const cp = obj(r.properties);
    const subnetRef = str(obj(cp.subnet).id) ?? '';
    const parsed = parseId(subnetRef);
    const vnet = parsed?.child ? ctx.sub.vnets.get(resourceId(ctx.sub.id, parsed.resourceGroup, TYPES.vnets, parsed.name).toLowerCase()) : undefined;
    const subnet = vnet?.subnets.find((s) => sameText(s.name, parsed?.child?.name));
    if (!vnet || !subnet) {
      throw new ArmError(400, 'InvalidResourceReference', `Resource ${subnetRef || '(none)'} referenced by resource ${nicId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
    }
    if (vnet.location !== loc) {
      throw new ArmError(400, 'InvalidResourceReference', `Resource ${subnetRef} referenced by resource ${nicId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
    }
    const subnetId = `${idOf(ctx.sub.id, 'vnets', vnet)}/subnets/${subnet.name}`;
    const pipRef = str(obj(cp.publicIPAddress).id);
    let publicIpId: string | undefined;
    if (pipRef) {
      const pip = byRef<PublicIp>(ctx, 'pips', pipRef, nicId);
      publicIpId = idOf(ctx.sub.id, 'pips', pip);
      const user = pipUser(ctx, publicIpId);
      if (user && !sameText(idOf(ctx.sub.id, 'nics', user.nic), nicId)) {
        throw new ArmError(400, 'PublicIPAddressInUse', `Resource ${publicIpId} is already in use by ${idOf(ctx.sub.id, 'nics', user.nic)}/ipConfigurations/${user.ipc.name}.`);
      }
      if (pip.location !== loc) throw new ArmError(400, 'InvalidResourceReference', `Resource ${pipRef} referenced by resource ${nicId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
    }
    const kept = existing?.ipConfigurations.find((c) => sameText(c.name, cname) && sameText(c.subnetId, subnetId));
    return {
      name: cname,
      subnetId,
      privateIp: kept?.privateIp ?? privateIp(ctx, subnetId, subnet.addressPrefix, subnet.name),
      ...(publicIpId ? { publicIpId } : {}),
      primary: typeof cp.primary === 'boolean' ? cp.primary : i === 0,
    };
  });
  const nsgRef = str(obj(p.networkSecurityGroup).id);
  const nsgId = nsgRef ? idOf(ctx.sub.id, 'nsgs', byRef<NetworkSecurityGroup>(ctx, 'nsgs', nsgRef, nicId)) : undefined;
  if (existing) {
    existing.ipConfigurations = ipConfigurations;
    if (nsgId) existing.nsgId = nsgId;
    else delete existing.nsgId;
    if (ctx.body.tags !== undefined) existing.tags = bodyTags(ctx);
    return done(ctx, 200, renderNic(ctx, existing), existing.location);
  }
  const nic: NetworkInterface = {
    seq: ctx.engine.nextSeq(),
    name,
    resourceGroup: g.name,
    location: loc,
    tags: bodyTags(ctx),
    guid: randomUUID(),
    ipConfigurations,
    macAddress: macAddress(),
    ...(nsgId ? { nsgId } : {}),
  };
  ctx.sub.nics.set(k, nic);
  return done(ctx, 201, renderNic(ctx, nic), nic.location);
}

export function getNic(ctx: ArmCtx): ArmResponse {
  return { status: 200, body: renderNic(ctx, find<NetworkInterface>(ctx, 'nics')) };
}

export function deleteNic(ctx: ArmCtx): ArmResponse {
  const g = group(ctx);
  const k = key(ctx, 'nics', g.name, param(ctx, 'name'));
  const nic = ctx.sub.nics.get(k);
  if (!nic) return { status: 204 };
  if (nic.vmId) {
    throw new ArmError(400, 'NicInUse', `Network Interface ${idOf(ctx.sub.id, 'nics', nic)} is used by existing resource ${nic.vmId}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`);
  }
  ctx.sub.nics.delete(k);
  return deleted(ctx, nic.location);
}

// ---- listings ------------------------------------------------------------------------------------

const RENDER: Record<NetMap, (ctx: ArmCtx, r: never) => unknown> = {
  vnets: renderVnet,
  nsgs: renderNsg,
  pips: renderPip,
  nics: renderNic,
};

/** `…/{type}` in a group, or subscription-wide when the route has no group. */
export function lister(map: NetMap) {
  return (ctx: ArmCtx): ArmResponse => {
    const rg = ctx.p.rg ? group(ctx).name.toLowerCase() : undefined;
    const items = [...(ctx.sub[map] as Map<string, { seq: number; resourceGroup: string }>).values()].filter((r) => rg === undefined || r.resourceGroup.toLowerCase() === rg);
    return page(ctx, items, (r) => RENDER[map](ctx, r as never));
  };
}
