/**
 * The twin's HTTPS listener for Azure: ARM under /subscriptions/{id}/… and the identity endpoints a
 * credential uses when its authority host is the twin. TLS with the twin's own CA (see ../tls.ts):
 * Azure's SDK sends bearer tokens over HTTPS only, and clients trust the CA, not "anything".
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { findAzureRegion } from '../data/azure.js';
import type { Faults } from '../faults.js';
import { parseJsonObject, readText } from '../http/io.js';
import type { OnRequest } from '../http/types.js';
import { sleep } from '../sleep.js';
import type { TwinTls } from '../tls.js';
import type { ArmCtx, ArmResponse } from './context.js';
import type { AzureEngine } from './engine.js';
import { ArmError, ASYNC_FAILURE_CODES, faultError } from './errors.js';
import { identity, type ServicePrincipal } from './identity.js';
import { verifyHs256 } from '../auth/jwt.js';
import { resourceId, TYPES } from './model.js';
import { match, type Route } from './routes.js';
import { putVm } from './vms.js';
import { listPermissions, matchPermissions } from './permissions.js';
import { ARM_ACTIONS, armClientOf, armDeniedMessage } from '../iam.js';
import { handleAzureRetail, RETAIL_PRICES_PATH } from '../pricing/azure-retail.js';

/** The service principal the identity endpoint knows, and the key its tokens are signed with. */
export interface AzureAuth {
  principal: ServicePrincipal;
  tokenKey: Buffer;
}

export interface AzureServerDeps {
  engine: AzureEngine;
  auth: AzureAuth;
  faults: Faults;
  tls: TwinTls;
  onRequest?: OnRequest;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview|-beta)?$/;

const BODY_LIMIT = { tooLarge: () => new ArmError(413, 'RequestEntityTooLarge', 'The request content size exceeds the maximum allowed.') };

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>, requestId: string): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': requestId,
    'cache-control': 'no-cache',
    ...headers,
  });
  res.end(text);
}

/** The region a request is about: for fault rules and outages. */
function regionOf(ctx: ArmCtx, route: Route): string | undefined {
  const named = ctx.p.location ?? (typeof ctx.body.location === 'string' ? ctx.body.location : undefined);
  if (named) return findAzureRegion(named)?.name;
  const rg = ctx.p.rg;
  if (!rg) return undefined;
  if (route.resource && ctx.p.name) {
    const r = (ctx.sub[route.resource] as Map<string, { location: string }>).get(resourceId(ctx.sub.id, rg, TYPES[route.resource], ctx.p.name).toLowerCase());
    if (r) return r.location;
  }
  return ctx.sub.groups.get(rg.toLowerCase())?.location;
}

async function handleArm(deps: AzureServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, base: string, requestId: string): Promise<void> {
  const started = Date.now();
  const method = req.method ?? 'GET';
  const segments = url.pathname.split('/').filter(Boolean);
  let action: string | undefined;
  let region: string | undefined;
  let status = 200;
  let code: string | undefined;
  try {
    const text = await readText(req, BODY_LIMIT);
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", undefined, {
        'www-authenticate': `Bearer authorization_uri="${base}/", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
      });
    }
    // Only tokens the twin's identity endpoint signed, and not expired.
    if (!verifyHs256(token, deps.auth.tokenKey)) {
      throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', undefined, {
        'www-authenticate': `Bearer authorization_uri="${base}/", error="invalid_token", error_description="The access token is invalid."`,
      });
    }
    const sub = segments[1] ?? '';
    if (!GUID.test(sub)) throw new ArmError(400, 'InvalidSubscriptionId', `The provided subscription identifier '${sub}' is malformed or invalid.`);
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    if (!API_VERSION.test(apiVersion)) {
      throw new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. The supported versions are '2025-04-01,2024-11-01,2024-07-01,2024-03-01,2023-09-01'.`);
    }
    const perms = matchPermissions(method, segments.slice(2));
    if (perms) {
      action = 'AzurePermissionsForResourceGroup_List';
      const ctx: ArmCtx = { engine: deps.engine, sub: deps.engine.subscription(sub), p: {}, query: url.searchParams, body: {}, base, path: url.pathname, apiVersion };
      const out = listPermissions(ctx, perms.rg, deps.faults.iam);
      send(res, out.status, out.body, out.headers ?? {}, requestId);
      deps.onRequest?.({ time: new Date(started).toISOString(), requestId, action, status: out.status, ms: Date.now() - started });
      return;
    }
    const m = match(method, segments.slice(2));
    if (!m) throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${url.pathname}'.`);
    if ('wrongMethod' in m) throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
    action = m.route.operationId;
    const body = parseJsonObject(text, () => new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.'));
    const ctx: ArmCtx = { engine: deps.engine, sub: deps.engine.subscription(sub), p: m.params, query: url.searchParams, body, base, path: url.pathname, apiVersion };
    // ARM authorizes before the resource provider sees the request: a denied call changes nothing.
    const denied = deps.faults.iam.firstDenied(ARM_ACTIONS[m.route.operationId] ?? []);
    if (denied) {
      const primary = ARM_ACTIONS[m.route.operationId]?.[0];
      const client = armClientOf(req.headers.authorization);
      if (denied !== primary && primary !== undefined) {
        throw new ArmError(
          403,
          'LinkedAuthorizationFailed',
          `The client '${client}' has permission to perform action '${primary}' on scope '${url.pathname}'; however, it does not have permission to perform action(s) '${denied}' on the linked scope(s) or the linked scope(s) are invalid.`,
        );
      }
      throw new ArmError(403, 'AuthorizationFailed', armDeniedMessage(client, denied, url.pathname));
    }
    region = regionOf(ctx, m.route);
    if (region && deps.faults.isDown(region)) throw faultError('ServiceUnavailable');
    const fault = deps.faults.decide(m.route.operationId, region ?? '', 'azure');
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    let out: ArmResponse;
    if (fault.code && ASYNC_FAILURE_CODES.has(fault.code) && m.route.operationId === 'VirtualMachines_CreateOrUpdate') {
      // Allocation fails after ARM accepted the request: the operation ends Failed, not the PUT.
      out = putVm(ctx, fault.code);
      code = fault.code;
    } else {
      if (fault.code) throw faultError(fault.code);
      out = m.route.handler(ctx);
    }
    status = out.status;
    send(res, out.status, method === 'HEAD' ? undefined : out.body, out.headers ?? {}, requestId);
  } catch (e) {
    const error = e instanceof ArmError ? e : new ArmError(500, 'InternalServerError', 'An internal server error occurred.');
    if (!(e instanceof ArmError)) console.error('cloud-twin: azure internal error', e);
    status = error.status;
    code = error.code;
    send(res, error.status, method === 'HEAD' ? undefined : error.body(), error.headers, requestId);
  }
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId, region, action, status, code, ms: Date.now() - started });
}

async function handleIdentity(auth: AzureAuth, req: IncomingMessage, res: ServerResponse, url: URL, base: string, requestId: string): Promise<boolean> {
  const method = req.method ?? 'GET';
  const text = method === 'POST' ? await readText(req, BODY_LIMIT) : '';
  const out = identity(method, url.pathname, base, new URLSearchParams(text), auth);
  if (!out) return false;
  send(res, out.status, out.body, {}, requestId);
  return true;
}

export function createAzureServer(deps: AzureServerDeps): Server {
  const server = createServer({ key: deps.tls.keyPem, cert: deps.tls.certPem }, (req, res) => {
    const requestId = randomUUID();
    // Links the twin hands out (nextLink, operation status) point back where the client came in.
    const base = `https://${req.headers.host ?? '127.0.0.1'}`;
    const url = new URL(req.url ?? '/', base);
    // The Retail Prices API is public Azure too; here it answers on the ARM host, like the real
    // prices.azure.com answers anonymous GETs.
    const work = url.pathname.toLowerCase().startsWith(RETAIL_PRICES_PATH.toLowerCase())
      ? handleAzureRetail(req, res, base)
      : url.pathname.toLowerCase().startsWith('/subscriptions/')
      ? handleArm(deps, req, res, url, base, requestId)
      : handleIdentity(deps.auth, req, res, url, base, requestId).then((handled) => {
          if (!handled) send(res, 404, { error: { code: 'NotFound', message: `No HTTP resource was found that matches the request URI '${url.pathname}'.` } }, {}, requestId);
        });
    work.catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { code: 'InternalServerError', message: e instanceof Error ? e.message : String(e) } }, {}, requestId);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}
