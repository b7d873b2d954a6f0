/**
 * HTTP front of the twin's AWS Price List Query API: `POST /` with `X-Amz-Target:
 * AWSPriceListService.<Operation>` and an `application/x-amz-json-1.1` body, signed (SigV4, verified)
 * for one of the regions the real service has endpoints in. Errors are JSON 1.1 (`__type`, `Message`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults.js';
import { readBody } from '../http/io.js';
import type { OnRequest } from '../http/types.js';
import { sleep } from '../sleep.js';
import { describeServices, getProducts, PricingError } from './service.js';
import { type SigV4Failure, verifySigV4 } from '../auth/sigv4.js';

export const PRICING_TARGET_PREFIX = 'AWSPriceListService.';
/** The Price List Query API answers only in these regions (its endpoints' regions). */
export const PRICING_REGIONS = ['us-east-1', 'eu-central-1', 'ap-south-1'];
const BODY_LIMIT = { max: 1024 * 1024, tooLarge: () => new PricingError('SerializationException', 'request body too large', 413) };

export interface PricingDeps {
  faults: Faults;
  /** The secret access key of an access key id the twin knows (see ../auth/sigv4.ts). */
  awsSecretOf: (accessKeyId: string) => string | undefined;
  onRequest?: OnRequest | undefined;
}

export function isPricingRequest(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(PRICING_TARGET_PREFIX);
}

/** The Price List API's (JSON protocol) answer to a request whose signature did not verify. */
function authError(failure: SigV4Failure, message: string): PricingError {
  switch (failure) {
    case 'missing':
      return new PricingError('MissingAuthenticationTokenException', message, 403);
    case 'unknownKey':
      return new PricingError('UnrecognizedClientException', message, 400);
    case 'malformed':
      return new PricingError('IncompleteSignatureException', message, 400);
    default:
      return new PricingError('InvalidSignatureException', message, 403);
  }
}

export async function handlePricing(deps: PricingDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const requestId = randomUUID();
  const action = String(req.headers['x-amz-target']).slice(PRICING_TARGET_PREFIX.length);
  let region: string | undefined;
  let status = 200;
  let code: string | undefined;
  let body: unknown;
  try {
    const raw = await readBody(req, BODY_LIMIT);
    const text = raw.toString('utf8');
    const auth = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body: raw }, deps.awsSecretOf);
    region = auth.scope?.region;
    if (!auth.ok) throw authError(auth.failure, auth.message);
    if (!region || !PRICING_REGIONS.includes(region)) {
      throw new PricingError('InvalidSignatureException', `Credential should be scoped to a valid region. The Price List Query API is in ${PRICING_REGIONS.join(', ')}.`, 403);
    }
    if (req.method !== 'POST') throw new PricingError('UnknownOperationException', 'Unknown operation', 404);
    let input: unknown;
    try {
      input = text.trim() ? JSON.parse(text) : {};
    } catch {
      throw new PricingError('SerializationException', 'Start of structure or map found where not expected.');
    }
    const fault = deps.faults.decide(action, region);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.code) throw new PricingError(fault.code, `Injected fault: ${fault.code}`, fault.code === 'ThrottlingException' ? 400 : 500);
    if (action === 'GetProducts') body = getProducts(input);
    else if (action === 'DescribeServices') body = describeServices(input);
    else throw new PricingError('UnknownOperationException', `Unknown operation ${action}`);
  } catch (e) {
    const err = e instanceof PricingError ? e : new PricingError('InternalErrorException', 'An internal error occurred', 500);
    if (!(e instanceof PricingError)) console.error('cloud-twin: pricing internal error', e);
    status = err.status;
    code = err.code;
    body = { __type: err.code, Message: err.message };
  }
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId };
  if (code) headers['x-amzn-errortype'] = code;
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
  deps.onRequest?.({ time: new Date(started).toISOString(), requestId, provider: 'aws-pricing', region, action, status, ...(code ? { code } : {}), ms: Date.now() - started });
}
