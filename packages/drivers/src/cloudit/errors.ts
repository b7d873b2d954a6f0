/**
 * Cloudit errors → core ProviderError. Cloudit answers `{"status", "code", "message"}` with the
 * HTTP status; the code (`SERVER_NOT_FOUND`, `DUPLICATE_NAME`, `TOO_MANY_REQUESTS`…) and the status
 * decide the class, so retries and messages work as for every other cloud.
 */
import type { ProviderErrorClass } from '@cloud-barista/core/errors';
import { classHints, NETWORK_CODES, retryAfterMs } from '../common/errors.js';
import { type HttpAnswer, restErrors } from '../common/rest-errors.js';

export { hasCode, isNotFound } from '../common/errors.js';

/** What each class of failure asks of the user, on this cloud. */
const HINTS = classHints('Cloudit API', {
  capacity: 'the cluster has no host or public IP for this now; retry later, or use another spec or cluster (connection region)',
  quota: 'a tenant quota was reached; ask the Cloudit operator for more or free resources',
  auth: "check the connection's credential (`cbadm connection test NAME`): the IAM user id, password and tenant",
});

/** A non-2xx answer as read off the wire. */
export class CiHttpError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly status: number,
    readonly body: string,
    headers: Headers,
  ) {
    super(`Cloudit answered ${status}`);
    this.retryAfterMs = retryAfterMs(headers.get('retry-after'));
  }
}

export function classifyClouditCode(code: string, httpStatus?: number): ProviderErrorClass {
  if (httpStatus === 429 || /TOO_MANY|THROTTL|RATE_LIMIT/.test(code)) return 'throttled';
  if (/NO_AVAILABLE_HOST|INSUFFICIENT|IP_EXHAUSTED|NOT_AVAILABLE/.test(code)) return 'capacity';
  if (/QUOTA|EXCEEDED/.test(code)) return 'quota';
  if (httpStatus === 404 || code.endsWith('NOT_FOUND')) return 'not-found';
  if (httpStatus === 409) return 'conflict';
  if (NETWORK_CODES.has(code) || (httpStatus !== undefined && httpStatus >= 500)) return 'unavailable';
  if (httpStatus === 401 || httpStatus === 403) return 'auth';
  if (httpStatus === 400) return 'invalid';
  return 'other';
}

export function readClouditBody(status: number, text: string): { code: string; message: string } {
  try {
    const b = JSON.parse(text) as { code?: unknown; message?: unknown };
    return { code: typeof b.code === 'string' ? b.code : `HTTP${status}`, message: typeof b.message === 'string' ? b.message : '' };
  } catch {
    return { code: `HTTP${status}`, message: text.slice(0, 300) };
  }
}

/** The cloud's answer in a thrown value, when it is the client's HTTP error. */
function answerOf(e: unknown): HttpAnswer | undefined {
  return e instanceof CiHttpError ? { ...readClouditBody(e.status, e.body), status: e.status, retryAfterMs: e.retryAfterMs } : undefined;
}

const errors = restErrors({ provider: 'cloudit', classify: classifyClouditCode, hints: HINTS, answerOf });
export const { error: clouditError, socketFailure, toError: toClouditError, failure: clouditFailure } = errors;
