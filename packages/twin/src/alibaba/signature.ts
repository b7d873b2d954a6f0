/**
 * Alibaba Cloud's request signatures, checked against the AccessKey secret the twin issued:
 * - ACS3-HMAC-SHA256 (`Authorization` header over a canonical request), which the current
 *   `@alicloud/openapi-client` SDKs send by default;
 * - signature v1 (`SignatureMethod=HMAC-SHA1` in the parameters), which older SDKs, the aliyun CLI
 *   and Apache Libcloud's ECS driver send.
 * A wrong secret is `SignatureDoesNotMatch`, an unknown key `InvalidAccessKeyId.NotFound`, a
 * timestamp off by more than 15 minutes `InvalidTimeStamp.Expired`, a reused nonce `SignatureNonceUsed`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { EcsError } from './errors.js';

const SKEW_MS = 15 * 60_000;

export interface SignedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Query and form parameters together. */
  params: URLSearchParams;
}

/** RFC 3986 encoding as Alibaba's signers use it (`encodeURIComponent` plus `!'()*`). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
}

export class SignatureChecker {
  private readonly nonces = new Map<string, number>();

  constructor(private readonly secretOf: (accessKeyId: string) => string | undefined, private readonly now: () => number = Date.now) {}

  /** The caller's AccessKey id, or throws the error ECS answers with. */
  verify(req: SignedRequest): string {
    const auth = header(req.headers, 'authorization');
    if (auth.startsWith('ACS3-')) return this.verifyAcs3(req, auth);
    return this.verifyV1(req);
  }

  private secret(accessKeyId: string): string {
    const secret = this.secretOf(accessKeyId);
    if (secret === undefined) throw new EcsError('InvalidAccessKeyId.NotFound');
    return secret;
  }

  private fresh(timestamp: string, nonce: string): void {
    const at = Date.parse(timestamp);
    const now = this.now();
    if (Number.isNaN(at) || Math.abs(now - at) > SKEW_MS) throw new EcsError('InvalidTimeStamp.Expired', `Specified time stamp or date value is expired. Timestamp ${timestamp}`);
    if (!nonce) throw new EcsError('MissingParameter', 'The input parameter "SignatureNonce" that is mandatory for processing this request is not supplied.');
    if (this.nonces.size > 50_000) for (const [n, until] of this.nonces) if (until < now) this.nonces.delete(n);
    const until = this.nonces.get(nonce);
    if (until !== undefined && until >= now) throw new EcsError('SignatureNonceUsed');
    this.nonces.set(nonce, now + 2 * SKEW_MS);
  }

  private verifyV1(req: SignedRequest): string {
    const p = req.params;
    const accessKeyId = p.get('AccessKeyId');
    const signature = p.get('Signature');
    if (!accessKeyId || !signature) throw new EcsError('MissingParameter', `The input parameter "${accessKeyId ? 'Signature' : 'AccessKeyId'}" that is mandatory for processing this request is not supplied.`);
    if (p.get('SignatureMethod') !== 'HMAC-SHA1' || p.get('SignatureVersion') !== '1.0') {
      throw new EcsError('IncompleteSignature', 'The request signature does not conform to Aliyun standards. SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0.');
    }
    const secret = this.secret(accessKeyId);
    const pairs = [...p.entries()].filter(([k]) => k !== 'Signature').map(([k, v]) => [percentEncode(k), percentEncode(v)] as const);
    pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const canonical = pairs.map(([k, v]) => `${k}=${v}`).join('&');
    const stringToSign = `${req.method}&${percentEncode('/')}&${percentEncode(canonical)}`;
    const expected = createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
    if (!same(expected, signature)) {
      throw new EcsError('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
    }
    this.fresh(p.get('Timestamp') ?? '', p.get('SignatureNonce') ?? '');
    return accessKeyId;
  }

  private verifyAcs3(req: SignedRequest, auth: string): string {
    const m = /^(ACS3-HMAC-SHA256) Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(auth);
    if (!m) throw new EcsError('IncompleteSignature', 'The request signature does not conform to Aliyun standards. Only ACS3-HMAC-SHA256 is accepted.');
    const [, algorithm, accessKeyId, signedList, signature] = m as unknown as [string, string, string, string, string];
    const secret = this.secret(accessKeyId);
    const signed = signedList.split(';');
    if (!signed.includes('host') || !signed.includes('x-acs-date') || !signed.includes('x-acs-content-sha256')) {
      throw new EcsError('IncompleteSignature', 'The request signature does not conform to Aliyun standards. host, x-acs-date and x-acs-content-sha256 must be signed.');
    }
    const payloadHash = createHash('sha256').update(req.body).digest('hex');
    if (header(req.headers, 'x-acs-content-sha256') !== payloadHash) throw new EcsError('SignatureDoesNotMatch', 'The x-acs-content-sha256 header does not match the request body.');
    const url = new URL(req.url, 'http://twin');
    const query = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const canonicalQuery = query.map(([k, v]) => `${k}=${percentEncode(v)}`).join('&');
    const canonicalHeaders = signed.map((h) => `${h}:${header(req.headers, h)}\n`).join('');
    const canonicalRequest = [req.method, url.pathname, canonicalQuery, canonicalHeaders, signedList, payloadHash].join('\n');
    const stringToSign = `${algorithm}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
    if (!same(expected, signature)) {
      throw new EcsError('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
    }
    this.fresh(header(req.headers, 'x-acs-date'), header(req.headers, 'x-acs-signature-nonce'));
    return accessKeyId;
  }
}
