/**
 * The one Cloud Resource Manager method the twin serves: `projects.testIamPermissions`
 * (`POST /v1/projects/{project}:testIamPermissions`, also under `/v3/`), which answers with the
 * subset of the asked permissions the caller holds on the project — here, all but those the admin
 * API denies. Same host as GCE, as with the billing catalog: a client points its API endpoint at
 * the twin.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults.js';
import { readText } from '../http/io.js';
import type { OnRequest } from '../http/types.js';
import { type TokenIssuer, unauthenticated } from './token.js';

export interface ResourceManagerDeps {
  tokens: TokenIssuer;
  faults: Faults;
  onRequest?: OnRequest | undefined;
}

const PATH = /^\/v[13]\/projects\/([^/:]+):testIamPermissions$/;
const PROJECT_RE = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
/** The API's own limit on permissions per request. */
const MAX_PERMISSIONS = 100;

export function isResourceManagerPath(path: string): boolean {
  return PATH.test(path);
}

/** Google's v1 error JSON with the gRPC status name, as Resource Manager answers. */
function error(status: number, grpc: string, message: string): { status: number; body: unknown } {
  return { status, body: { error: { code: status, message, status: grpc } } };
}

function answer(deps: ResourceManagerDeps, req: IncomingMessage, path: string, text: string): { status: number; body: unknown } {
  if (req.method !== 'POST') return error(405, 'INVALID_ARGUMENT', `Method ${req.method ?? ''} not allowed; use POST`);
  const caller = deps.tokens.caller(req.headers.authorization);
  if (caller === 'missing' || caller === 'invalid') return unauthenticated(caller);
  const project = PATH.exec(path)?.[1] ?? '';
  if (!PROJECT_RE.test(project)) return error(400, 'INVALID_ARGUMENT', `Invalid resource field value in the request: projects/${project}`);
  let body: { permissions?: unknown };
  try {
    body = text.trim() === '' ? {} : (JSON.parse(text) as { permissions?: unknown });
  } catch {
    return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
  }
  const asked = body.permissions ?? [];
  if (!Array.isArray(asked) || asked.some((p) => typeof p !== 'string')) {
    return error(400, 'INVALID_ARGUMENT', 'Invalid value at \'permissions\': expected a list of strings');
  }
  const perms = asked as string[];
  if (perms.length > MAX_PERMISSIONS) return error(400, 'INVALID_ARGUMENT', `The number of permissions in the request (${perms.length}) exceeds the maximum of ${MAX_PERMISSIONS}.`);
  const wild = perms.find((p) => p.includes('*'));
  if (wild !== undefined) return error(400, 'INVALID_ARGUMENT', `Permissions ('${wild}') with wildcards (*) are not allowed.`);
  const held = [...new Set(perms)].filter((p) => !deps.faults.iam.denied(p));
  // proto3 JSON leaves an empty repeated field out.
  return { status: 200, body: held.length ? { permissions: held } : {} };
}

/** Serves one request; never throws. */
export async function handleResourceManager(deps: ResourceManagerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const path = new URL(req.url ?? '/', 'http://twin').pathname;
  let out: { status: number; body: unknown };
  try {
    out = answer(deps, req, path, await readText(req));
  } catch {
    out = error(500, 'INTERNAL', 'Internal error encountered.');
  }
  res.writeHead(out.status, { 'content-type': 'application/json; charset=UTF-8', server: 'ESF' });
  res.end(`${JSON.stringify(out.body, null, 2)}\n`);
  deps.onRequest?.({
    time: new Date(started).toISOString(),
    requestId: randomUUID(),
    provider: 'gcp',
    action: 'projects.testIamPermissions',
    status: out.status,
    ...(out.status >= 400 ? { code: (out.body as { error: { status: string } }).error.status } : {}),
    ms: Date.now() - started,
  });
}
