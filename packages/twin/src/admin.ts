/**
 * The twin's admin API under `/_twin/`: status, instances, fault rules, IAM denials, outages and
 * shutdown. Only the admin token reaches it; a VM's node token reaches `/_twin/k8s/` only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameSecret } from './auth/jwt.js';
import type { FaultRule, Faults } from './faults.js';
import { HttpError, readJson, sendJson } from './http/io.js';

export interface AdminHooks {
  status(): unknown;
  instances(region?: string): unknown;
  /** Asked to shut down (POST /_twin/shutdown); the response is sent first. */
  shutdown(): void;
  faultsChanged(): void;
}

/** The tokens that reach `/_twin/`. */
export interface AdminAuth {
  /** The admin API's bearer token. */
  adminToken: string;
  /** The instance a node-runtime token belongs to, else undefined. */
  nodeInstanceOf: (token: string) => string | undefined;
}

export interface AdminDeps {
  auth: AdminAuth;
  faults: Faults;
  admin: AdminHooks;
}

export function isAdminPath(path: string): boolean {
  return path === '/_twin' || path.startsWith('/_twin/');
}

/** Who called: `admin` for the admin token, else the instance id of a VM's node token. */
export type TwinCaller = { admin: true } | { admin: false; instanceId: string };

/** The caller of an admin-API request; HttpError 401 when its bearer token is neither. */
export function twinCaller(auth: AdminAuth, req: IncomingMessage): TwinCaller {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (token && sameSecret(token, auth.adminToken)) return { admin: true };
  const instanceId = token ? auth.nodeInstanceOf(token) : undefined;
  if (instanceId !== undefined) return { admin: false, instanceId };
  throw new HttpError(
    401,
    "the admin API needs the twin's admin token (Authorization: Bearer …, from the twin-secret.json in its state dir; cbadm twin … sends it)",
    { 'www-authenticate': 'Bearer realm="cloud-twin admin"' },
  );
}

/** Runs `change`; a rule it rejects is the caller's mistake (400), and a change it accepts is saved. */
function change(deps: AdminDeps, apply: () => void): void {
  try {
    apply();
  } catch (e) {
    throw new HttpError(400, (e as Error).message);
  }
  deps.admin.faultsChanged();
}

export async function handleAdmin(deps: AdminDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (!twinCaller(deps.auth, req).admin) throw new HttpError(403, 'a node token reaches /_twin/k8s/ only');
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
      change(deps, () => deps.faults.set(rules as FaultRule[]));
      return sendJson(res, 200, { faults: deps.faults.list() });
    }
    case 'GET /_twin/iam':
      return sendJson(res, 200, { deny: deps.faults.iam.list() });
    case 'PUT /_twin/iam': {
      const body = (await readJson(req)) as { deny?: unknown };
      change(deps, () => deps.faults.iam.set(body.deny ?? []));
      return sendJson(res, 200, { deny: deps.faults.iam.list() });
    }
    case 'POST /_twin/outage': {
      const body = (await readJson(req)) as { region?: unknown; down?: unknown };
      const { region, down } = body;
      if (typeof region !== 'string' || typeof down !== 'boolean') {
        throw new HttpError(400, 'expected {"region": "<aws region>", "down": true|false}');
      }
      change(deps, () => deps.faults.setOutage(region, down));
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
