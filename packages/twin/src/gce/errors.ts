/**
 * Google's error JSON for the Compute API:
 * `{"error":{"code":404,"message":…,"errors":[{"message":…,"domain":"global","reason":"notFound"}]}}`.
 * Handlers throw GceError; the HTTP layer renders it.
 */

/** HTTP status of each error reason the twin uses (the Compute API's own pairing). */
export const REASON_STATUS: Readonly<Record<string, number>> = {
  notFound: 404,
  alreadyExists: 409,
  invalid: 400,
  required: 400,
  badRequest: 400,
  invalidParameter: 400,
  resourceNotReady: 400,
  resourceInUseByAnotherResource: 400,
  conditionNotMet: 412,
  forbidden: 403,
  quotaExceeded: 403,
  userRateLimitExceeded: 403,
  rateLimitExceeded: 429,
  authError: 401,
  backendError: 503,
  internalError: 500,
};

const DOMAINS: Readonly<Record<string, string>> = {
  rateLimitExceeded: 'usageLimits',
  userRateLimitExceeded: 'usageLimits',
  quotaExceeded: 'usageLimits',
};

const GRPC_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class GceError extends Error {
  readonly status: number;
  constructor(
    readonly reason: string,
    message: string,
    status?: number,
    readonly extra: { location?: string; locationType?: string; retryAfterSec?: number; detailMessage?: string } = {},
  ) {
    super(message);
    this.status = status ?? REASON_STATUS[reason] ?? 400;
  }

  toJSON(): unknown {
    const detail = {
      message: this.extra.detailMessage ?? this.message,
      domain: DOMAINS[this.reason] ?? 'global',
      reason: this.reason,
      ...(this.extra.location ? { location: this.extra.location, locationType: this.extra.locationType ?? 'parameter' } : {}),
    };
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [detail],
        ...(this.status === 401 ? { status: GRPC_STATUS[401] } : {}),
      },
    };
  }
}

/** `resource` is the partial path, e.g. `projects/p/zones/z/instances/web-1`. */
export function notFound(resource: string): GceError {
  return new GceError('notFound', `The resource '${resource}' was not found`);
}

export function alreadyExists(resource: string): GceError {
  return new GceError('alreadyExists', `The resource '${resource}' already exists`);
}

export function invalidField(field: string, value: unknown, why: string): GceError {
  return new GceError('invalid', `Invalid value for field '${field}': '${String(value)}'. ${why}`);
}

export function requiredField(field: string): GceError {
  return new GceError('required', `Required field '${field}' not specified`);
}

export function inUse(kind: string, resource: string, by: string): GceError {
  return new GceError('resourceInUseByAnotherResource', `The ${kind} resource '${resource}' is already being used by '${by}'`);
}

export function notReady(resource: string): GceError {
  return new GceError('resourceNotReady', `The resource '${resource}' is not ready`);
}

/**
 * Errors that arrive inside a finished operation rather than as an HTTP error (codes in
 * UPPER_SNAKE case), with the HTTP status the operation reports alongside.
 */
export const OPERATION_ERRORS: Readonly<Record<string, { status: number; statusText: string; message: (zone: string) => string }>> = {
  ZONE_RESOURCE_POOL_EXHAUSTED: {
    status: 503,
    statusText: 'SERVICE UNAVAILABLE',
    message: (zone) =>
      `The zone '${zone}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.`,
  },
  ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: {
    status: 503,
    statusText: 'SERVICE UNAVAILABLE',
    message: (zone) => `The zone '${zone}' does not have enough resources available to fulfill the request. '(resource type:compute)'.`,
  },
  QUOTA_EXCEEDED: {
    status: 403,
    statusText: 'FORBIDDEN',
    message: (zone) => `Quota 'CPUS' exceeded.  Limit: 24.0 in region ${zone.replace(/^.*zones\//, '').replace(/-[a-z]$/, '')}.`,
  },
  INTERNAL_ERROR: { status: 500, statusText: 'INTERNAL SERVER ERROR', message: () => 'Internal error. Please try again or contact Google Support.' },
};

export function isOperationErrorCode(code: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(code);
}

/** A fault rule's code as an HTTP error (codes in camelCase are reasons). */
export function faultError(code: string): GceError {
  const messages: Record<string, string> = {
    rateLimitExceeded: 'Rate Limit Exceeded',
    userRateLimitExceeded: 'User Rate Limit Exceeded',
    backendError: 'Backend Error',
    internalError: 'Internal Error',
    quotaExceeded: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com'",
    forbidden: 'Required permission denied',
    authError: 'Invalid Credentials',
  };
  return new GceError(code, messages[code] ?? code, undefined, code === 'rateLimitExceeded' ? { retryAfterSec: 1 } : {});
}
