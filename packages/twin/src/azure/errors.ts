/** ARM's error shape: `{"error": {"code", "message", "target"?}}` with the HTTP status ARM uses. */

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    /** Extra response headers (Retry-After on throttling). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string; target?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.target ? { target: this.target } : {}) } };
  }
}

export function resourceNotFound(type: string, name: string, rg: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function resourceGroupNotFound(rg: string): ArmError {
  return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
}

export function invalidParameter(message: string, target?: string): ArmError {
  return new ArmError(400, 'InvalidParameter', message, target);
}

/** Codes ARM reports when a long-running operation fails after it was accepted (VM allocation). */
export const ASYNC_FAILURE_CODES: ReadonlySet<string> = new Set(['AllocationFailed', 'ZonalAllocationFailed', 'OverconstrainedAllocationRequest']);

const STATUS: Record<string, number> = {
  TooManyRequests: 429,
  SubscriptionRequestsThrottled: 429,
  ResourceGroupRequestsThrottled: 429,
  SkuNotAvailable: 409,
  AllocationFailed: 409,
  ZonalAllocationFailed: 409,
  OverconstrainedAllocationRequest: 409,
  OperationNotAllowed: 409,
  QuotaExceeded: 409,
  Conflict: 409,
  ResourceGroupBeingDeleted: 409,
  AuthorizationFailed: 403,
  LinkedAuthorizationFailed: 403,
  AuthenticationFailed: 401,
  InvalidAuthenticationToken: 401,
  ExpiredAuthenticationToken: 401,
  ResourceNotFound: 404,
  ResourceGroupNotFound: 404,
  NotFound: 404,
  SubscriptionNotFound: 404,
  InternalServerError: 500,
  InternalOperationError: 500,
  ServiceUnavailable: 503,
  GatewayTimeout: 504,
};

const MESSAGES: Record<string, string> = {
  TooManyRequests: 'The request is being throttled as the limit has been reached for operation type. Please retry after the time given in the Retry-After header.',
  SubscriptionRequestsThrottled: "Number of requests for subscription exceeded the limit of '12000' for time interval '01:00:00'. Please try again after '1' seconds.",
  SkuNotAvailable:
    "The requested VM size for resource is currently not available in this location. Please try another size or deploy to a different location or zones. See https://aka.ms/azureskunotavailable for details.",
  AllocationFailed:
    'Allocation failed. We do not have sufficient capacity for the requested VM size in this region. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
  ZonalAllocationFailed:
    'Allocation failed. We do not have sufficient capacity for the requested VM size in this zone. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
  OperationNotAllowed:
    'Operation could not be completed as it results in exceeding approved Total Regional Cores quota. Please read more about quota limits at https://docs.microsoft.com/en-us/azure/azure-supportability/regional-quota-requests',
  QuotaExceeded: 'Operation could not be completed as it results in exceeding approved quota.',
  AuthorizationFailed: 'The client does not have authorization to perform this action over this scope or the scope is invalid.',
  InternalServerError: 'An internal server error occurred. Please retry the request.',
  ServiceUnavailable: 'The service is temporarily unavailable. Please retry the request.',
};

/** The error an injected fault answers with: ARM's status for the code, Retry-After where ARM sends one. */
export function faultError(code: string): ArmError {
  const status = STATUS[code] ?? (/^Internal/.test(code) ? 500 : 400);
  const headers: Record<string, string> = status === 429 || status === 503 ? { 'retry-after': '1' } : {};
  return new ArmError(status, code, MESSAGES[code] ?? `${code} (injected by Cloud-Twin)`, undefined, headers);
}

export function faultMessage(code: string): string {
  return MESSAGES[code] ?? `${code} (injected by Cloud-Twin)`;
}
