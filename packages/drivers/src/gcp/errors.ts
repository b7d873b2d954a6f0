/**
 * GCE errors → core ProviderError. Classification reads the API's own codes only: the `reason`
 * of Google's error JSON (`notFound`, `rateLimitExceeded`…), an operation's error code
 * (`ZONE_RESOURCE_POOL_EXHAUSTED`, `QUOTA_EXCEEDED`…), an OAuth error (`invalid_grant`) or the
 * HTTP status — never the message text.
 */
import { CbError, ProviderError, type ProviderErrorClass } from '@cloud-barista/core/errors';
import { classHints, classifyHttpStatus, cloudError, fieldsOf, type Thrown, type Denial, type ErrorTable, lacksHint, NETWORK_CODES as NETWORK, retryAfterMs } from '../common/errors.js';

export { hasCode, isNotFound } from '../common/errors.js';

/** What each class of failure asks of the user, on this cloud. */
const HINTS = classHints('Compute API', {
  capacity: 'this zone has no free capacity for the machine type now; retry later or use another zone or spec',
  quota: 'a project quota was reached (CPUS, IN_USE_ADDRESSES…); request an increase or free resources',
  auth: "check the connection's credential (`cbadm connection test NAME`) and that the service account has roles/compute.admin on the project",
});

const THROTTLED = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);
const CAPACITY = new Set([
  'ZONE_RESOURCE_POOL_EXHAUSTED',
  'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS',
  'RESOURCE_POOL_EXHAUSTED',
  'resourcePoolExhausted',
]);
const QUOTA = new Set(['QUOTA_EXCEEDED', 'quotaExceeded', 'limitExceeded', 'dailyLimitExceeded']);
const NOT_FOUND = new Set(['notFound', 'RESOURCE_NOT_FOUND']);
const AUTH = new Set([
  'authError',
  'forbidden',
  'insufficientPermissions',
  'accessNotConfigured',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'invalid_scope',
  'CredentialsError',
]);
const CONFLICT = new Set([
  'alreadyExists',
  'RESOURCE_ALREADY_EXISTS',
  'resourceInUseByAnotherResource',
  'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE',
  'conditionNotMet',
  'resourceNotReady',
  'RESOURCE_NOT_READY',
]);
const UNAVAILABLE = new Set(['backendError', 'internalError', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE', 'TimeoutError']);
const INVALID = new Set(['invalid', 'badRequest', 'invalidParameter', 'parseError', 'required', 'INVALID_ARGUMENT', 'UsageError']);
export function classifyGcpCode(code: string, httpStatus?: number): ProviderErrorClass {
  if (THROTTLED.has(code) || httpStatus === 429) return 'throttled';
  if (CAPACITY.has(code)) return 'capacity';
  if (QUOTA.has(code)) return 'quota';
  if (NOT_FOUND.has(code)) return 'not-found';
  if (AUTH.has(code) || (code === 'required' && httpStatus === 401)) return 'auth';
  if (CONFLICT.has(code)) return 'conflict';
  if (UNAVAILABLE.has(code) || NETWORK.has(code)) return 'unavailable';
  if (INVALID.has(code)) return 'invalid';
  // A failed precondition (fingerprint) is a conflict too: someone changed the resource first.
  if (httpStatus === 412) return 'conflict';
  return classifyHttpStatus(httpStatus);
}

// GCE names the permission it checked ("Required 'compute.instances.create' permission for …"):
// the hint passes it on (the class never reads the message).
function deniedHint({ message, errorClass }: Denial): string | undefined {
  const permission = errorClass === 'auth' ? /Required '([a-z]+\.[A-Za-z.]+)' permission/.exec(message)?.[1] : undefined;
  return permission && lacksHint('the credential', permission, 'to the service account on the project (a role that includes it, e.g. roles/compute.instanceAdmin.v1 or roles/compute.admin)', 'permission');
}

const ERRORS: ErrorTable = { provider: 'gcp', classify: classifyGcpCode, hints: HINTS, denied: deniedHint };

/** What a failed call told us, read from whichever error shape the SDK stack produced. */
export interface GcpFailure {
  code: string;
  message: string;
  httpStatus?: number;
  /** From a `Retry-After` header, when the server sent one. */
  retryAfterMs?: number;
}

interface ErrorShape extends Thrown {
  status?: unknown;
  reason?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: { get?: (name: string) => string | null } };
}

function parseJson(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

export function readFailure(e: unknown): GcpFailure {
  const err = fieldsOf<ErrorShape>(e);
  const status = typeof err.response?.status === 'number' ? err.response.status : typeof err.status === 'number' ? err.status : undefined;
  const retryAfter = retryAfterMs(err.response?.headers?.get?.('retry-after'));
  // The REST transport reads responses as streams; for a failed call gaxios keeps the body's text
  // in the error's message rather than in response.data. Either way it is Google's error JSON.
  const rawBody = err.response?.data ?? (status !== undefined && typeof err.message === 'string' ? err.message : undefined);
  const body = parseJson(rawBody) as
    | { error?: { message?: unknown; errors?: Array<{ reason?: unknown; message?: unknown }>; status?: unknown } | string; error_description?: unknown }
    | undefined;
  const extra = retryAfter !== undefined ? { retryAfterMs: retryAfter } : {};
  const withStatus = status !== undefined ? { httpStatus: status } : {};
  // Google's API error JSON.
  if (body && typeof body.error === 'object') {
    const first = body.error.errors?.[0];
    const reason = typeof first?.reason === 'string' ? first.reason : typeof body.error.status === 'string' ? body.error.status : `HTTP${status ?? ''}`;
    const message = typeof body.error.message === 'string' ? body.error.message : typeof first?.message === 'string' ? first.message : '';
    return { code: reason, message, ...withStatus, ...extra };
  }
  // OAuth token endpoint errors: {"error": "invalid_grant", "error_description": …}.
  if (body && typeof body.error === 'string') {
    return { code: body.error, message: typeof body.error_description === 'string' ? body.error_description : body.error, ...withStatus, ...extra };
  }
  const message = typeof err.message === 'string' ? err.message : String(e);
  // Socket errors carry their code in `code`; gax errors a reason.
  if (typeof err.code === 'string' && NETWORK.has(err.code)) return { code: err.code, message, ...withStatus };
  if (typeof err.reason === 'string' && err.reason) return { code: err.reason, message, ...withStatus, ...extra };
  if (status !== undefined) return { code: `HTTP${status}`, message, httpStatus: status, ...extra };
  return { code: typeof err.name === 'string' && err.name !== 'Error' ? err.name : 'UnknownError', message };
}

export function providerError(f: GcpFailure, secrets: readonly string[] = [], cause?: unknown): ProviderError {
  return cloudError(ERRORS, { ...f, cause }, secrets);
}

/** Maps anything a call threw to a ProviderError; core errors pass through unchanged. */
export function toProviderError(e: unknown, secrets: readonly string[] = []): Error {
  if (e instanceof CbError) return e;
  return providerError(readFailure(e), secrets, e);
}
