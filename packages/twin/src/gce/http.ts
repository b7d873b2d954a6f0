/**
 * GCE over HTTP: `/compute/v1/…` (bearer tokens the twin issued) and the OAuth token endpoint `/token`.
 * JSON in, JSON out, Google's error JSON on failure, `Retry-After` on 429.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Faults } from '../faults.js';
import { MAX_BODY, readText } from '../http/io.js';
import type { OnRequest } from '../http/types.js';
import type { GceEngine } from './engine.js';
import { GceError } from './errors.js';
import { gceDeniedMessage, GCE_PERMISSIONS } from '../iam.js';
import { API_PREFIX, apiBase, Links } from './links.js';
import { INVALID_CREDENTIALS, MISSING_CREDENTIALS, type TokenIssuer } from './token.js';

export const TOKEN_PATH = '/token';

export interface GceHttpDeps {
  gce: GceEngine;
  tokens: TokenIssuer;
  faults: Faults;
  onRequest?: OnRequest | undefined;
}

export function isGcePath(path: string): boolean {
  return path.startsWith(API_PREFIX) || path === TOKEN_PATH;
}

const BODY_LIMIT = { tooLarge: () => new GceError('badRequest', `Request payload size exceeds the limit: ${MAX_BODY} bytes.`, 413) };

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', server: 'ESF', vary: 'Origin, X-Origin, Referer', ...headers });
  res.end(`${JSON.stringify(body, null, 1)}\n`);
}

function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new GceError('parseError', 'Invalid JSON payload received. Unexpected token.', 400);
  }
  // Google's REST clients send `""` as the body of calls that take none (wait, stop, delete…).
  if (v === null || v === '') return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new GceError('parseError', 'Invalid JSON payload received. Expected an object.', 400);
  return v as Record<string, unknown>;
}

async function handleToken(deps: GceHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    send(res, 405, { error: 'invalid_request', error_description: 'Use POST' });
    return;
  }
  const answer = deps.tokens.issue(new URLSearchParams(await readText(req, BODY_LIMIT)));
  send(res, answer.status, answer.body, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' });
}

/** Serves one GCE request; never throws (errors become Google's error JSON). */
export async function handleGce(deps: GceHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://twin');
  if (url.pathname === TOKEN_PATH) {
    await handleToken(deps, req, res).catch(() => send(res, 500, { error: 'server_error' }));
    return;
  }
  const requestId = randomUUID();
  let status = 200;
  let code: string | undefined;
  let method: string | undefined;
  let region: string | undefined;
  try {
    const text = await readText(req, BODY_LIMIT);
    const caller = deps.tokens.caller(req.headers.authorization);
    if (caller === 'missing') {
      throw new GceError('required', MISSING_CREDENTIALS, 401, { location: 'Authorization', locationType: 'header', detailMessage: 'Login Required.' });
    }
    if (caller === 'invalid') {
      throw new GceError('authError', INVALID_CREDENTIALS, 401, { location: 'Authorization', locationType: 'header', detailMessage: 'Invalid Credentials' });
    }
    const secure = (req.socket as Partial<TLSSocket>).encrypted === true;
    let clientGone = false;
    res.once('close', () => (clientGone = true));
    const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
    const body = parseBody(text);
    const answer = await deps.gce.handle({
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      body,
      links: new Links(apiBase(req.headers.host, secure)),
      user: caller.account,
      gone: () => clientGone,
      decide: (m, r, z) => {
        method = m;
        region = r === 'global' ? undefined : r;
        // IAM is checked before the method runs: a denied call changes nothing.
        const denied = deps.faults.iam.firstDenied(GCE_PERMISSIONS[m] ?? []);
        if (denied) {
          const resource = m.endsWith('.insert') && typeof body.name === 'string' ? `${path}/${body.name}` : path;
          throw new GceError('forbidden', gceDeniedMessage(denied, resource), 403);
        }
        return deps.faults.decide(m, r, 'gcp', z);
      },
      isDown: (r) => deps.faults.isDown(r),
    });
    method = answer.method;
    region = answer.region;
    status = answer.status;
    send(res, status, answer.body);
  } catch (e) {
    const error = e instanceof GceError ? e : new GceError('backendError', 'Internal error. Please try again.', 500);
    if (!(e instanceof GceError)) console.error('cloud-twin: internal error (gce)', e);
    status = error.status;
    code = error.reason;
    send(res, status, error.toJSON(), error.extra.retryAfterSec !== undefined ? { 'retry-after': String(error.extra.retryAfterSec) } : {});
  }
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId, provider: 'gcp', region, action: method, status, code, ms: Date.now() - started });
}
