/**
 * The twin's HTTP server: the EC2 Query API on every path but `/_twin/*`, which is the admin API
 * (admin token only; `/_twin/k8s/` also takes a VM's node token).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { findRegion } from './data/aws.js';
import type { Ec2Engine } from './ec2/engine.js';
import { defaultMessage, Ec2Error } from './ec2/errors.js';
import { errorDoc } from './ec2/xml.js';
import { ACCOUNT_ID } from './ec2/model.js';
import { ec2DeniedMessage, ec2Permissions, missingEc2Parameter } from './iam.js';
import { handleResourceManager, isResourceManagerPath } from './gce/resource-manager.js';
import type { FaultRule, Faults } from './faults.js';
import { handlePricing, isPricingRequest } from './pricing/http.js';
import { handleGcpBilling, isGcpBillingPath } from './pricing/gcp-billing.js';
import { handleAzureRetail, RETAIL_PRICES_PATH } from './pricing/azure-retail.js';
import type { GceEngine } from './gce/engine.js';
import { handleGce, isGcePath } from './gce/http.js';
import type { TokenIssuer } from './gce/token.js';
import { sameSecret } from './auth/jwt.js';
import { type SigV4Failure, verifySigV4 } from './auth/sigv4.js';

export interface RequestLogEntry {
  time: string;
  requestId: string;
  /** Absent for EC2; `gcp` for GCE calls. */
  provider?: string;
  region?: string;
  action?: string;
  status: number;
  code?: string;
  ms: number;
}

export interface AdminHooks {
  status(): unknown;
  instances(region?: string): unknown;
  /** Asked to shut down (POST /_twin/shutdown); the response is sent first. */
  shutdown(): void;
  faultsChanged(): void;
}

/** What the twin checks callers against. */
export interface ServerAuth {
  /** The secret access key of an AWS access key id the twin knows, else undefined. */
  awsSecretOf: (accessKeyId: string) => string | undefined;
  /** The admin API's bearer token. */
  adminToken: string;
  /** The instance a node-runtime token belongs to, else undefined. */
  nodeInstanceOf: (token: string) => string | undefined;
}

export interface ServerDeps {
  ec2: Ec2Engine;
  auth: ServerAuth;
  faults: Faults;
  admin: AdminHooks;
  /** GCE REST under /compute/v1/ and the OAuth token endpoint /token. */
  gce?: { engine: GceEngine; tokens: TokenIssuer };
  onRequest?: (e: RequestLogEntry) => void;
  /**
   * The simulated Kubernetes node runtime's routes under /_twin/k8s/; `instanceId` is the VM whose
   * node token came with the call (undefined for the admin token).
   */
  k8s?: (req: IncomingMessage, res: ServerResponse, path: string, instanceId: string | undefined) => Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sendXml(res: ServerResponse, status: number, body: string, requestId: string): void {
  res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', server: 'AmazonEC2', 'x-amzn-requestid': requestId });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

/** EC2's answer to a request whose signature did not verify. */
function ec2AuthError(failure: SigV4Failure, message: string): Ec2Error {
  switch (failure) {
    case 'signature':
      return new Ec2Error('SignatureDoesNotMatch', message);
    case 'expired':
      return new Ec2Error('RequestExpired', `Request has expired. ${message}`);
    case 'malformed':
      return new Ec2Error('IncompleteSignature', message);
    default:
      return new Ec2Error('AuthFailure', defaultMessage('AuthFailure'));
  }
}

async function handleEc2(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://twin');
  const params = new URLSearchParams(url.search);
  const body = await readBody(req);
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  const action = params.get('Action') ?? undefined;
  let region: string | undefined;
  let status = 200;
  let code: string | undefined;
  let accessKeyId = '';
  try {
    const auth = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, deps.auth.awsSecretOf);
    region = auth.scope?.region;
    if (!auth.ok) throw ec2AuthError(auth.failure, auth.message);
    accessKeyId = auth.scope.accessKeyId;
    if (region === undefined || !findRegion(region)) {
      throw new Ec2Error('AuthFailure', `Credential should be scoped to a valid region, not '${region}'. `);
    }
    if (!action) throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
    if (!deps.ec2.hasAction(action)) {
      throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
    if (deps.faults.isDown(region)) throw new Ec2Error('Unavailable', defaultMessage('Unavailable'));
    const fault = deps.faults.decide(action, region);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.code) throw new Ec2Error(fault.code, defaultMessage(fault.code));
    const dryRun = params.get('DryRun') === 'true';
    // EC2 validates the request, then authorizes it, then (for a dry run) answers without acting.
    if (dryRun) {
      const missing = missingEc2Parameter(action, params);
      if (missing) throw new Ec2Error('MissingParameter', `The request must contain the parameter ${missing}`);
    }
    const denied = deps.faults.iam.firstDenied(ec2Permissions(action, params));
    if (denied) throw new Ec2Error('UnauthorizedOperation', ec2DeniedMessage(denied, action, region, ACCOUNT_ID, accessKeyId, params));
    if (dryRun) {
      throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
    }
    sendXml(res, 200, deps.ec2.handle(action, region, params, requestId), requestId);
  } catch (e) {
    const error = e instanceof Ec2Error ? e : new Ec2Error('InternalError', defaultMessage('InternalError'));
    if (!(e instanceof Ec2Error)) console.error('cloud-twin: internal error', e);
    status = error.status;
    code = error.code;
    sendXml(res, status, errorDoc(error.code, error.message, requestId), requestId);
  }
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId, region, action, status, code, ms: Date.now() - started });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

async function handleAdmin(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_twin':
    case 'GET /_twin/status':
      return sendJson(res, 200, deps.admin.status());
    case 'GET /_twin/instances': {
      const region = new URL(req.url ?? '/', 'http://twin').searchParams.get('region') ?? undefined;
      return sendJson(res, 200, deps.admin.instances(region));
    }
    case 'GET /_twin/faults':
      return sendJson(res, 200, { faults: deps.faults.list(), outages: deps.faults.outages() });
    case 'PUT /_twin/faults': {
      const body = await readJson(req);
      const rules = Array.isArray(body) ? body : (body as { faults?: unknown }).faults;
      if (!Array.isArray(rules)) throw new HttpError(400, 'expected a JSON array of fault rules or {"faults": [...]}');
      try {
        deps.faults.set(rules as FaultRule[]);
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
      deps.admin.faultsChanged();
      return sendJson(res, 200, { faults: deps.faults.list() });
    }
    case 'GET /_twin/iam':
      return sendJson(res, 200, { deny: deps.faults.iam.list() });
    case 'PUT /_twin/iam': {
      const body = (await readJson(req)) as { deny?: unknown };
      try {
        deps.faults.iam.set(body.deny ?? []);
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
      deps.admin.faultsChanged();
      return sendJson(res, 200, { deny: deps.faults.iam.list() });
    }
    case 'POST /_twin/outage': {
      const body = (await readJson(req)) as { region?: unknown; down?: unknown };
      if (typeof body.region !== 'string' || typeof body.down !== 'boolean') {
        throw new HttpError(400, 'expected {"region": "<aws region>", "down": true|false}');
      }
      try {
        deps.faults.setOutage(body.region, body.down);
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
      deps.admin.faultsChanged();
      return sendJson(res, 200, { outages: deps.faults.outages() });
    }
    case 'POST /_twin/shutdown':
      sendJson(res, 202, { shuttingDown: true });
      res.once('finish', () => deps.admin.shutdown());
      return;
    default:
      throw new HttpError(404, `no admin route ${route}`);
  }
}

const ADMIN = Symbol('admin');

/** The admin token, a VM's node token (its instance id), or undefined for anyone else. */
function adminCaller(auth: ServerAuth, authorization: string | undefined): typeof ADMIN | string | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  if (sameSecret(token, auth.adminToken)) return ADMIN;
  return auth.nodeInstanceOf(token);
}

export function createTwinServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://twin').pathname;
    const gce = deps.gce;
    const admin = path === '/_twin' || path.startsWith('/_twin/');
    const caller = admin ? adminCaller(deps.auth, req.headers.authorization) : undefined;
    if (admin && caller === undefined) {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="cloud-twin admin"' });
      res.end(`${JSON.stringify({ error: 'the admin API needs the twin\'s admin token (Authorization: Bearer …, from the twin-secret.json in its state dir; cbadm twin … sends it)' })}\n`);
      return;
    }
    const work =
      deps.k8s && path.startsWith('/_twin/k8s/')
        ? deps.k8s(req, res, path, caller === ADMIN ? undefined : caller)
        : admin && caller !== ADMIN
        ? Promise.reject(new HttpError(403, 'a node token reaches /_twin/k8s/ only'))
        : admin
        ? handleAdmin(deps, req, res, path)
        : isPricingRequest(req)
          ? handlePricing({ ...deps, awsSecretOf: deps.auth.awsSecretOf }, req, res)
          : gce && isGcpBillingPath(path)
          ? handleGcpBilling({ faults: deps.faults, tokens: gce.tokens }, req, res)
          : path === RETAIL_PRICES_PATH
          ? handleAzureRetail(req, res, `http://${req.headers.host ?? '127.0.0.1'}`)
          : gce && isResourceManagerPath(path)
          ? handleResourceManager({ tokens: gce.tokens, faults: deps.faults, onRequest: deps.onRequest }, req, res)
          : gce && isGcePath(path)
          ? handleGce({ gce: gce.engine, tokens: gce.tokens, faults: deps.faults, onRequest: deps.onRequest }, req, res)
          : handleEc2(deps, req, res);
    work.catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });
  // Longer than SDK clients keep idle sockets, so a reused socket is not closed under a request.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  return server;
}
