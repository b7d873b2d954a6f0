/** Helpers for GCE tests against the twin: raw REST calls, operation waits, a JWT-bearer assertion. */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Twin } from '../src/twin.js';

export const PROJECT = 'twin-test-project';

export interface GceReply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** One REST call under /compute/v1/projects/{project}/ (path given relative to that). */
export async function gce<T = Record<string, unknown>>(
  twin: Twin,
  method: string,
  path: string,
  body?: unknown,
  opts: { project?: string; token?: string | null } = {},
): Promise<GceReply<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? (await gceToken(twin))}`;
  const project = opts.project ?? PROJECT;
  const res = await fetch(`${twin.endpoints.gcp}/compute/v1/projects/${project}${path ? `/${path}` : ''}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

/** Posts an operation-returning call and waits for the operation with `…/wait`. */
export async function gceDone(twin: Twin, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await gce(twin, method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  let op = r.body;
  const scope = /^(zones\/[^/]+|regions\/[^/]+|global)\//.exec(path)?.[1] ?? 'global';
  while (op.status !== 'DONE') {
    op = (await gce(twin, 'POST', `${scope}/operations/${String(op.name)}/wait`)).body;
  }
  return op;
}

export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/gce/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/**
 * A service-account-style JWT-bearer assertion, signed RS256 as google-auth-library signs it: with
 * `key` (the twin's service account: its private key and key id), else with a fresh key no one knows.
 */
export function jwtAssertion(claims: Record<string, unknown>, key?: { privateKey: string; privateKeyId: string }): string {
  const privateKey = key?.privateKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT', ...(key ? { kid: key.privateKeyId } : {}) })}.${part(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
  return `${unsigned}.${signature}`;
}

const tokens = new WeakMap<Twin, Promise<string>>();

/** An access token from the twin's token endpoint for its service account (one per twin). */
export function gceToken(twin: Twin): Promise<string> {
  let t = tokens.get(twin);
  if (!t) {
    const now = Math.floor(Date.now() / 1000);
    const { clientEmail } = twin.credentials.gcp;
    const assertion = jwtAssertion({ iss: clientEmail, scope: 'https://www.googleapis.com/auth/cloud-platform', aud: `${twin.endpoints.gcp}/token`, iat: now, exp: now + 3600 }, twin.credentials.gcp);
    t = fetch(`${twin.endpoints.gcp}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }) }).then(async (r) => {
      const body = (await r.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`no GCE token from the twin: ${JSON.stringify(body)}`);
      return body.access_token;
    });
    tokens.set(twin, t);
  }
  return t;
}
