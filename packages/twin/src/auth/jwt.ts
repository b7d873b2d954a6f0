/**
 * The twin's own bearer tokens: HS256 JWTs signed with a key derived from the twin's secret, so
 * the twin can check a token it issued without remembering it (tokens survive a restart). Azure
 * access tokens are these JWTs as they are; GCE access tokens wrap one (`ya29.<jwt>`). And the RS256
 * check of a JWT signed by a client's private key (Google's service-account assertion).
 */
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';

export type Claims = Record<string, unknown>;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** The JSON object of one base64url JWT segment, or undefined. */
export function decodeSegment(part: string | undefined): Claims | undefined {
  if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Claims) : undefined;
  } catch {
    return undefined;
  }
}

export function signHs256(claims: Claims, key: Buffer, header: Claims = {}): string {
  const head = `${b64({ typ: 'JWT', alg: 'HS256', ...header })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

/**
 * The claims of a token this key signed, if its signature holds and `now` is within nbf..exp
 * (seconds); undefined for anything else.
 */
export function verifyHs256(token: string, key: Buffer, nowMs = Date.now()): Claims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodeSegment(parts[0]);
  const claims = decodeSegment(parts[1]);
  if (header?.alg !== 'HS256' || !claims) return undefined;
  const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2] ?? '', 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
  if (typeof claims.nbf === 'number' && claims.nbf > now + 300) return undefined;
  return claims;
}

/** Whether an RS256 JWT's signature was made by the private key of `publicKeyPem`. */
export function rs256Valid(token: string, publicKeyPem: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[2]) return false;
  try {
    return verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(publicKeyPem), Buffer.from(parts[2], 'base64url'));
  } catch {
    return false;
  }
}

/** Compares two secrets in constant time (for equal lengths). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
