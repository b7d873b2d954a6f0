/**
 * The twin's HTTP server: one route table, first match wins. The admin API and the k8s node runtime
 * under `/_twin/`, the three pricing APIs, Cloud Resource Manager, OpenStack (Keystone, Nova, Neutron,
 * Glance), Cloudit (IAM, ACE, DNA), GCE REST and its token endpoint,
 * and the EC2 Query API last, for every other path (EC2 has no path of its own: `POST /`).
 * Azure's ARM is served by its own HTTPS listener (./azure/server.ts).
 * A new cloud's API on this port is one entry in `routes`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AdminAuth, type AdminHooks, handleAdmin, isAdminPath, twinCaller } from './admin.js';
import type { Ec2Engine } from './ec2/engine.js';
import { handleEc2 } from './ec2/http.js';
import type { Faults } from './faults.js';
import type { GceEngine } from './gce/engine.js';
import { handleGce, isGcePath } from './gce/http.js';
import { handleResourceManager, isResourceManagerPath } from './gce/resource-manager.js';
import type { TokenIssuer } from './gce/token.js';
import { HttpError, sendJson } from './http/io.js';
import type { ClouditAuth } from './cloudit/auth.js';
import type { ClouditEngine } from './cloudit/engine.js';
import { handleCloudit, isClouditPath } from './cloudit/http.js';
import type { OpenStackEngine } from './openstack/engine.js';
import { handleOpenStack, isOpenStackPath } from './openstack/http.js';
import type { KeystoneAuth } from './openstack/keystone.js';
import type { OnRequest } from './http/types.js';
import { handleAzureRetail, RETAIL_PRICES_PATH } from './pricing/azure-retail.js';
import { handleGcpBilling, isGcpBillingPath } from './pricing/gcp-billing.js';
import { handlePricing, isPricingRequest } from './pricing/http.js';


/** What the twin checks callers against. */
export interface ServerAuth extends AdminAuth {
  /** The secret access key of an AWS access key id the twin knows, else undefined. */
  awsSecretOf: (accessKeyId: string) => string | undefined;
}

export interface ServerDeps {
  ec2: Ec2Engine;
  auth: ServerAuth;
  faults: Faults;
  admin: AdminHooks;
  /** GCE REST under /compute/v1/ and the OAuth token endpoint /token. */
  gce?: { engine: GceEngine; tokens: TokenIssuer };
  /** Keystone, Nova, Neutron and Glance under /identity, /compute/v2.1, /network, /image. */
  openstack?: { engine: OpenStackEngine; auth: KeystoneAuth };
  /** Cloudit's IAM, ACE and DNA under /cloudit/v5.0/. */
  cloudit?: { engine: ClouditEngine; auth: ClouditAuth };
  onRequest?: OnRequest;
  /**
   * The simulated Kubernetes node runtime's routes under /_twin/k8s/; `instanceId` is the VM whose
   * node token came with the call (undefined for the admin token).
   */
  k8s?: (req: IncomingMessage, res: ServerResponse, path: string, instanceId: string | undefined) => Promise<void>;
}

/** One API on the twin's port: which requests are its, and how it serves one. */
export interface Route {
  name: string;
  match(req: IncomingMessage, path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

/** An entry that exists only when its optional engine does. */
function ifPresent<T>(engine: T | undefined, route: (engine: T) => Route): Route[] {
  return engine === undefined ? [] : [route(engine)];
}

/** The APIs in the order they are tried (their paths are disjoint; EC2, which has none, is last). */
export function routes(deps: ServerDeps): Route[] {
  const { faults, onRequest } = deps;
  const awsSecretOf = deps.auth.awsSecretOf;
  return [
    ...ifPresent(deps.k8s, (k8s) => ({
      name: 'k8s node runtime',
      match: (_req, path) => path.startsWith('/_twin/k8s/'),
      handle: async (req, res, path) => {
        const caller = twinCaller(deps.auth, req);
        return k8s(req, res, path, caller.admin ? undefined : caller.instanceId);
      },
    })),
    { name: 'admin', match: (_req, path) => isAdminPath(path), handle: (req, res, path) => handleAdmin(deps, req, res, path) },
    { name: 'AWS Price List', match: (req) => isPricingRequest(req), handle: (req, res) => handlePricing({ faults, awsSecretOf, onRequest }, req, res) },
    ...ifPresent(deps.gce, ({ tokens }) => ({
      name: 'GCP Cloud Billing catalog',
      match: (_req, path) => isGcpBillingPath(path),
      handle: (req, res) => handleGcpBilling({ faults, tokens }, req, res),
    })),
    {
      name: 'Azure retail prices',
      match: (_req, path) => path === RETAIL_PRICES_PATH,
      handle: (req, res) => handleAzureRetail(req, res, `http://${req.headers.host ?? '127.0.0.1'}`),
    },
    ...ifPresent(deps.gce, ({ tokens }) => ({
      name: 'GCP Resource Manager',
      match: (_req, path) => isResourceManagerPath(path),
      handle: (req, res) => handleResourceManager({ tokens, faults, onRequest }, req, res),
    })),
    ...ifPresent(deps.openstack, ({ engine, auth }) => ({
      name: 'OpenStack',
      match: (_req, path) => isOpenStackPath(path),
      handle: (req, res, path) => handleOpenStack({ engine, auth, faults, onRequest }, req, res, path),
    })),
    ...ifPresent(deps.cloudit, ({ engine, auth }) => ({
      name: 'Cloudit',
      match: (_req, path) => isClouditPath(path),
      handle: (req, res, path) => handleCloudit({ engine, auth, faults, onRequest }, req, res, path),
    })),
    ...ifPresent(deps.gce, ({ engine, tokens }) => ({
      name: 'GCE',
      match: (_req, path) => isGcePath(path),
      handle: (req, res) => handleGce({ gce: engine, tokens, faults, onRequest }, req, res),
    })),
    { name: 'EC2', match: () => true, handle: (req, res) => handleEc2({ ec2: deps.ec2, awsSecretOf, faults, onRequest }, req, res) },
  ];
}

export function createTwinServer(deps: ServerDeps): Server {
  const table = routes(deps);
  const ec2 = table[table.length - 1]!;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://twin').pathname;
    // EC2, the last route, matches everything.
    const route = table.find((r) => r.match(req, path)) ?? ec2;
    // A handler that throws before its first await still ends in the catch below.
    Promise.resolve().then(() => route.handle(req, res, path)).catch((e: unknown) => {
      if (res.headersSent) return res.destroy();
      req.resume();
      const status = e instanceof HttpError ? e.status : 500;
      sendJson(res, status, { error: e instanceof Error ? e.message : String(e) }, e instanceof HttpError ? e.headers : {});
    });
  });
  // Longer than SDK clients keep idle sockets, so a reused socket is not closed under a request.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  return server;
}
