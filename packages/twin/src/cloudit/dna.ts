/**
 * DNA: subnets (`dna/v1.0/{tenant}/subnets`, named by their address in creates and deletes), the
 * tenant's free public IPs (`ips`) and adaptive IPs (`adaptive-ips`): a public IP mapped to a
 * server's private IP, Cloudit's public address. Mapping one brings the server's SSH up there.
 */
import { intToIp, ipToInt } from '../ec2/cidr.js';
import { route, str, type CiCtx, type CiRoute } from './context.js';
import { badRequest, conflict, notFound } from './errors.js';
import type { AdaptiveIp, Subnet } from './model.js';

function subnetByRef(ctx: CiCtx, ref: string): Subnet | undefined {
  return [...ctx.engine.tenant.subnets.values()].find((s) => s.id === ref || s.addr === ref);
}

const range = (s: { addr: string; prefix: string }) => {
  const base = ipToInt(s.addr)!;
  return [base, base + 2 ** (32 - Number(s.prefix))] as const;
};

function overlaps(a: { addr: string; prefix: string }, b: { addr: string; prefix: string }): boolean {
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 < b1 && b0 < a1;
}

/** Free /24s of 10.10.0.0/16 the tenant may create (`subnets/creatable`). */
function creatable(ctx: CiCtx): { addr: string; prefix: string }[] {
  const out: { addr: string; prefix: string }[] = [];
  const base = ipToInt('10.10.0.0')!;
  for (let i = 1; i < 256 && out.length < 8; i++) {
    const c = { addr: intToIp(base + i * 256), prefix: '24' };
    if (![...ctx.engine.tenant.subnets.values()].some((s) => overlaps(s, c))) out.push(c);
  }
  return out;
}

function createSubnet(ctx: CiCtx) {
  const name = str(ctx.body, 'name', true);
  const addr = str(ctx.body, 'addr', true);
  const prefix = typeof ctx.body.prefix === 'number' ? String(ctx.body.prefix) : (str(ctx.body, 'prefix') ?? '');
  const n = ipToInt(addr);
  if (n === undefined || !/^\d{1,2}$/.test(prefix) || Number(prefix) < 16 || Number(prefix) > 29) throw badRequest(`'addr' must be a network address and 'prefix' 16..29, got ${addr}/${prefix}`);
  if (n % 2 ** (32 - Number(prefix)) !== 0) throw badRequest(`'addr' ${addr} is not the network address of a /${prefix}`);
  if (!addr.startsWith('10.')) throw badRequest(`subnet ${addr}/${prefix} is outside the tenant's 10.0.0.0/8`);
  const t = ctx.engine.tenant;
  if ([...t.subnets.values()].some((s) => s.name === name)) throw conflict('DUPLICATE_NAME', `subnet '${name}' already exists`);
  const clash = [...t.subnets.values()].find((s) => overlaps(s, { addr, prefix }));
  if (clash) throw conflict('SUBNET_OVERLAP', `${addr}/${prefix} overlaps subnet '${clash.name}' (${clash.addr}/${clash.prefix})`);
  const s: Subnet = { ...ctx.engine.stamp(), name, addr, prefix, gateway: intToIp(n + 1), state: 'OK', vlan: 100 + t.subnets.size, protection: 0, description: str(ctx.body, 'description') ?? '', creator: ctx.user, used: 0 };
  t.subnets.set(s.id, s);
  ctx.engine.changed();
  return { status: 201, body: subnetView(ctx, s) };
}

function subnetView(ctx: CiCtx, s: Subnet) {
  const { used, ...rest } = s;
  return { ...rest, ipCount: used, tenantId: ctx.p.tenant, nicCount: [...ctx.engine.tenant.servers.values()].filter((v) => v.subnetAddr === s.addr && !v.deleting).length };
}

function deleteSubnet(ctx: CiCtx) {
  const s = subnetByRef(ctx, ctx.p.addr!);
  if (!s) throw notFound('subnet', ctx.p.addr!);
  const user = [...ctx.engine.tenant.servers.values()].find((v) => v.subnetAddr === s.addr);
  if (user) throw conflict('SUBNET_IN_USE', `subnet '${s.name}' still has the NIC of server '${user.name}'`);
  ctx.engine.tenant.subnets.delete(s.id);
  ctx.engine.changed();
  return { status: 204 };
}

const aipView = (ctx: CiCtx, a: AdaptiveIp) => ({
  ...a,
  tenantId: ctx.p.tenant,
  vmName: [...ctx.engine.tenant.servers.values()].find((s) => s.privateIp === a.privateIp)?.name ?? '',
  rules: [],
  ruleCount: 0,
});

function createAdaptiveIp(ctx: CiCtx) {
  const ip = str(ctx.body, 'ip', true);
  const name = str(ctx.body, 'name', true);
  const privateIp = str(ctx.body, 'privateIp', true);
  const t = ctx.engine.tenant;
  const free = ctx.engine.freeIps();
  if (!free.includes(ip)) throw conflict('IP_NOT_AVAILABLE', `public IP ${ip} is not free; list the free ones at dna/…/ips`);
  const server = [...t.servers.values()].find((s) => s.privateIp === privateIp && !s.deleting);
  if (!server) throw notFound('server with private IP', privateIp);
  if ([...t.adaptiveIps.values()].some((a) => a.privateIp === privateIp)) throw conflict('ADAPTIVE_IP_EXISTS', `private IP ${privateIp} has an adaptive IP already`);
  free.splice(free.indexOf(ip), 1);
  const a: AdaptiveIp = { ...ctx.engine.stamp(), ip, name, privateIp, state: 'ATTACHED', protection: Number(ctx.body.protection ?? 0), description: str(ctx.body, 'description') ?? '', creator: ctx.user };
  t.adaptiveIps.set(a.id, a);
  ctx.engine.addressChanged(server);
  ctx.engine.changed();
  return { status: 201, body: aipView(ctx, a) };
}

function deleteAdaptiveIp(ctx: CiCtx) {
  const t = ctx.engine.tenant;
  const a = [...t.adaptiveIps.values()].find((x) => x.ip === ctx.p.ip || x.id === ctx.p.ip);
  if (!a) throw notFound('adaptive IP', ctx.p.ip!);
  t.adaptiveIps.delete(a.id);
  ctx.engine.freeIps().push(a.ip);
  const server = [...t.servers.values()].find((s) => s.privateIp === a.privateIp);
  if (server) ctx.engine.addressChanged(server);
  ctx.engine.changed();
  return { status: 204 };
}

export const DNA_ROUTES: CiRoute[] = [
  route('GET', 'subnets', 'subnets.list', (ctx) => ({ status: 200, body: [...ctx.engine.tenant.subnets.values()].map((s) => subnetView(ctx, s)) })),
  route('GET', 'subnets/creatable', 'subnets.creatable', (ctx) => ({ status: 200, body: creatable(ctx) })),
  route('GET', 'subnets/{id}/detail', 'subnets.get', (ctx) => {
    const s = subnetByRef(ctx, ctx.p.id!);
    if (!s) throw notFound('subnet', ctx.p.id!);
    return { status: 200, body: subnetView(ctx, s) };
  }),
  route('POST', 'subnets', 'subnets.create', createSubnet),
  route('DELETE', 'subnets/{addr}', 'subnets.delete', deleteSubnet),
  route('GET', 'ips', 'ips.list', (ctx) => ({ status: 200, body: ctx.engine.freeIps().map((addr) => ({ addr, state: 'AVAILABLE' })) })),
  route('GET', 'adaptive-ips', 'adaptiveIps.list', (ctx) => ({ status: 200, body: [...ctx.engine.tenant.adaptiveIps.values()].map((a) => aipView(ctx, a)) })),
  route('GET', 'adaptive-ips/{id}/detail', 'adaptiveIps.get', (ctx) => {
    const a = ctx.engine.tenant.adaptiveIps.get(ctx.p.id!);
    if (!a) throw notFound('adaptive IP', ctx.p.id!);
    return { status: 200, body: aipView(ctx, a) };
  }),
  route('POST', 'adaptive-ips', 'adaptiveIps.create', createAdaptiveIp),
  route('DELETE', 'adaptive-ips/{ip}', 'adaptiveIps.delete', deleteAdaptiveIp),
];
