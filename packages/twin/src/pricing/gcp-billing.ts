/**
 * Google Cloud Billing Catalog API (`cloudbilling.googleapis.com/v1`): `GET /v1/services` and
 * `GET /v1/services/{serviceId}/skus` with pageSize/pageToken paging, bearer-token authentication
 * (tokens the twin issued) and Google's JSON error shape, answering with the twin's Compute Engine SKUs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults.js';
import { COMPUTE_SERVICE_ID, computeSkus } from './gcp-skus.js';
import { type TokenIssuer, unauthenticated } from '../gce/token.js';

export const BILLING_PREFIX = '/v1/services';
const MAX_PAGE = 5000;

export function isGcpBillingPath(path: string): boolean {
  return path === BILLING_PREFIX || path.startsWith(`${BILLING_PREFIX}/`);
}

class GoogleError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8', vary: 'X-Origin' });
  res.end(JSON.stringify(body, null, 2));
}

function page<T>(items: readonly T[], q: URLSearchParams): { items: T[]; next: string } {
  const size = q.has('pageSize') ? Number(q.get('pageSize')) : MAX_PAGE;
  if (!Number.isInteger(size) || size < 0) throw new GoogleError(400, 'INVALID_ARGUMENT', 'Invalid value for page_size.');
  const limit = size === 0 ? MAX_PAGE : Math.min(size, MAX_PAGE);
  const token = q.get('pageToken') ?? '';
  let offset = 0;
  if (token) {
    const m = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m) throw new GoogleError(400, 'INVALID_ARGUMENT', 'Invalid page token.');
    offset = Number(m[1]);
  }
  const slice = items.slice(offset, offset + limit);
  return { items: slice, next: offset + limit < items.length ? Buffer.from(`o${offset + limit}`).toString('base64url') : '' };
}

export async function handleGcpBilling(deps: { faults: Faults; tokens: TokenIssuer }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://twin');
  try {
    if (req.method !== 'GET') throw new GoogleError(405, 'INVALID_ARGUMENT', `Method ${req.method ?? ''} is not allowed.`);
    // The twin issues no API keys: any key is one Google would not know.
    if (url.searchParams.has('key') && !req.headers.authorization) throw new GoogleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
    const caller = deps.tokens.caller(req.headers.authorization);
    if (caller === 'missing' || caller === 'invalid') {
      const out = unauthenticated(caller);
      return send(res, out.status, out.body);
    }
    const fault = deps.faults.decide('services.skus.list', 'global', 'gcp');
    if (fault.code) throw new GoogleError(fault.code === 'rateLimitExceeded' ? 429 : 503, fault.code === 'rateLimitExceeded' ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE', `Injected fault: ${fault.code}`);
    const parts = url.pathname.split('/').filter(Boolean); // v1, services[, id, skus]
    if (parts.length === 2) {
      const p = page([{ name: `services/${COMPUTE_SERVICE_ID}`, serviceId: COMPUTE_SERVICE_ID, displayName: 'Compute Engine', businessEntityName: 'businessEntities/GCP' }], url.searchParams);
      return send(res, 200, { services: p.items, nextPageToken: p.next });
    }
    if (parts.length !== 4 || parts[3] !== 'skus') throw new GoogleError(404, 'NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`);
    if (parts[2] !== COMPUTE_SERVICE_ID) throw new GoogleError(404, 'NOT_FOUND', `Service ${parts[2]} not found.`);
    const currency = url.searchParams.get('currencyCode') ?? 'USD';
    if (currency !== 'USD') throw new GoogleError(400, 'INVALID_ARGUMENT', `Currency ${currency} is not supported by Cloud-Twin (prices are kept in USD).`);
    const p = page(computeSkus(), url.searchParams);
    return send(res, 200, { skus: p.items, nextPageToken: p.next });
  } catch (e) {
    const err = e instanceof GoogleError ? e : new GoogleError(500, 'INTERNAL', 'Internal error encountered.');
    if (!(e instanceof GoogleError)) console.error('cloud-twin: billing internal error', e);
    send(res, err.code, { error: { code: err.code, message: err.message, status: err.status } });
  }
}
