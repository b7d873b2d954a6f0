/**
 * Cloudit errors → core ProviderError. Cloudit answers `{"status", "code", "message"}` with the
 * HTTP status; the code (`SERVER_NOT_FOUND`, `DUPLICATE_NAME`, `TOO_MANY_REQUESTS`…) and the status
 * decide the class, so retries and messages work as for every other cloud.
 */
import { CbError, ProviderError, type ProviderErrorClass } from '@cloud-barista/core/errors';
import { NETWORK_CODES, restErrors, retryAfterMs } from '../common/errors.js';
import type { Failure } from '../common/retry.js';

export { hasCode, isNotFound } from '../common/errors.js';

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

const HINTS: Partial<Record<ProviderErrorClass, string>> = {
  throttled: 'the Cloudit API rate limit was hit even after retries; retry later or lower --parallelism',
  capacity: 'the cluster has no host or public IP for this now; retry later, or use another spec or cluster (connection region)',
  quota: "a tenant quota was reached; ask the Cloudit operator for more or free resources",
  auth: "check the connection's credential (`cbadm connection test NAME`): the IAM user id, password and tenant",
};

export function readClouditBody(status: number, text: string): { code: string; message: string } {
  try {
    const b = JSON.parse(text) as { code?: unknown; message?: unknown };
    return { code: typeof b.code === 'string' ? b.code : `HTTP${status}`, message: typeof b.message === 'string' ? b.message : '' };
  } catch {
    return { code: `HTTP${status}`, message: text.slice(0, 300) };
  }
}

const errors = restErrors('cloudit', classifyClouditCode, HINTS);
export const clouditError = errors.error;
/** A socket-level failure (nothing answered): unavailable, retryable. */
export const socketFailure = errors.socketFailure;

export function toClouditError(e: unknown, secrets: readonly string[] = []): Error {
  if (e instanceof CbError) return e;
  if (e instanceof CiHttpError) {
    const { code, message } = readClouditBody(e.status, e.body);
    return clouditError(code, message, e.status, secrets);
  }
  return e instanceof Error ? e : new Error(String(e));
}

export function clouditFailure(e: unknown, secrets: readonly string[]): Failure {
  const error = toClouditError(e, secrets);
  return {
    error,
    errorClass: error instanceof ProviderError ? error.errorClass : undefined,
    ...(e instanceof CiHttpError && e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  };
}
