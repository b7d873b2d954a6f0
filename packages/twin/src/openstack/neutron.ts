/**
 * Neutron v2.0, layer 2: networks, subnets and ports, the tag API every Neutron resource shares,
 * and the route table that joins these with routers, floating IPs (./neutron-l3.ts) and security
 * groups (./neutron-security.ts). Deletes refuse what Neutron refuses: a network or subnet with
 * ports in use (409 NetworkInUse / SubnetInUse).
 */
import { overlaps, parseCidr, intToIp } from '../ec2/cidr.js';
import { member, optString, route, type OsCtx, type OsResponse, type OsRoute } from './context.js';
import { badRequest, OsError } from './errors.js';
import { findOpenStackRegion } from './catalog.js';
import { common, get, list, tagsOf, upAndNamed } from './neutron-common.js';
import type { Network, Port, RegionData, Subnet } from './model.js';
import { L3_ROUTES } from './neutron-l3.js';
import { SECURITY_ROUTES } from './neutron-security.js';

const N = 'network';

export function networkView(ctx: OsCtx, n: Network): Record<string, unknown> {
  return {
    ...upAndNamed(ctx, n),
    mtu: n.mtu,
    shared: false,
    subnets: [...ctx.region.subnets.values()].filter((s) => s.network_id === n.id).map((s) => s.id),
    'router:external': n.external,
    is_default: n.external,
    port_security_enabled: true,
    availability_zone_hints: [],
    availability_zones: ['nova'],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
  };
}

export function subnetView(ctx: OsCtx, s: Subnet): Record<string, unknown> {
  const c = parseCidr(s.cidr)!;
  return {
    ...common(ctx, s),
    name: s.name,
    description: s.description,
    network_id: s.network_id,
    ip_version: 4,
    cidr: s.cidr,
    gateway_ip: s.gateway_ip,
    enable_dhcp: true,
    allocation_pools: [{ start: intToIp(c.base + 2), end: intToIp(c.base + 2 ** (32 - c.prefix) - 2) }],
    host_routes: [],
    dns_nameservers: [],
    service_types: [],
    subnetpool_id: null,
    ipv6_ra_mode: null,
    ipv6_address_mode: null,
  };
}

export function portView(ctx: OsCtx, p: Port): Record<string, unknown> {
  return {
    ...common(ctx, p),
    name: p.name,
    description: '',
    network_id: p.network_id,
    mac_address: p.mac_address,
    admin_state_up: true,
    status: p.device_id ? 'ACTIVE' : 'DOWN',
    device_id: p.device_id,
    device_owner: p.device_owner,
    fixed_ips: p.fixed_ips,
    security_groups: p.security_groups,
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    port_security_enabled: true,
    'binding:vnic_type': 'normal',
  };
}

function createNetwork(ctx: OsCtx): OsResponse {
  const b = member(N, ctx.body, 'network');
  if (b['router:external'] === true) throw new OsError(N, 403, '(rule:create_network and rule:create_network:router:external) is disallowed by policy', 'PolicyNotAuthorized');
  const n: Network = { ...ctx.engine.stamp(), name: optString(N, b, 'name') ?? '', description: optString(N, b, 'description') ?? '', external: false, mtu: 1450, tags: tagsOf(b) };
  ctx.region.networks.set(n.id, n);
  ctx.engine.changed();
  return { status: 201, body: { network: networkView(ctx, n) } };
}

function portsOn(r: RegionData, pred: (p: Port) => boolean): Port[] {
  return [...r.ports.values()].filter(pred);
}

function deleteNetwork(ctx: OsCtx): OsResponse {
  const n = get<Network>(ctx, 'networks', 'Network', 'NetworkNotFound');
  if (n.external) throw new OsError(N, 403, '(rule:delete_network) is disallowed by policy', 'PolicyNotAuthorized');
  if (portsOn(ctx.region, (p) => p.network_id === n.id).length > 0) {
    throw new OsError(N, 409, `Unable to complete operation on network ${n.id}. There are one or more ports still in use on the network.`, 'NetworkInUse');
  }
  for (const [id, s] of ctx.region.subnets) if (s.network_id === n.id) ctx.region.subnets.delete(id);
  ctx.region.networks.delete(n.id);
  ctx.engine.changed();
  return { status: 204 };
}

function createSubnet(ctx: OsCtx): OsResponse {
  const b = member(N, ctx.body, 'subnet');
  const netId = optString(N, b, 'network_id') ?? '';
  const net = get<Network>(ctx, 'networks', 'Network', 'NetworkNotFound', netId);
  if (b.ip_version !== undefined && b.ip_version !== 4) throw badRequest(N, 'Invalid input for operation: the twin serves IPv4 subnets only (ip_version 4).');
  const cidr = parseCidr(optString(N, b, 'cidr') ?? '');
  if (!cidr || cidr.prefix > 29 || cidr.prefix < 8) throw badRequest(N, `Invalid input for cidr. Reason: '${String(b.cidr)}' is not a valid IP subnet (a.b.c.d/8 to /29 with no host bits set).`);
  for (const s of ctx.region.subnets.values()) {
    if (s.network_id === net.id && overlaps(parseCidr(s.cidr)!, cidr)) {
      throw badRequest(N, `Invalid input for operation: Requested subnet with cidr: ${String(b.cidr)} for network: ${net.id} overlaps with another subnet.`, 'InvalidInput');
    }
  }
  const s: Subnet = { ...ctx.engine.stamp(), name: optString(N, b, 'name') ?? '', description: optString(N, b, 'description') ?? '', network_id: net.id, cidr: String(b.cidr), gateway_ip: intToIp(cidr.base + 1), used: 0, tags: tagsOf(b) };
  ctx.region.subnets.set(s.id, s);
  ctx.engine.changed();
  return { status: 201, body: { subnet: subnetView(ctx, s) } };
}

function deleteSubnet(ctx: OsCtx): OsResponse {
  const s = get<Subnet>(ctx, 'subnets', 'Subnet', 'SubnetNotFound');
  if (portsOn(ctx.region, (p) => p.fixed_ips.some((f) => f.subnet_id === s.id)).length > 0) {
    throw new OsError(N, 409, `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`, 'SubnetInUse');
  }
  ctx.region.subnets.delete(s.id);
  ctx.engine.changed();
  return { status: 204 };
}

function createPort(ctx: OsCtx): OsResponse {
  const b = member(N, ctx.body, 'port');
  const net = get<Network>(ctx, 'networks', 'Network', 'NetworkNotFound', optString(N, b, 'network_id') ?? '');
  const groups = Array.isArray(b.security_groups) ? (b.security_groups as string[]) : undefined;
  for (const g of groups ?? []) get(ctx, 'securityGroups', 'Security group', 'SecurityGroupNotFound', g);
  const p = ctx.engine.newPort(ctx.region, net, { name: optString(N, b, 'name') ?? '', ...(groups ? { security_groups: groups } : {}) });
  p.tags = tagsOf(b);
  ctx.engine.changed();
  return { status: 201, body: { port: portView(ctx, p) } };
}

function updatePort(ctx: OsCtx): OsResponse {
  const p = get<Port>(ctx, 'ports', 'Port', 'PortNotFound');
  const b = member(N, ctx.body, 'port');
  if (Array.isArray(b.security_groups)) {
    for (const g of b.security_groups as string[]) get(ctx, 'securityGroups', 'Security group', 'SecurityGroupNotFound', g);
    p.security_groups = b.security_groups as string[];
  }
  if (typeof b.name === 'string') p.name = b.name;
  p.updated_at = ctx.engine.iso();
  ctx.engine.changed();
  return { status: 200, body: { port: portView(ctx, p) } };
}

function deletePort(ctx: OsCtx): OsResponse {
  const p = get<Port>(ctx, 'ports', 'Port', 'PortNotFound');
  if (p.device_owner.startsWith('network:')) {
    throw new OsError(N, 409, `Port ${p.id} cannot be deleted directly via the port API: has device owner ${p.device_owner}.`, 'ServicePortInUse');
  }
  ctx.region.ports.delete(p.id);
  for (const f of ctx.region.floatingIps.values()) {
    if (f.port_id === p.id) Object.assign(f, { port_id: null, fixed_ip_address: null, router_id: null });
  }
  if (p.device_id) ctx.engine.addressChanged(ctx.region, p.device_id);
  ctx.engine.changed();
  return { status: 204 };
}

/** Neutron's tag API, the same on every taggable resource. */
const TAGGABLE: Record<string, [keyof RegionData, string, string]> = {
  networks: ['networks', 'Network', 'NetworkNotFound'],
  subnets: ['subnets', 'Subnet', 'SubnetNotFound'],
  ports: ['ports', 'Port', 'PortNotFound'],
  routers: ['routers', 'Router', 'RouterNotFound'],
  'security-groups': ['securityGroups', 'Security group', 'SecurityGroupNotFound'],
  floatingips: ['floatingIps', 'Floating IP', 'FloatingIPNotFound'],
};

function tagTarget(ctx: OsCtx): { tags: string[]; updated_at: string } {
  const [map, what, type] = TAGGABLE[ctx.p.resource ?? ''] ?? [];
  if (!map) throw new OsError(N, 404, `The resource could not be found.`, 'HTTPNotFound');
  return get(ctx, map, what!, type!);
}

const TAG_ROUTES: OsRoute[] = [
  route('GET', '{resource}/{id}/tags', 'tags.list', 'get_tags', (ctx) => ({ status: 200, body: { tags: tagTarget(ctx).tags } })),
  route('PUT', '{resource}/{id}/tags', 'tags.replace', 'update_tags', (ctx) => {
    const x = tagTarget(ctx);
    x.tags = tagsOf(ctx.body);
    x.updated_at = ctx.engine.iso();
    ctx.engine.changed();
    return { status: 200, body: { tags: x.tags } };
  }),
  route('PUT', '{resource}/{id}/tags/{tag}', 'tags.add', 'update_tags', (ctx) => {
    const x = tagTarget(ctx);
    if (!x.tags.includes(ctx.p.tag ?? '')) x.tags.push(ctx.p.tag ?? '');
    ctx.engine.changed();
    return { status: 201 };
  }),
  route('DELETE', '{resource}/{id}/tags/{tag}', 'tags.delete', 'delete_tags', (ctx) => {
    const x = tagTarget(ctx);
    if (!x.tags.includes(ctx.p.tag ?? '')) throw new OsError(N, 404, `Tag ${ctx.p.tag} could not be found.`, 'TagNotFound');
    x.tags = x.tags.filter((t) => t !== ctx.p.tag);
    ctx.engine.changed();
    return { status: 204 };
  }),
];

/** The extensions the twin speaks, alias and name as Neutron reports them (clients look them up by either). */
const EXTENSIONS: ReadonlyArray<readonly [string, string]> = [
  ['external-net', 'Neutron external network'],
  ['router', 'Neutron L3 Router'],
  ['security-group', 'security-group'],
  ['standard-attr-tag', 'Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip'],
  ['tag-creation', 'Tag support for resources during creation'],
  ['port-security', 'Port Security'],
  ['availability_zone', 'Availability Zone'],
  ['ext-gw-mode', 'Neutron L3 Configurable external gateway mode'],
];

const extensionView = ([alias, name]: readonly [string, string]) => ({ alias, name, description: '', links: [], updated: '2024-01-01T00:00:00-00:00' });

export const NEUTRON_ROUTES: OsRoute[] = [
  route('GET', 'networks', 'networks.list', 'get_network', (ctx) => list('networks', ctx.region.networks.values(), (n) => networkView(ctx, n))(ctx)),
  route('POST', 'networks', 'networks.create', 'create_network', createNetwork),
  route('GET', 'networks/{id}', 'networks.get', 'get_network', (ctx) => ({ status: 200, body: { network: networkView(ctx, get(ctx, 'networks', 'Network', 'NetworkNotFound')) } })),
  route('DELETE', 'networks/{id}', 'networks.delete', 'delete_network', deleteNetwork),
  route('GET', 'subnets', 'subnets.list', 'get_subnet', (ctx) => list('subnets', ctx.region.subnets.values(), (s) => subnetView(ctx, s))(ctx)),
  route('POST', 'subnets', 'subnets.create', 'create_subnet', createSubnet),
  route('GET', 'subnets/{id}', 'subnets.get', 'get_subnet', (ctx) => ({ status: 200, body: { subnet: subnetView(ctx, get(ctx, 'subnets', 'Subnet', 'SubnetNotFound')) } })),
  route('DELETE', 'subnets/{id}', 'subnets.delete', 'delete_subnet', deleteSubnet),
  route('GET', 'ports', 'ports.list', 'get_port', (ctx) => list('ports', ctx.region.ports.values(), (p) => portView(ctx, p))(ctx)),
  route('POST', 'ports', 'ports.create', 'create_port', createPort),
  route('GET', 'ports/{id}', 'ports.get', 'get_port', (ctx) => ({ status: 200, body: { port: portView(ctx, get(ctx, 'ports', 'Port', 'PortNotFound')) } })),
  route('PUT', 'ports/{id}', 'ports.update', 'update_port', updatePort),
  route('DELETE', 'ports/{id}', 'ports.delete', 'delete_port', deletePort),
  ...L3_ROUTES,
  ...SECURITY_ROUTES,
  ...TAG_ROUTES,
  // The `availability_zone` extension: networks and routers are placed in the region's zones.
  route('GET', 'availability_zones', 'availabilityZones.list', 'get_availability_zone', (ctx) => ({
    status: 200,
    body: { availability_zones: (findOpenStackRegion(ctx.region.name)?.zones ?? ['nova']).flatMap((name) => ['network', 'router'].map((resource) => ({ name, resource, state: 'available' }))) },
  })),
  route('GET', 'extensions', 'extensions.list', 'get_extension', () => ({ status: 200, body: { extensions: EXTENSIONS.map(extensionView) } })),
  route('GET', 'extensions/{id}', 'extensions.get', 'get_extension', (ctx) => {
    const e = EXTENSIONS.find(([alias]) => alias === ctx.p.id);
    if (!e) throw new OsError(N, 404, `Extension with alias ${ctx.p.id ?? ''} does not exist`, 'HTTPNotFound');
    return { status: 200, body: { extension: extensionView(e) } };
  }),
];
