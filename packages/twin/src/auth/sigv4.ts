/**
 * The one AWS Signature Version 4 verifier every AWS API of the twin goes through (EC2 Query, the
 * Price List Query API, …): it rebuilds the canonical request and string to sign from what arrived,
 * derives the signing key from the secret of the access key named in the credential scope, and
 * compares signatures. Header auth (`Authorization: AWS4-HMAC-SHA256 …`) and presigned query auth
 * (`X-Amz-Signature=…`) both; the payload hash is always the received body's. Each API renders a
 * failure in its own error shape.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far a request's X-Amz-Date may be from the server's clock (AWS: 5 minutes). */
export const MAX_SKEW_MS = 5 * 60_000;

export interface SigV4Request {
  method: string;
  /** The request target as received: path and query, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export type SigV4Failure =
  /** No signature at all. */
  | 'missing'
  /** A signature that cannot be parsed (bad algorithm, scope, date). */
  | 'malformed'
  /** The access key id is not one of ours. */
  | 'unknownKey'
  | 'signature'
  /** X-Amz-Date too far from now, or a presigned URL past its expiry. */
  | 'expired';

export type SigV4Result =
  | { ok: true; scope: SigV4Scope }
  | { ok: false; failure: SigV4Failure; message: string; scope?: SigV4Scope };

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ */
function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/** The canonical URI of a non-S3 service: dot segments removed, each segment encoded again. */
function canonicalPath(rawPath: string): string {
  const out: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const joined = `/${out.join('/')}${rawPath.endsWith('/') && out.length > 0 ? '/' : ''}`;
  return uriEscape(joined).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string, drop?: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const k = decode(eq < 0 ? p : p.slice(0, eq));
      const v = eq < 0 ? '' : decode(p.slice(eq + 1));
      return [uriEscape(k), uriEscape(v)] as const;
    })
    .filter(([k]) => k !== drop);
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  const s = Array.isArray(v) ? v.join(',') : (v ?? '');
  return s.trim().replace(/\s+/g, ' ');
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** The signing key of one day, region and service. */
export function signingKey(secretAccessKey: string, s: Omit<SigV4Scope, 'accessKeyId'>): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, s.date), s.region), s.service), 'aws4_request');
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or NaN. */
function parseAmzDate(d: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(d);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
}

interface Parsed {
  credential: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  /** Presigned URLs only: seconds the URL is good for. */
  expires?: number;
  presigned: boolean;
}

/** The signature's parts, or why there are none: 'missing', else a message. */
function parseAuth(req: SigV4Request, query: URLSearchParams): Parsed | string {
  const auth = headerValue(req.headers, 'authorization');
  if (auth) {
    if (!auth.startsWith(`${ALGORITHM} `)) return `Unsupported authorization type: ${auth.split(' ')[0] ?? ''}`;
    const fields = new Map<string, string>();
    for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (!credential || !signedHeaders || !signature) {
      return "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.";
    }
    const amzDate = headerValue(req.headers, 'x-amz-date');
    if (!amzDate) return "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";
    return { credential, signedHeaders: signedHeaders.split(';'), signature, amzDate, presigned: false };
  }
  if (query.has('X-Amz-Signature')) {
    if (query.get('X-Amz-Algorithm') !== ALGORITHM) return `X-Amz-Algorithm only supports "${ALGORITHM}"`;
    const credential = query.get('X-Amz-Credential') ?? '';
    const amzDate = query.get('X-Amz-Date') ?? '';
    const expires = Number(query.get('X-Amz-Expires') ?? '');
    if (!credential || !amzDate || !Number.isInteger(expires) || expires < 1 || expires > 604_800) {
      return 'Presigned requests need X-Amz-Credential, X-Amz-Date and X-Amz-Expires (1 to 604800 seconds).';
    }
    return {
      credential,
      signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
      signature: query.get('X-Amz-Signature') ?? '',
      amzDate,
      expires,
      presigned: true,
    };
  }
  return 'missing';
}

/**
 * Verifies one request. `secretOf` answers the secret access key of an access key id, or undefined
 * for an unknown key.
 */
export function verifySigV4(req: SigV4Request, secretOf: (accessKeyId: string) => string | undefined, now = Date.now()): SigV4Result {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const parsed = parseAuth(req, new URLSearchParams(rawQuery));
  if (parsed === 'missing') return { ok: false, failure: 'missing', message: 'Missing Authentication Token' };
  if (typeof parsed === 'string') return { ok: false, failure: 'malformed', message: parsed };
  const parts = parsed.credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1] ?? '')) {
    return { ok: false, failure: 'malformed', message: `Credential should be scoped to a valid region, not '${parts[2] ?? ''}'. ` };
  }
  const scope: SigV4Scope = { accessKeyId: parts[0] ?? '', date: parts[1] ?? '', region: parts[2] ?? '', service: parts[3] ?? '' };
  const secret = secretOf(scope.accessKeyId);
  if (secret === undefined) return { ok: false, failure: 'unknownKey', message: 'The security token included in the request is invalid.', scope };

  const signed = parsed.signedHeaders.map((h) => h.toLowerCase());
  if (!signed.includes('host')) return { ok: false, failure: 'malformed', message: "'Host' must be a 'SignedHeader' in the AWS Authorization.", scope };
  const canonicalHeaders = signed.map((h) => `${h}:${headerValue(req.headers, h)}\n`).join('');
  // A declared hash (x-amz-content-sha256) counts only if it is the body's: the APIs here carry
  // their parameters in the body, so an unsigned or mismatched payload would be an unsigned request.
  const payloadHash = sha256Hex(req.body);
  const declared = headerValue(req.headers, 'x-amz-content-sha256');
  if (declared && declared.toLowerCase() !== payloadHash) {
    return { ok: false, failure: 'signature', message: 'The provided x-amz-content-sha256 header does not match what was computed.', scope };
  }
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(rawPath),
    canonicalQuery(rawQuery, parsed.presigned ? 'X-Amz-Signature' : undefined),
    canonicalHeaders,
    signed.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, parsed.amzDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const expected = createHmac('sha256', signingKey(secret, scope)).update(stringToSign).digest();
  const given = /^[0-9a-f]{64}$/i.test(parsed.signature) ? Buffer.from(parsed.signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      failure: 'signature',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      scope,
    };
  }
  // Checked after the signature: only a genuine signer learns that its clock is off.
  const at = parseAmzDate(parsed.amzDate);
  if (Number.isNaN(at) || !parsed.amzDate.startsWith(scope.date)) {
    return { ok: false, failure: 'malformed', message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${parsed.amzDate.slice(0, 8)}'`, scope };
  }
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  if (parsed.presigned) {
    if (now > at + (parsed.expires ?? 0) * 1000) return { ok: false, failure: 'expired', message: `Request has expired (signed ${parsed.amzDate}, valid for ${parsed.expires ?? 0} s).`, scope };
  } else if (Math.abs(now - at) > MAX_SKEW_MS) {
    const rel = at < now ? `earlier than ${stamp(now - MAX_SKEW_MS)} (${stamp(now)} - 5 min.)` : `later than ${stamp(now + MAX_SKEW_MS)} (${stamp(now)} + 5 min.)`;
    return { ok: false, failure: 'expired', message: `Signature expired: ${parsed.amzDate} is now ${rel}`, scope };
  }
  return { ok: true, scope };
}
