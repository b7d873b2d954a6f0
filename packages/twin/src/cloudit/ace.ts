/**
 * ACE: servers (`ace/v1.0/{tenant}/servers`: create, get, start, shutdown, reboot, delete), their
 * NICs and volumes, and the read-only catalog (clusters, specs, templates). A server is backed by
 * the twin's VM lifecycle (real SSH, commands really run); it logs in as root with the key given at
 * create, or with nothing at all where only a password was given (the twin keeps no passwords).
 */
import { idOf, route, str, type CiCtx, type CiRoute } from './context.js';
import { serverState } from './engine.js';
import { badRequest, ClouditError, conflict, notFound } from './errors.js';
import { CLOUDIT_CLUSTERS, CLOUDIT_SPECS, CLOUDIT_SSH_USER, CLOUDIT_TEMPLATES, findCluster, findSpec, findTemplate } from './catalog.js';
import type { Server } from './model.js';
import { newBacking } from '../vm/backing.js';

const KEY_RULE = /^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/;

function server(ctx: CiCtx): Server {
  const s = ctx.engine.tenant.servers.get(ctx.p.id!);
  if (!s) throw notFound('server', ctx.p.id!);
  return s;
}

export function serverView(ctx: CiCtx, s: Server): Record<string, unknown> {
  const spec = findSpec(s.specId);
  const template = findTemplate(s.templateId);
  const cluster = findCluster(s.clusterId);
  const groups = ctx.engine.tenant.securityGroups;
  return {
    id: s.id,
    tenantId: ctx.p.tenant,
    name: s.name,
    hostName: s.hostName,
    state: serverState(s, ctx.engine.now()),
    cpuNum: spec?.cpu ?? 0,
    memSize: (spec?.mem ?? 0) / 1024,
    spec: spec?.name ?? '',
    specId: s.specId,
    template: template?.name ?? '',
    templateId: s.templateId,
    osType: template?.os ?? '',
    clusterId: s.clusterId,
    clusterName: cluster?.name ?? '',
    privateIp: s.privateIp,
    adaptiveIp: [...ctx.engine.tenant.adaptiveIps.values()].find((a) => a.privateIp === s.privateIp)?.ip ?? '',
    subnetAddr: s.subnetAddr,
    macAddr: s.mac,
    secgroups: s.secgroups.map((id) => ({ id, name: groups.get(id)?.name ?? '' })),
    description: s.description,
    protection: s.protection,
    createdAt: s.createdAt,
    volumeSize: spec?.disk ?? 0,
    sshKeyName: s.sshKeyName ?? '',
    cloudinit: true,
    ...(s.failed ? { vmStatInfo: s.failed } : {}),
  };
}

/** Cloudit's root password rule: 8+ characters with a letter, a digit and a symbol. */
function checkPassword(p: string): void {
  if (p.length < 8 || !/[A-Za-z]/.test(p) || !/\d/.test(p) || !/[^A-Za-z0-9]/.test(p)) {
    throw badRequest("'rootPassword' must have 8 or more characters with a letter, a digit and a symbol", 'INVALID_PASSWORD');
  }
}

export function createServer(ctx: CiCtx, failPlacement?: string) {
  const b = ctx.body;
  const name = str(b, 'name', true);
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(name)) throw badRequest(`'name' must be 1-63 letters, digits or '-', got '${name}'`);
  const t = ctx.engine.tenant;
  if ([...t.servers.values()].some((s) => s.name === name && !s.deleting)) throw conflict('DUPLICATE_NAME', `server '${name}' already exists`);
  const template = findTemplate(str(b, 'templateId', true));
  if (!template) throw notFound('template', String(b.templateId));
  const spec = findSpec(str(b, 'specId', true));
  if (!spec) throw notFound('spec', String(b.specId));
  checkPassword(str(b, 'rootPassword', true));
  const subnetAddr = str(b, 'subnetAddr', true);
  const subnet = [...t.subnets.values()].find((s) => s.addr === subnetAddr);
  if (!subnet) throw notFound('subnet', subnetAddr);
  if (!Array.isArray(b.secgroups) || b.secgroups.length === 0) throw badRequest("'secgroups' must list at least one security group ({\"id\": …})");
  const secgroups = (b.secgroups as unknown[]).map((g) => {
    const id = idOf(g);
    if (!t.securityGroups.has(id)) throw notFound('security group', id);
    return id;
  });
  const clusterRef = str(b, 'clusterId');
  const cluster = clusterRef ? findCluster(clusterRef) : CLOUDIT_CLUSTERS[0];
  if (!cluster) throw notFound('cluster', clusterRef!);
  const sshPublicKey = str(b, 'sshPublicKey');
  if (sshPublicKey && !KEY_RULE.test(sshPublicKey.trim())) throw badRequest("'sshPublicKey' must be an OpenSSH public key line");
  const description = str(b, 'description') ?? '';
  if (description.length > 1024) throw badRequest("'description' is longer than 1024 characters");
  const stamp = ctx.engine.stamp();
  const s: Server = {
    ...stamp,
    name,
    hostName: str(b, 'hostName') ?? name,
    clusterId: cluster.id,
    specId: spec.id,
    templateId: template.id,
    subnetAddr,
    privateIp: ctx.engine.allocatePrivateIp(subnet),
    mac: ctx.engine.mac(),
    secgroups,
    description,
    protection: Number(b.protection ?? 0),
    ...(str(b, 'sshKeyName') ? { sshKeyName: str(b, 'sshKeyName')! } : {}),
    built: false,
    deleting: false,
    vm: newBacking(ctx.engine.lifecycle, { id: stamp.id, sshUser: CLOUDIT_SSH_USER, authorizedKey: sshPublicKey?.trim() }),
  };
  t.servers.set(s.id, s);
  if (failPlacement) {
    s.failed = `${failPlacement}: no host in cluster ${cluster.name} can take the server`;
    s.vm.state = 'terminated';
  } else {
    ctx.engine.lifecycle.launch(t, s.vm);
  }
  ctx.engine.changed();
  return { status: 201, body: serverView(ctx, s) };
}

function act(what: 'start' | 'shutdown' | 'reboot') {
  return (ctx: CiCtx) => {
    const s = server(ctx);
    const state = serverState(s, ctx.engine.now());
    const need = what === 'start' ? 'Stopped' : 'Running';
    if (s.deleting || state !== need) throw new ClouditError(409, 'INVALID_SERVER_STATE', `cannot ${what} server '${s.name}' while it is ${state}`);
    const t = ctx.engine.tenant;
    if (what === 'shutdown') ctx.engine.lifecycle.stop(t, s.vm);
    if (what === 'start') {
      // The adaptive IP stays mapped across a shutdown: the server comes back on it.
      const ip = [...t.adaptiveIps.values()].find((a) => a.privateIp === s.privateIp)?.ip;
      if (ip) s.vm.publicIp = ip;
      s.vm.assignPublicIp = ip !== undefined;
      ctx.engine.lifecycle.start(t, s.vm);
    }
    if (what === 'reboot') {
      s.rebootUntil = ctx.engine.now() + ctx.engine.bootDelayMs;
      ctx.engine.lifecycle.reboot(t, s.vm);
    }
    ctx.engine.changed();
    return { status: 202 };
  };
}

function remove(ctx: CiCtx) {
  const s = server(ctx);
  const t = ctx.engine.tenant;
  const aip = [...t.adaptiveIps.values()].find((a) => a.privateIp === s.privateIp);
  if (aip) throw conflict('ADAPTIVE_IP_ATTACHED', `server '${s.name}' still has adaptive IP ${aip.ip}; delete it first`);
  if (s.failed) t.servers.delete(s.id);
  else if (!s.deleting) {
    s.deleting = true;
    ctx.engine.lifecycle.terminate(t, s.vm);
  }
  ctx.engine.changed();
  return { status: 204 };
}

const nicView = (ctx: CiCtx, s: Server) => ({
  mac: s.mac,
  addr: s.privateIp,
  subnetAddr: s.subnetAddr,
  type: 'INTERNAL',
  secGroups: s.secgroups.map((id) => ({ id, name: ctx.engine.tenant.securityGroups.get(id)?.name ?? '' })),
});

function putNic(ctx: CiCtx) {
  const s = server(ctx);
  if (ctx.p.mac !== s.mac) throw notFound('NIC', ctx.p.mac!);
  if (!Array.isArray(ctx.body.secgroups) || ctx.body.secgroups.length === 0) throw badRequest("'secgroups' must list at least one security group");
  s.secgroups = (ctx.body.secgroups as unknown[]).map((g) => {
    const id = idOf(g);
    if (!ctx.engine.tenant.securityGroups.has(id)) throw notFound('security group', id);
    return id;
  });
  ctx.engine.changed();
  return { status: 200, body: nicView(ctx, s) };
}

const rootVolume = (s: Server) => ({ volumeId: `vol-${s.id}`, volumeName: `${s.name}-root`, dev: 'vda', size: findSpec(s.specId)?.disk ?? 0, description: 'root volume', serverId: s.id });

const zoneOf = (ctx: CiCtx) => {
  const s = ctx.engine.tenant.servers.get(ctx.p.id ?? '');
  return s ? ctx.engine.clusterOf(s) : undefined;
};
const createZone = (ctx: CiCtx) => findCluster(str(ctx.body, 'clusterId') ?? '')?.name ?? CLOUDIT_CLUSTERS[0]!.name;

export const ACE_ROUTES: CiRoute[] = [
  route('GET', 'clusters', 'clusters.list', () => ({ status: 200, body: CLOUDIT_CLUSTERS.map((c) => ({ ...c, state: 'ACTIVE' })) })),
  route('GET', 'specs', 'specs.list', () => ({ status: 200, body: CLOUDIT_SPECS })),
  route('GET', 'templates', 'templates.list', () => ({ status: 200, body: CLOUDIT_TEMPLATES })),
  route('GET', 'templates/{id}', 'templates.get', (ctx) => {
    const tpl = findTemplate(ctx.p.id!);
    if (!tpl) throw notFound('template', ctx.p.id!);
    return { status: 200, body: tpl };
  }),
  route('GET', 'servers', 'servers.list', (ctx) => ({ status: 200, body: [...ctx.engine.tenant.servers.values()].map((s) => serverView(ctx, s)) })),
  route('POST', 'servers', 'servers.create', (ctx) => createServer(ctx), createZone),
  route('GET', 'servers/{id}', 'servers.get', (ctx) => ({ status: 200, body: serverView(ctx, server(ctx)) }), zoneOf),
  route('DELETE', 'servers/{id}', 'servers.delete', remove, zoneOf),
  route('POST', 'servers/{id}/start', 'servers.start', act('start'), zoneOf),
  route('POST', 'servers/{id}/shutdown', 'servers.shutdown', act('shutdown'), zoneOf),
  route('POST', 'servers/{id}/reboot', 'servers.reboot', act('reboot'), zoneOf),
  route('GET', 'servers/{id}/nics', 'nics.list', (ctx) => ({ status: 200, body: [nicView(ctx, server(ctx))] }), zoneOf),
  route('PUT', 'servers/{id}/nics/{mac}', 'nics.update', putNic, zoneOf),
  route('GET', 'servers/{id}/volumes', 'volumes.listOfServer', (ctx) => ({ status: 200, body: [rootVolume(server(ctx))] }), zoneOf),
  route('GET', 'volumes', 'volumes.list', (ctx) => ({ status: 200, body: [...ctx.engine.tenant.servers.values()].filter((s) => !s.failed).map(rootVolume) })),
];
