/**
 * Neutron layer 3: routers (external gateway, interfaces on tenant subnets) and floating IPs from
 * the external network. A floating IP can be associated with a port only when a router joins the
 * port's subnet to that external network (Neutron's ExternalGatewayForFloatingIPNotFound
 * otherwise); once associated with a server's port, the server answers SSH there.
 */
import { member, optString, route, type OsCtx, type OsResponse, type OsRoute } from './context.js';
import { badRequest, OsError } from './errors.js';
import type { FloatingIp, Network, Port, Router, Subnet } from './model.js';
import { common, get, list, upAndNamed } from './neutron-common.js';

const N = 'network';

function routerView(ctx: OsCtx, r: Router): Record<string, unknown> {
  return {
    ...upAndNamed(ctx, r),
    external_gateway_info: r.gateway
      ? { network_id: r.gateway.network_id, enable_snat: true, external_fixed_ips: [{ subnet_id: r.gateway.subnet_id, ip_address: r.gateway.ip_address }] }
      : null,
    routes: [],
    availability_zone_hints: [],
    availability_zones: ['nova'],
    flavor_id: null,
  };
}

function floatingView(ctx: OsCtx, f: FloatingIp): Record<string, unknown> {
  return {
    ...common(ctx, f),
    floating_ip_address: f.floating_ip_address,
    floating_network_id: f.floating_network_id,
    router_id: f.router_id,
    port_id: f.port_id,
    fixed_ip_address: f.fixed_ip_address,
    status: f.port_id ? 'ACTIVE' : 'DOWN',
    description: f.description,
    dns_domain: '',
    dns_name: '',
    qos_policy_id: null,
    port_forwardings: [],
  };
}

/** Sets (or with `{}`/null clears) a router's gateway from an `external_gateway_info`. */
function setGateway(ctx: OsCtx, r: Router, info: unknown): void {
  if (info === undefined) return;
  if (info === null || typeof info !== 'object' || Object.keys(info).length === 0) {
    delete r.gateway;
    return;
  }
  const given = (info as { network_id?: unknown }).network_id;
  const netId = typeof given === 'string' ? given : '';
  const net = get<Network>(ctx, 'networks', 'Network', 'NetworkNotFound', netId);
  if (!net.external) throw badRequest(N, `Bad router request: Network ${netId} is not an external network.`, 'BadRequest');
  const subnet = [...ctx.region.subnets.values()].find((s) => s.network_id === net.id)!;
  r.gateway = { network_id: net.id, subnet_id: subnet.id, ip_address: r.gateway?.network_id === net.id ? r.gateway.ip_address : ctx.engine.allocatePublicIp() };
}

function createRouter(ctx: OsCtx): OsResponse {
  const b = member(N, ctx.body, 'router');
  const r: Router = { ...ctx.engine.stamp(), name: optString(N, b, 'name') ?? '', description: optString(N, b, 'description') ?? '', tags: [] };
  setGateway(ctx, r, b.external_gateway_info);
  ctx.region.routers.set(r.id, r);
  ctx.engine.changed();
  return { status: 201, body: { router: routerView(ctx, r) } };
}

function updateRouter(ctx: OsCtx): OsResponse {
  const r = get<Router>(ctx, 'routers', 'Router', 'RouterNotFound');
  const b = member(N, ctx.body, 'router');
  if (b.external_gateway_info !== undefined && (b.external_gateway_info === null || Object.keys(b.external_gateway_info).length === 0)) {
    const used = [...ctx.region.floatingIps.values()].find((f) => f.router_id === r.id);
    if (used) throw new OsError(N, 409, `Gateway cannot be updated for router ${r.id}, since a gateway to external network ${r.gateway?.network_id} is required by one or more floating IPs.`, 'RouterExternalGatewayInUseByFloatingIp');
  }
  setGateway(ctx, r, b.external_gateway_info);
  if (typeof b.name === 'string') r.name = b.name;
  r.updated_at = ctx.engine.iso();
  ctx.engine.changed();
  return { status: 200, body: { router: routerView(ctx, r) } };
}

function interfacePorts(ctx: OsCtx, routerId: string): Port[] {
  return [...ctx.region.ports.values()].filter((p) => p.device_id === routerId && p.device_owner === 'network:router_interface');
}

function addInterface(ctx: OsCtx): OsResponse {
  const r = get<Router>(ctx, 'routers', 'Router', 'RouterNotFound');
  const subnetId = optString(N, ctx.body, 'subnet_id');
  if (!subnetId) throw badRequest(N, 'Bad router request: Either subnet_id or port_id must be specified.', 'BadRequest');
  const s = get<Subnet>(ctx, 'subnets', 'Subnet', 'SubnetNotFound', subnetId);
  if (interfacePorts(ctx, r.id).some((p) => p.fixed_ips.some((f) => f.subnet_id === s.id))) {
    throw badRequest(N, `Bad router request: Router already has a port on subnet ${s.id}.`, 'BadRequest');
  }
  const net = get<Network>(ctx, 'networks', 'Network', 'NetworkNotFound', s.network_id);
  const p = ctx.engine.newPort(ctx.region, net, { device_id: r.id, device_owner: 'network:router_interface', ip: { subnet: s, address: s.gateway_ip } });
  ctx.engine.changed();
  return { status: 200, body: { id: r.id, tenant_id: ctx.projectId, port_id: p.id, network_id: net.id, subnet_id: s.id, subnet_ids: [s.id] } };
}

function removeInterface(ctx: OsCtx): OsResponse {
  const r = get<Router>(ctx, 'routers', 'Router', 'RouterNotFound');
  const subnetId = optString(N, ctx.body, 'subnet_id');
  const portId = optString(N, ctx.body, 'port_id');
  const p = interfacePorts(ctx, r.id).find((x) => x.id === portId || x.fixed_ips.some((f) => f.subnet_id === subnetId));
  if (!p) throw new OsError(N, 404, `Router ${r.id} has no interface on subnet ${subnetId ?? portId}`, 'RouterInterfaceNotFoundForSubnet');
  const sid = p.fixed_ips[0]?.subnet_id ?? '';
  if ([...ctx.region.floatingIps.values()].some((f) => f.router_id === r.id && f.port_id && ctx.region.ports.get(f.port_id)?.fixed_ips.some((x) => x.subnet_id === sid))) {
    throw new OsError(N, 409, `Router interface for subnet ${sid} on router ${r.id} cannot be deleted, as it is required by one or more floating IPs.`, 'RouterInterfaceInUseByFloatingIP');
  }
  ctx.region.ports.delete(p.id);
  ctx.engine.changed();
  return { status: 200, body: { id: r.id, tenant_id: ctx.projectId, port_id: p.id, network_id: p.network_id, subnet_id: sid, subnet_ids: [sid] } };
}

function deleteRouter(ctx: OsCtx): OsResponse {
  const r = get<Router>(ctx, 'routers', 'Router', 'RouterNotFound');
  if (interfacePorts(ctx, r.id).length > 0) throw new OsError(N, 409, `Router ${r.id} still has ports`, 'RouterInUse');
  ctx.region.routers.delete(r.id);
  ctx.engine.changed();
  return { status: 204 };
}

/** The router through which `port` reaches external network `netId`, or a 404 as Neutron answers. */
function routerFor(ctx: OsCtx, port: Port, netId: string): string {
  const subnets = new Set(port.fixed_ips.map((f) => f.subnet_id));
  const r = [...ctx.region.routers.values()].find((x) => x.gateway?.network_id === netId && interfacePorts(ctx, x.id).some((p) => p.fixed_ips.some((f) => subnets.has(f.subnet_id))));
  if (!r) {
    throw new OsError(
      N,
      404,
      `External network ${netId} is not reachable from subnet ${[...subnets][0] ?? ''}.  Therefore, cannot associate Port ${port.id} with a Floating IP.`,
      'ExternalGatewayForFloatingIPNotFound',
    );
  }
  return r.id;
}

/** Associates `f` with a port (or disassociates it with null), moving the server's SSH along. */
function associate(ctx: OsCtx, f: FloatingIp, portId: string | null): void {
  const before = f.port_id ? ctx.region.ports.get(f.port_id)?.device_id : undefined;
  if (portId === null) {
    Object.assign(f, { port_id: null, fixed_ip_address: null, router_id: null });
  } else {
    const port = get<Port>(ctx, 'ports', 'Port', 'PortNotFound', portId);
    const other = [...ctx.region.floatingIps.values()].find((x) => x.port_id === port.id && x.id !== f.id);
    if (other) {
      throw new OsError(N, 409, `Cannot associate floating IP ${f.floating_ip_address} (${f.id}) with port ${port.id} using fixed IP ${port.fixed_ips[0]?.ip_address}, as that fixed IP already has a floating IP on external network ${f.floating_network_id}.`, 'FloatingIPPortAlreadyAssociated');
    }
    const routerId = routerFor(ctx, port, f.floating_network_id);
    Object.assign(f, { port_id: port.id, fixed_ip_address: port.fixed_ips[0]?.ip_address ?? null, router_id: routerId });
  }
  f.updated_at = ctx.engine.iso();
  if (before) ctx.engine.addressChanged(ctx.region, before);
  const after = f.port_id ? ctx.region.ports.get(f.port_id)?.device_id : undefined;
  if (after && after !== before) ctx.engine.addressChanged(ctx.region, after);
}

function createFloatingIp(ctx: OsCtx): OsResponse {
  const b = member(N, ctx.body, 'floatingip');
  const netId = optString(N, b, 'floating_network_id') ?? '';
  const net = get<Network>(ctx, 'networks', 'Network', 'NetworkNotFound', netId);
  if (!net.external) throw badRequest(N, `Bad floatingip request: Network ${netId} is not a valid external network.`, 'BadRequest');
  const portId = optString(N, b, 'port_id');
  if (portId) {
    // Checked before an address is taken: a refused association allocates nothing.
    const port = get<Port>(ctx, 'ports', 'Port', 'PortNotFound', portId);
    routerFor(ctx, port, net.id);
  }
  const f: FloatingIp = { ...ctx.engine.stamp(), floating_ip_address: ctx.engine.allocatePublicIp(), floating_network_id: net.id, port_id: null, fixed_ip_address: null, router_id: null, description: optString(N, b, 'description') ?? '', tags: [] };
  ctx.region.floatingIps.set(f.id, f);
  if (portId) associate(ctx, f, portId);
  ctx.engine.changed();
  return { status: 201, body: { floatingip: floatingView(ctx, f) } };
}

function updateFloatingIp(ctx: OsCtx): OsResponse {
  const f = get<FloatingIp>(ctx, 'floatingIps', 'Floating IP', 'FloatingIPNotFound');
  const b = member(N, ctx.body, 'floatingip');
  if ('port_id' in b) associate(ctx, f, (b.port_id as string | null) ?? null);
  if (typeof b.description === 'string') f.description = b.description;
  ctx.engine.changed();
  return { status: 200, body: { floatingip: floatingView(ctx, f) } };
}

function deleteFloatingIp(ctx: OsCtx): OsResponse {
  const f = get<FloatingIp>(ctx, 'floatingIps', 'Floating IP', 'FloatingIPNotFound');
  associate(ctx, f, null);
  ctx.region.floatingIps.delete(f.id);
  ctx.engine.changed();
  return { status: 204 };
}

export const L3_ROUTES: OsRoute[] = [
  route('GET', 'routers', 'routers.list', 'get_router', (ctx) => list('routers', ctx.region.routers.values(), (r) => routerView(ctx, r))(ctx)),
  route('POST', 'routers', 'routers.create', 'create_router', createRouter),
  route('GET', 'routers/{id}', 'routers.get', 'get_router', (ctx) => ({ status: 200, body: { router: routerView(ctx, get(ctx, 'routers', 'Router', 'RouterNotFound')) } })),
  route('PUT', 'routers/{id}', 'routers.update', 'update_router', updateRouter),
  route('DELETE', 'routers/{id}', 'routers.delete', 'delete_router', deleteRouter),
  route('PUT', 'routers/{id}/add_router_interface', 'routers.addInterface', 'add_router_interface', addInterface),
  route('PUT', 'routers/{id}/remove_router_interface', 'routers.removeInterface', 'remove_router_interface', removeInterface),
  route('GET', 'floatingips', 'floatingIps.list', 'get_floatingip', (ctx) => list('floatingips', ctx.region.floatingIps.values(), (f) => floatingView(ctx, f))(ctx)),
  route('POST', 'floatingips', 'floatingIps.create', 'create_floatingip', createFloatingIp),
  route('GET', 'floatingips/{id}', 'floatingIps.get', 'get_floatingip', (ctx) => ({ status: 200, body: { floatingip: floatingView(ctx, get(ctx, 'floatingIps', 'Floating IP', 'FloatingIPNotFound')) } })),
  route('PUT', 'floatingips/{id}', 'floatingIps.update', 'update_floatingip', updateFloatingIp),
  route('DELETE', 'floatingips/{id}', 'floatingIps.delete', 'delete_floatingip', deleteFloatingIp),
];
