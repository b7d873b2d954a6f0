/**
 * Cloudit IAM's token: `POST /cloudit/v5.0/iam/v1.0/auth` with the user's id, password and tenant
 * answers a token that every other call carries in `X-Auth-Token`. Tokens are HMAC-signed by the
 * twin's secret with an expiry (nothing stored): a forged or expired token is a 401 everywhere, and
 * the client issues a new one, as CB-Spider's Cloudit client re-authenticates on 401.
 */
import { createHmac } from 'node:crypto';
import type { ClouditCredentials } from '../auth/credentials.js';
import { sameSecret } from '../auth/jwt.js';
import { badRequest, ClouditError } from './errors.js';

export interface ClouditAuth {
  user: ClouditCredentials;
  tokenKey: Buffer;
  ttlMs: number;
  now: () => number;
}

interface Claims {
  sub: string;
  tenant: string;
  exp: number;
}

export function issueClouditToken(auth: ClouditAuth, body: Record<string, unknown>): { token: string; expiresAt: string } {
  for (const field of ['id', 'password', 'tenant'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '') throw badRequest(`'${field}' is required (a string)`);
  }
  const u = auth.user;
  // One answer for a wrong id, password or tenant: which one was wrong is not told.
  if (!(sameSecret(String(body.id), u.id) && sameSecret(String(body.password), u.password) && sameSecret(String(body.tenant), u.tenantId))) {
    throw new ClouditError(401, 'AUTHENTICATION_FAILED', 'id, password or tenant is incorrect');
  }
  const claims: Claims = { sub: u.id, tenant: u.tenantId, exp: auth.now() + auth.ttlMs };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', auth.tokenKey).update(payload).digest('base64url');
  return { token: `${payload}.${mac}`, expiresAt: new Date(claims.exp).toISOString() };
}

/** The tenant a valid, unexpired token is for; otherwise a 401. */
export function verifyClouditToken(auth: ClouditAuth, token: string | undefined): string {
  const [payload = '', mac = ''] = (token ?? '').split('.');
  const invalid = new ClouditError(401, 'INVALID_TOKEN', 'the token is missing, invalid or expired; issue a new one at iam/v1.0/auth');
  if (!payload || !sameSecret(mac, createHmac('sha256', auth.tokenKey).update(payload).digest('base64url'))) throw invalid;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  if (claims.exp <= auth.now()) throw invalid;
  return claims.tenant;
}
