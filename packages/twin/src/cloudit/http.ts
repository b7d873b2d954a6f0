/**
 * Cloudit over HTTP on the twin's port, under CB-Spider's base URL for it:
 * `/cloudit/v5.0/{iam|ace|dna}/v1.0/{tenant}/…`, and the token request at
 * `POST /cloudit/v5.0/iam/v1.0/auth`. Every other call carries a token (`X-Auth-Token`) for the
 * path's tenant, checked before anything else; then the permissions `twin iam` denies (`cloudit:servers.create`), outages and fault rules (`cloudit:ACTION`,
 * the zone being a cluster), then the service. Errors are Cloudit's JSON (./errors.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults.js';
import { parseJsonObject, readText } from '../http/io.js';
import type { OnRequest } from '../http/types.js';
import { sleep } from '../sleep.js';
import { ACE_ROUTES, createServer } from './ace.js';
import { type ClouditAuth, issueClouditToken, verifyClouditToken } from './auth.js';
import { type CiCtx, type CiResponse, type CiRoute } from './context.js';
import { BRACE_CAPTURES, matchPath } from '../http/path-routes.js';
import { DNA_ROUTES } from './dna.js';
import type { ClouditEngine } from './engine.js';
import { ClouditError, faultError } from './errors.js';
import { IAM_ROUTES } from './iam.js';

export const CLOUDIT_BASE = '/cloudit/v5.0/';

export interface ClouditHttpDeps {
  engine: ClouditEngine;
  auth: ClouditAuth;
  faults: Faults;
  onRequest?: OnRequest | undefined;
}

const ROUTES: Record<string, CiRoute[]> = { iam: IAM_ROUTES, ace: ACE_ROUTES, dna: DNA_ROUTES };

export function isClouditPath(path: string): boolean {
  return path.startsWith(CLOUDIT_BASE);
}

/** The placement failure a fault rule may ask for: the server is made, in state Failed. */
const PLACEMENT_FAULT = 'NO_AVAILABLE_HOST';

export async function handleCloudit(deps: ClouditHttpDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const started = Date.now();
  const requestId = randomUUID();
  const method = req.method ?? 'GET';
  let action: string | undefined;
  let zone = '';
  let status = 200;
  let code: string | undefined;
  try {
    const text = await readText(req, { tooLarge: () => new ClouditError(413, 'REQUEST_TOO_LARGE', 'request body too large') });
    const body = parseJsonObject(text, () => new ClouditError(400, 'MALFORMED_BODY', 'request body is not JSON'));
    const [service = '', version, ...segs] = path.slice(CLOUDIT_BASE.length).split('/').filter(Boolean);
    if (!ROUTES[service] || version !== 'v1.0') throw new ClouditError(404, 'NOT_FOUND', `no such API: ${path}`);
    let out: CiResponse;
    if (service === 'iam' && segs.length === 1 && segs[0] === 'auth') {
      if (method !== 'POST') throw new ClouditError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
      action = 'auth.token';
      await applyFaults(deps, action, '');
      out = { status: 200, body: issueClouditToken(deps.auth, body) };
    } else {
      const [tenant = '', ...rest] = segs;
      const tokenTenant = verifyClouditToken(deps.auth, header(req, 'x-auth-token'));
      if (tokenTenant !== tenant) throw new ClouditError(403, 'FORBIDDEN', `the token is not for tenant '${tenant}'`);
      const m = matchPath(ROUTES[service], method, rest, BRACE_CAPTURES);
      if (!m.route) {
        if (m.pathKnown) throw new ClouditError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
        throw new ClouditError(404, 'NOT_FOUND', `no such resource: ${path}`);
      }
      // Servers the lifecycle has finished deleting go first, so every answer sees the same tenant.
      deps.engine.settle();
      await deps.engine.topUpFreeIps();
      const ctx: CiCtx = { engine: deps.engine, p: { ...m.params, tenant }, body, query: new URL(req.url ?? '/', 'http://twin').searchParams, user: deps.auth.user.id };
      action = m.route.action;
      zone = m.route.zone?.(ctx) ?? '';
      // Permission first (`twin iam`), as Cloudit's IAM checks the user before the service acts: a denied call changes nothing.
      if (deps.faults.iam.denied(`cloudit:${action}`)) throw new ClouditError(403, 'PERMISSION_DENIED', `the user has no permission for ${action}`);
      const fault = await applyFaults(deps, action, zone, action === 'servers.create' ? PLACEMENT_FAULT : undefined);
      if (fault) {
        code = fault;
        out = createServer(ctx, fault);
      } else {
        out = m.route.handler(ctx);
      }
    }
    status = out.status;
    const payload = out.body === undefined ? '' : JSON.stringify(out.body);
    res.writeHead(out.status, { ...(payload ? { 'content-type': 'application/json' } : {}), 'content-length': String(Buffer.byteLength(payload)), 'x-request-id': requestId });
    res.end(method === 'HEAD' ? undefined : payload);
  } catch (e) {
    const err = e instanceof ClouditError ? e : new ClouditError(500, 'INTERNAL_SERVER_ERROR', 'the server could not complete the request');
    if (!(e instanceof ClouditError)) console.error('cloud-twin: cloudit internal error', e);
    status = err.status;
    code = err.code;
    res.writeHead(err.status, { 'content-type': 'application/json', 'x-request-id': requestId });
    res.end(JSON.stringify(err.body()));
  }
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId, provider: 'cloudit', region: zone, action, status, code, ms: Date.now() - started });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Latency, outage and injected errors; returns the code `soft` names when a rule asks for it (handled by the caller). */
async function applyFaults(deps: ClouditHttpDeps, action: string, zone: string, soft?: string): Promise<string | undefined> {
  if (zone && deps.faults.isDown(zone)) throw new ClouditError(503, 'SERVICE_UNAVAILABLE', `cluster ${zone} is unavailable`);
  const fault = deps.faults.decide(action, zone, 'cloudit');
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.code && fault.code === soft) return fault.code;
  if (fault.code) throw faultError(fault.code);
  return undefined;
}
