/**
 * OpenStack over HTTP on the twin's port: Keystone at /identity, and per region Nova
 * (/compute/v2.1), Neutron (/network/v2.0) and Glance (/image/v2). RegionOne is served at the root,
 * as on DevStack; other regions under /<Region>/. Every service call carries a Keystone token
 * (X-Auth-Token) that is verified here, signature and expiry, before anything else; then the
 * policy (`twin iam`), outages and fault rules, then the service. Answers carry
 * X-Openstack-Request-Id and, for Nova, the microversion headers.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults.js';
import { parseJsonObject, readText } from '../http/io.js';
import type { OnRequest } from '../http/types.js';
import { sleep } from '../sleep.js';
import { OPENSTACK_REGIONS, findOpenStackRegion } from './catalog.js';
import { BRACE_CAPTURES, matchPath } from '../http/path-routes.js';
import { type OsCtx, type OsResponse, type OsRoute } from './context.js';
import type { OpenStackEngine } from './engine.js';
import { faultError, OsError, type OsService } from './errors.js';
import { GLANCE_ROUTES, glanceVersions } from './glance.js';
import { header, keystone, type KeystoneAuth, serviceUrl, verifyToken } from './keystone.js';
import { NEUTRON_ROUTES } from './neutron.js';
import { createServer, NOVA_ROUTES, NOVA_VERSION, novaVersionDoc, serverAction } from './nova.js';

export interface OpenStackHttpDeps {
  engine: OpenStackEngine;
  auth: KeystoneAuth;
  faults: Faults;
  onRequest?: OnRequest | undefined;
}

const SERVICES = new Set(['identity', 'compute', 'network', 'image']);
const VERSION: Record<string, string> = { compute: 'v2.1', network: 'v2.0', image: 'v2' };
const ROUTES: Record<string, OsRoute[]> = { compute: NOVA_ROUTES, network: NEUTRON_ROUTES, image: GLANCE_ROUTES };

interface Target {
  region: string;
  service: OsService;
  /** Segments after the service name (the version first). */
  rest: string[];
}

function target(path: string): Target | undefined {
  const segs = path.split('/').filter(Boolean);
  let region: string = OPENSTACK_REGIONS[0].name;
  if (findOpenStackRegion(segs[0] ?? '') && segs[1] !== 'identity' && SERVICES.has(segs[1] ?? '')) region = segs.shift()!;
  const service = segs.shift() ?? '';
  if (!SERVICES.has(service)) return undefined;
  // /compute/v1/… is GCE's.
  if (service === 'compute' && segs[0] === 'v1') return undefined;
  return { region, service: service as OsService, rest: segs };
}

export function isOpenStackPath(path: string): boolean {
  return target(path) !== undefined;
}

/** Nova's requested microversion, or a 406 for one out of range. */
function microversion(req: IncomingMessage): [number, number] {
  const h = header(req.headers, 'openstack-api-version');
  const text = (h && /^compute\s+(\S+)/i.exec(h)?.[1]) || header(req.headers, 'x-openstack-nova-api-version') || '2.1';
  if (text === 'latest') return NOVA_VERSION.max;
  const m = /^(\d+)\.(\d+)$/.exec(text);
  const v: [number, number] | undefined = m ? [Number(m[1]), Number(m[2])] : undefined;
  const inRange = v && v[0] === 2 && v[1] >= NOVA_VERSION.min[1] && v[1] <= NOVA_VERSION.max[1];
  if (!inRange) throw new OsError('compute', 406, `Version ${text} is not supported by the API. Minimum is 2.1 and maximum is ${NOVA_VERSION.maxText}.`);
  return v;
}

function send(res: ServerResponse, out: OsResponse, requestId: string, extra: Record<string, string>, head: boolean): void {
  const text = out.body === undefined ? '' : typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
  res.writeHead(out.status, {
    ...(text ? { 'content-type': 'application/json' } : {}),
    'content-length': String(Buffer.byteLength(text)),
    'x-openstack-request-id': requestId,
    ...extra,
    ...out.headers,
  });
  res.end(head ? undefined : text);
}

/** Version discovery documents: unauthenticated, as in OpenStack. */
function versionDoc(t: Target, base: string): OsResponse | undefined {
  const [first, ...more] = t.rest;
  if (t.service === 'compute') {
    if (!first) return { status: 200, body: { versions: [{ ...novaVersionDoc(base + '/v2.1'), links: [{ rel: 'self', href: `${base}/v2.1/` }] }] } };
    if (first === 'v2.1' && more.length === 0) return { status: 200, body: { version: novaVersionDoc(base + '/v2.1') } };
  }
  if (t.service === 'network') {
    if (!first) return { status: 200, body: { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ rel: 'self', href: `${base}/v2.0/` }] }] } };
    if (first === 'v2.0' && more.length === 0) return { status: 200, body: { resources: ['networks', 'subnets', 'ports', 'routers', 'floatingips', 'security-groups', 'security-group-rules'].map((r) => ({ name: r.replace(/s$/, ''), collection: r, links: [{ rel: 'self', href: `${base}/v2.0/${r}` }] })) } };
  }
  if (t.service === 'image' && (!first || first === 'versions' || (first === 'v2' && more.length === 0))) return { status: 300, body: glanceVersions(base) };
  return undefined;
}

export async function handleOpenStack(deps: OpenStackHttpDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const started = Date.now();
  const requestId = `req-${randomUUID()}`;
  const t = target(path)!;
  const method = req.method ?? 'GET';
  const host = `http://${req.headers.host ?? '127.0.0.1'}`;
  const url = new URL(req.url ?? '/', host);
  const isCompute = t.service === 'compute';
  let extra: Record<string, string> = isCompute ? { 'x-compute-request-id': requestId } : {};
  let action: string | undefined;
  let status = 200;
  let code: string | undefined;
  try {
    const text = await readText(req, { tooLarge: () => new OsError(t.service, 413, 'Request is too large.') });
    const body = parseJsonObject(text, () => new OsError(t.service, 400, 'Malformed request body', t.service === 'network' ? 'HTTPBadRequest' : undefined));
    let out: OsResponse;
    if (t.service === 'identity') {
      const k = keystone(deps.auth, method, t.rest, req.headers, body, host);
      action = k.action;
      const fault = deps.faults.decide(action, t.region, 'openstack');
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.code) throw faultError('identity', fault.code);
      out = k;
    } else {
      const base = serviceUrl(host, t.region, t.service).replace(/\/v2\.1$/, '');
      const doc = versionDoc(t, base);
      if (doc && method === 'GET') {
        out = doc;
        action = 'versions.get';
      } else {
        const noted = (a: string, c?: string) => {
          action = a;
          code = c;
        };
        out = await serve(deps, req, t, method, url, body, base, noted, (h) => (extra = { ...extra, ...h }));
      }
    }
    status = out.status;
    send(res, out, requestId, extra, method === 'HEAD');
  } catch (e) {
    const err = e instanceof OsError ? e : new OsError(t.service, 500, 'An unexpected error prevented the server from fulfilling your request.');
    if (!(e instanceof OsError)) console.error('cloud-twin: openstack internal error', e);
    const { contentType, text } = err.render();
    status = err.status;
    code = err.code;
    res.writeHead(err.status, { 'content-type': contentType, 'x-openstack-request-id': requestId, ...extra, ...err.headers });
    res.end(method === 'HEAD' ? undefined : text);
  }
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId, provider: 'openstack', region: t.region, action, status, code, ms: Date.now() - started });
}

async function serve(
  deps: OpenStackHttpDeps,
  req: IncomingMessage,
  t: Target,
  method: string,
  url: URL,
  body: Record<string, unknown>,
  base: string,
  named: (action: string, injected?: string) => void,
  headers: (h: Record<string, string>) => void,
): Promise<OsResponse> {
  const claims = verifyToken(deps.auth, header(req.headers, 'x-auth-token'));
  if (!claims?.projectId) {
    throw new OsError(t.service, 401, 'The request you have made requires authentication.', t.service === 'network' ? 'HTTPUnauthorized' : undefined, {
      'www-authenticate': `Keystone uri="${url.origin}/identity"`,
    });
  }
  const [version, ...segs] = t.rest;
  let mv: [number, number] = [2, 1];
  if (t.service === 'compute') {
    mv = microversion(req);
    const text = `${mv[0]}.${mv[1]}`;
    headers({ 'openstack-api-version': `compute ${text}`, 'x-openstack-nova-api-version': text, vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version' });
  }
  if (version !== VERSION[t.service]) throw new OsError(t.service, 404, `The resource could not be found.`, t.service === 'network' ? 'HTTPNotFound' : undefined);
  const m = matchPath(ROUTES[t.service] ?? [], method, segs, BRACE_CAPTURES);
  if (!m.pathKnown) throw new OsError(t.service, 404, 'The resource could not be found.', t.service === 'network' ? 'HTTPNotFound' : undefined);
  if (!m.route) throw new OsError(t.service, 405, `The method ${method} is not allowed for this resource.`, t.service === 'network' ? 'HTTPMethodNotAllowed' : undefined);
  const { action, policy } = m.route.action === 'servers.action' ? serverAction(body) : m.route;
  named(action);
  // Policy first, as oslo.policy runs before the service: a denied call changes nothing. The
  // default policies want the project's reader role to read and its member role to change.
  const roles = claims.roles ?? ['member', 'reader'];
  const roleOk = method === 'GET' || method === 'HEAD' ? roles.includes('reader') || roles.includes('member') : roles.includes('member');
  if (!roleOk || deps.faults.iam.denied(policy)) {
    const msg = t.service === 'compute' ? `Policy doesn't allow ${policy} to be performed.` : t.service === 'image' ? `You are not authorized to complete ${policy} action.` : `(rule:${policy}) is disallowed by policy`;
    throw new OsError(t.service, 403, msg, t.service === 'network' ? 'PolicyNotAuthorized' : undefined);
  }
  if (deps.faults.isDown(t.region)) throw faultError(t.service, 'ServiceUnavailable');
  const fault = deps.faults.decide(action, t.region, 'openstack');
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  const ctx: OsCtx = {
    engine: deps.engine,
    region: deps.engine.region(t.region),
    p: m.params,
    query: url.searchParams,
    body,
    base: t.service === 'compute' ? `${base}/v2.1` : base,
    microversion: mv,
    projectId: claims.projectId,
    userId: claims.userId,
  };
  // No host fits: Nova accepts the create and the build fails afterwards (status ERROR, fault).
  if (fault.code === 'NoValidHost' && action === 'servers.create') {
    named(action, fault.code);
    return createServer(ctx, fault.code);
  }
  if (fault.code) throw faultError(t.service, fault.code);
  // Servers the lifecycle has shut down since the last call go now, with their ports: Neutron
  // sees their networks free without anyone listing servers first.
  deps.engine.settle();
  return m.route.handler(ctx);
}
