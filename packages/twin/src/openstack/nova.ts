/**
 * Nova (compute v2.1): flavors, availability zones, limits, key pairs, servers (create with
 * key_name, security_groups, networks, user_data, metadata, tags; list with Nova's filters;
 * delete) and the server actions os-stop, os-start and reboot, each refused with Nova's 409
 * when the server's state does not allow it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { FLAVORS, findFlavor, findOpenStackRegion, loginUserOf } from './catalog.js';
import { atLeast, member, optString, route, type OsCtx, type OsResponse, type OsRoute } from './context.js';
import { badRequest, notFound, OsError } from './errors.js';
import type { KeyPair, Port, Server } from './model.js';
import { bootSource } from './boot-volume.js';
import { links, novaState, serverView } from './server-view.js';
import { newBacking } from '../vm/backing.js';

const C = 'compute';

const MAX_VERSION = '2.96';

export const NOVA_VERSION = { min: [2, 1] as [number, number], max: MAX_VERSION.split('.').map(Number) as [number, number], maxText: MAX_VERSION };

export function novaVersionDoc(base: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: MAX_VERSION,
    min_version: '2.1',
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${base}/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}

function flavorView(ctx: OsCtx, f: (typeof FLAVORS)[number], detail: boolean): Record<string, unknown> {
  const brief = { id: f.id, name: f.name, links: links(ctx.base, 'flavors', f.id), ...(atLeast(ctx, '2.55') ? { description: null } : {}) };
  if (!detail) return brief;
  return {
    ...brief,
    ram: f.ram,
    disk: f.disk,
    vcpus: f.vcpus,
    swap: atLeast(ctx, '2.75') ? 0 : '',
    'OS-FLV-EXT-DATA:ephemeral': 0,
    'OS-FLV-DISABLED:disabled': false,
    'os-flavor-access:is_public': true,
    rxtx_factor: 1.0,
    ...(atLeast(ctx, '2.61') ? { extra_specs: f.extra_specs } : {}),
  };
}

function flavorOr404(id: string) {
  const f = findFlavor(id);
  if (!f) throw notFound(C, 'Flavor', id);
  return f;
}

function server(ctx: OsCtx): Server {
  const s = ctx.region.servers.get(ctx.p.id ?? '');
  if (!s || (s.deleting && s.vm.state === 'terminated')) throw new OsError(C, 404, `Instance ${ctx.p.id} could not be found.`);
  return s;
}

/** Nova's server list filters (the ones a client of this twin uses), then limit/marker paging. */
function listServers(ctx: OsCtx, detail: boolean): OsResponse {
  ctx.engine.settle();
  const q = ctx.query;
  const split = (k: string) => (q.get(k) ?? '').split(',').filter(Boolean);
  let items = [...ctx.region.servers.values()].filter((s) => !(s.deleting && s.vm.state === 'terminated')).sort((a, b) => b.seq - a.seq);
  const now = ctx.engine.now();
  const name = q.get('name');
  if (name) {
    const re = new RegExp(name);
    items = items.filter((s) => re.test(s.name));
  }
  const status = q.get('status');
  if (status) items = items.filter((s) => novaState(s, now).status === status.toUpperCase());
  const [all, any, not, notAny] = [split('tags'), split('tags-any'), split('not-tags'), split('not-tags-any')];
  items = items.filter((s) => all.every((t) => s.tags.includes(t)) && (!any.length || any.some((t) => s.tags.includes(t))) && !(not.length && not.every((t) => s.tags.includes(t))) && !notAny.some((t) => s.tags.includes(t)));
  const az = q.get('availability_zone');
  if (az) items = items.filter((s) => s.availability_zone === az);
  const marker = q.get('marker');
  if (marker) {
    const at = items.findIndex((s) => s.id === marker);
    if (at < 0) throw badRequest(C, `marker [${marker}] not found`);
    items = items.slice(at + 1);
  }
  const limit = Number(q.get('limit') ?? 1000);
  const page = items.slice(0, limit);
  const more = items.length > page.length;
  const servers = page.map((s) => (detail ? serverView(ctx, s) : { id: s.id, name: s.name, links: links(ctx.base, 'servers', s.id) }));
  const next = more ? [{ rel: 'next', href: `${ctx.base}/servers${detail ? '/detail' : ''}?limit=${limit}&marker=${page[page.length - 1]!.id}` }] : undefined;
  return { status: 200, body: { servers, ...(next ? { servers_links: next } : {}) } };
}

const TAG_RULE = /^[^,/]{1,60}$/;

function stringMap(o: unknown, field: string): Record<string, string> {
  if (o === undefined || o === null) return {};
  if (typeof o !== 'object' || Array.isArray(o)) throw badRequest(C, `Invalid input for field/attribute ${field}. Value: ${JSON.stringify(o)}. ${JSON.stringify(o)} is not of type 'object'`);
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'string' || k.length < 1 || k.length > 255 || v.length > 255) {
      throw badRequest(C, `Invalid input for field/attribute ${field}. Value: ${JSON.stringify(o)}. Metadata keys and values must be strings of at most 255 characters.`);
    }
  }
  return o as Record<string, string>;
}

/** The ports a new server's `networks` ask for (Nova creates them on the named networks). */
function portsFor(ctx: OsCtx, networks: unknown, serverId: string, groups: string[]): Port[] {
  const r = ctx.region;
  const tenantNets = [...r.networks.values()].filter((n) => !n.external);
  let wanted: { uuid?: string; port?: string }[];
  if (networks === 'none') return [];
  if (networks === undefined || networks === 'auto') {
    if (networks === undefined && atLeast(ctx, '2.37')) throw badRequest(C, "Invalid input for field/attribute server. Value: {...}. 'networks' is a required property");
    if (tenantNets.length > 1) throw new OsError(C, 409, 'Multiple possible networks found, use a Network ID to be more specific.');
    if (tenantNets.length === 0) throw badRequest(C, 'Unable to automatically allocate a network for project: there is no network to boot on.');
    wanted = [{ uuid: tenantNets[0]!.id }];
  } else if (Array.isArray(networks)) {
    wanted = networks as { uuid?: string; port?: string }[];
  } else {
    throw badRequest(C, `Invalid input for field/attribute networks. Value: ${JSON.stringify(networks)}.`);
  }
  // Validate every request before making any port: a refused create changes nothing.
  const plan = wanted.map((w) => {
    if (w.port) {
      const port = r.ports.get(w.port);
      if (!port) throw badRequest(C, `Port id ${w.port} could not be found.`);
      if (port.device_id) throw new OsError(C, 409, `Port ${w.port} is still in use.`);
      return { port };
    }
    const net = w.uuid ? r.networks.get(w.uuid) : undefined;
    if (!net) throw badRequest(C, `Network ${w.uuid ?? '(none)'} could not be found.`);
    if (![...r.subnets.values()].some((s) => s.network_id === net.id)) throw badRequest(C, `Network ${net.id} requires a subnet in order to boot instances on.`);
    return { net };
  });
  return plan.map((x) => {
    if (x.port) {
      Object.assign(x.port, { device_id: serverId, device_owner: 'compute:nova' });
      return x.port;
    }
    return ctx.engine.newPort(r, x.net, { device_id: serverId, device_owner: 'compute:nova', security_groups: groups });
  });
}

/** POST /servers. `failBuild`: the scheduler finds no host (an injected NoValidHost): the server goes to ERROR. */
export function createServer(ctx: OsCtx, failBuild?: string): OsResponse {
  const b = member(C, ctx.body, 'server');
  const r = ctx.region;
  const name = optString(C, b, 'name');
  if (!name || name.length > 255) throw badRequest(C, "Invalid input for field/attribute name. Value: None. None is not of type 'string'");
  const { image, rootVolume } = bootSource(r.name, b);
  const flavor = findFlavor(optString(C, b, 'flavorRef') ?? '');
  if (!flavor) throw badRequest(C, `Flavor ${String(b.flavorRef)} could not be found.`);
  const keyName = optString(C, b, 'key_name');
  const key = keyName ? r.keypairs.get(keyName) : undefined;
  if (keyName && !key) throw badRequest(C, 'Invalid key_name provided.');
  const sgRefs = Array.isArray(b.security_groups) ? (b.security_groups as { name?: string }[]).map((g) => String(g.name ?? '')) : ['default'];
  const groups = sgRefs.map((ref) => {
    const g = r.securityGroups.get(ref) ?? [...r.securityGroups.values()].find((x) => x.name === ref);
    if (!g) throw badRequest(C, `Security group ${ref} not found for project ${ctx.projectId}.`);
    return g;
  });
  const userData = optString(C, b, 'user_data');
  if (userData !== undefined && (!/^[A-Za-z0-9+/=\s]*$/.test(userData) || userData.length > 65535)) throw badRequest(C, 'User data needs to be valid base 64.');
  const metadata = stringMap(b.metadata, 'metadata');
  let tags: string[] = [];
  if (b.tags !== undefined) {
    if (!atLeast(ctx, '2.52')) throw badRequest(C, "Invalid input for field/attribute server. Value: {...}. Additional properties are not allowed ('tags' was unexpected)");
    if (!Array.isArray(b.tags) || b.tags.length > 50 || !b.tags.every((t) => typeof t === 'string' && TAG_RULE.test(t))) {
      throw badRequest(C, 'Invalid input for field/attribute tags: at most 50 tags of 1 to 60 characters without "," or "/".');
    }
    tags = b.tags as string[];
  }
  const zones: readonly string[] = findOpenStackRegion(r.name)?.zones ?? ['nova'];
  const az = optString(C, b, 'availability_zone') ?? zones[0]!;
  if (!zones.includes(az)) throw badRequest(C, 'The requested availability zone is not available');
  const live = [...r.servers.values()].filter((s) => !s.deleting).length;
  if (live >= ctx.engine.instanceQuota) {
    throw new OsError(C, 403, `Quota exceeded for instances: Requested 1, but already used ${live} of ${ctx.engine.instanceQuota} instances`);
  }
  const stamp = ctx.engine.stamp();
  portsFor(ctx, b.networks, stamp.id, groups.map((g) => g.id));
  const s: Server = {
    ...stamp,
    name,
    flavor: flavor.id,
    image: image.id,
    key_name: keyName ?? null,
    metadata,
    tags,
    user_data: userData ?? null,
    availability_zone: az,
    security_groups: groups.map((g) => g.name),
    ...(rootVolume ? { root_volume: rootVolume } : {}),
    built: false,
    deleting: false,
    vm: newBacking(ctx.engine.lifecycle, { id: stamp.id, sshUser: loginUserOf(image), authorizedKey: key?.public_key, nodeRuntime: image.node_runtime }),
  };
  r.servers.set(s.id, s);
  if (failBuild) {
    s.fault = { code: 500, message: 'No valid host was found. There are not enough hosts available.', created: stamp.created_at };
    s.vm.state = 'terminated';
  } else {
    ctx.engine.lifecycle.launch(r, s.vm);
  }
  ctx.engine.changed();
  return {
    status: 202,
    headers: { location: `${ctx.base}/servers/${s.id}` },
    body: { server: { id: s.id, links: links(ctx.base, 'servers', s.id), 'OS-DCF:diskConfig': 'MANUAL', security_groups: s.security_groups.map((n) => ({ name: n })), adminPass: randomBytes(9).toString('base64url') } },
  };
}

function deleteServer(ctx: OsCtx): OsResponse {
  const s = server(ctx);
  if (s.fault) {
    ctx.region.servers.delete(s.id);
    ctx.engine.dropServerPorts(ctx.region, s.id);
  } else if (!s.deleting) {
    s.deleting = true;
    s.updated_at = ctx.engine.iso();
    ctx.engine.lifecycle.terminate(ctx.region, s.vm);
  }
  ctx.engine.changed();
  return { status: 204 };
}

/** Which action a POST /servers/{id}/action body asks for: fault rules and policies name it. */
export function serverAction(body: Record<string, unknown>): { action: string; policy: string } {
  const key = Object.keys(body)[0] ?? '';
  const name = { 'os-stop': 'stop', 'os-start': 'start', reboot: 'reboot' }[key];
  return name ? { action: `servers.${name}`, policy: `os_compute_api:servers:${name}` } : { action: 'servers.action', policy: 'os_compute_api:servers:action' };
}

function act(ctx: OsCtx): OsResponse {
  const s = server(ctx);
  const key = Object.keys(ctx.body)[0] ?? '';
  const st = novaState(s, ctx.engine.now());
  const refuse = (what: string) => {
    const by = st.task_state ? `task_state ${st.task_state}` : `vm_state ${st.vm_state}`;
    return new OsError(C, 409, `Cannot '${what}' instance ${s.id} while it is in ${by}`);
  };
  const r = ctx.region;
  switch (key) {
    case 'os-stop':
      if (st.task_state || (st.vm_state !== 'active' && st.vm_state !== 'error')) throw refuse('stop');
      ctx.engine.lifecycle.stop(r, s.vm);
      break;
    case 'os-start': {
      if (st.task_state || st.vm_state !== 'stopped') throw refuse('start');
      const address = [...r.floatingIps.values()].find((f) => f.port_id && r.ports.get(f.port_id)?.device_id === s.id)?.floating_ip_address;
      // The floating IP stays with the port across a stop: the VM comes back on it.
      if (address) s.vm.publicIp = address;
      s.vm.assignPublicIp = address !== undefined;
      ctx.engine.lifecycle.start(r, s.vm);
      break;
    }
    case 'reboot': {
      const type = ((ctx.body.reboot ?? {}) as { type?: unknown }).type;
      if (type !== 'SOFT' && type !== 'HARD') throw badRequest(C, `Invalid input for field/attribute type. Value: ${JSON.stringify(type)}. 'SOFT' or 'HARD' expected`);
      if (st.vm_state !== 'active' || (st.task_state && !(type === 'HARD' && st.task_state === 'rebooting'))) throw refuse('reboot');
      s.rebootUntil = ctx.engine.now() + ctx.engine.bootDelayMs;
      ctx.engine.lifecycle.reboot(r, s.vm);
      break;
    }
    default:
      throw badRequest(C, `There is no such action: ${key || '(empty body)'}`);
  }
  s.updated_at = ctx.engine.iso();
  ctx.engine.changed();
  return { status: 202 };
}

/** The MD5 fingerprint Nova shows for an OpenSSH public key, or undefined if it is not one. */
function fingerprint(publicKey: string): string | undefined {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!type || !blob || !/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521))$/.test(type)) return undefined;
  const bytes = Buffer.from(blob, 'base64');
  const declared = bytes.subarray(4, 4 + bytes.readUInt32BE(0)).toString();
  if (declared !== type) return undefined;
  return createHash('md5').update(bytes).digest('hex').match(/../g)!.join(':');
}

function keypairView(ctx: OsCtx, k: KeyPair, full: boolean): Record<string, unknown> {
  return {
    name: k.name,
    public_key: k.public_key,
    fingerprint: k.fingerprint,
    ...(atLeast(ctx, '2.2') ? { type: k.type } : {}),
    ...(full ? { user_id: ctx.userId, deleted: false, created_at: k.created_at, updated_at: null, deleted_at: null, id: k.id } : {}),
  };
}

function createKeypair(ctx: OsCtx): OsResponse {
  const b = member(C, ctx.body, 'keypair');
  const name = optString(C, b, 'name') ?? '';
  if (!/^[a-zA-Z0-9 _@.-]{1,255}$/.test(name)) throw badRequest(C, `Keypair data is invalid: Keypair name contains unsafe characters`);
  const publicKey = optString(C, b, 'public_key');
  if (!publicKey) throw badRequest(C, 'Keypair data is invalid: the twin imports key pairs only; pass public_key (key generation was removed in microversion 2.92)');
  if (ctx.region.keypairs.has(name)) throw new OsError(C, 409, `Key pair '${name}' already exists.`);
  const fp = fingerprint(publicKey);
  if (!fp) throw badRequest(C, 'Keypair data is invalid: failed to generate fingerprint');
  const k: KeyPair = { name, public_key: publicKey.trim(), fingerprint: fp, type: 'ssh', created_at: ctx.engine.iso().replace('Z', '.000000'), id: ctx.engine.nextSeq() };
  ctx.region.keypairs.set(name, k);
  ctx.engine.changed();
  return { status: atLeast(ctx, '2.2') ? 201 : 200, body: { keypair: { ...keypairView(ctx, k, false), user_id: ctx.userId } } };
}

function keypair(ctx: OsCtx): KeyPair {
  const k = ctx.region.keypairs.get(ctx.p.name ?? '');
  if (!k) throw new OsError(C, 404, `Keypair ${ctx.p.name} not found for user ${ctx.userId}`);
  return k;
}

/** Nova's zones; in detail, each zone's one compute host and its service, as Nova reports them. */
function zoneList(ctx: OsCtx, detail: boolean): OsResponse {
  const zones = findOpenStackRegion(ctx.region.name)?.zones ?? [];
  const service = { available: true, active: true, updated_at: ctx.engine.iso() };
  const hosts = (z: string) => (detail ? { [`twin-compute-${z}`]: { 'nova-compute': service } } : null);
  return { status: 200, body: { availabilityZoneInfo: zones.map((z) => ({ zoneName: z, zoneState: { available: true }, hosts: hosts(z) })) } };
}

export const NOVA_ROUTES: OsRoute[] = [
  route('GET', 'flavors', 'flavors.list', 'os_compute_api:flavors:index', (ctx) => ({ status: 200, body: { flavors: FLAVORS.map((f) => flavorView(ctx, f, false)) } })),
  route('GET', 'flavors/detail', 'flavors.list', 'os_compute_api:flavors:index', (ctx) => ({ status: 200, body: { flavors: FLAVORS.map((f) => flavorView(ctx, f, true)) } })),
  route('GET', 'flavors/{id}', 'flavors.get', 'os_compute_api:flavors:show', (ctx) => ({ status: 200, body: { flavor: flavorView(ctx, flavorOr404(ctx.p.id ?? ''), true) } })),
  route('GET', 'flavors/{id}/os-extra_specs', 'flavors.getExtraSpecs', 'os_compute_api:os-flavor-extra-specs:index', (ctx) => ({ status: 200, body: { extra_specs: flavorOr404(ctx.p.id ?? '').extra_specs } })),
  route('GET', 'os-availability-zone', 'availabilityZones.list', 'os_compute_api:os-availability-zone:list', (ctx) => zoneList(ctx, false)),
  // What `openstack availability zone list` asks first (admin; others fall back to the list).
  route('GET', 'os-availability-zone/detail', 'availabilityZones.detail', 'os_compute_api:os-availability-zone:detail', (ctx) => zoneList(ctx, true)),
  route('GET', 'limits', 'limits.get', 'os_compute_api:limits', (ctx) => {
    const used = [...ctx.region.servers.values()].filter((s) => !s.deleting);
    const cores = used.reduce((n, s) => n + (findFlavor(s.flavor)?.vcpus ?? 0), 0);
    const ram = used.reduce((n, s) => n + (findFlavor(s.flavor)?.ram ?? 0), 0);
    const q = ctx.engine.instanceQuota;
    return { status: 200, body: { limits: { rate: [], absolute: { maxTotalInstances: q, totalInstancesUsed: used.length, maxTotalCores: q * 8, totalCoresUsed: cores, maxTotalRAMSize: q * 32768, totalRAMUsed: ram, maxTotalKeypairs: 100, maxServerMeta: 128, maxServerGroups: 10, maxServerGroupMembers: 10, totalServerGroupsUsed: 0 } } } };
  }),
  route('GET', 'os-keypairs', 'keypairs.list', 'os_compute_api:os-keypairs:index', (ctx) => ({ status: 200, body: { keypairs: [...ctx.region.keypairs.values()].map((k) => ({ keypair: keypairView(ctx, k, false) })) } })),
  route('POST', 'os-keypairs', 'keypairs.create', 'os_compute_api:os-keypairs:create', createKeypair),
  route('GET', 'os-keypairs/{name}', 'keypairs.get', 'os_compute_api:os-keypairs:show', (ctx) => ({ status: 200, body: { keypair: keypairView(ctx, keypair(ctx), true) } })),
  route('DELETE', 'os-keypairs/{name}', 'keypairs.delete', 'os_compute_api:os-keypairs:delete', (ctx) => {
    ctx.region.keypairs.delete(keypair(ctx).name);
    ctx.engine.changed();
    return { status: atLeast(ctx, '2.2') ? 204 : 202 };
  }),
  route('GET', 'servers', 'servers.list', 'os_compute_api:servers:index', (ctx) => listServers(ctx, false)),
  route('GET', 'servers/detail', 'servers.list', 'os_compute_api:servers:detail', (ctx) => listServers(ctx, true)),
  route('POST', 'servers', 'servers.create', 'os_compute_api:servers:create', (ctx) => createServer(ctx)),
  route('GET', 'servers/{id}', 'servers.get', 'os_compute_api:servers:show', (ctx) => {
    ctx.engine.settle();
    return { status: 200, body: { server: serverView(ctx, server(ctx)) } };
  }),
  route('DELETE', 'servers/{id}', 'servers.delete', 'os_compute_api:servers:delete', deleteServer),
  route('POST', 'servers/{id}/action', 'servers.action', 'os_compute_api:servers:action', act),
  route('GET', 'servers/{id}/metadata', 'servers.getMetadata', 'os_compute_api:server-metadata:index', (ctx) => ({ status: 200, body: { metadata: server(ctx).metadata } })),
  route('GET', 'servers/{id}/tags', 'servers.getTags', 'os_compute_api:os-server-tags:index', (ctx) => ({ status: 200, body: { tags: server(ctx).tags } })),
];
