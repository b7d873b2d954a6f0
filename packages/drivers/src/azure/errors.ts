/**
 * Azure SDK error → core ProviderError. Classification reads ARM's error code and the HTTP status,
 * not the message, with one documented exception: ARM reports a regional cores quota as the
 * generic `OperationNotAllowed`, so for that code alone the word "quota" in its message decides.
 */
import { CbError, type ProviderErrorClass } from '@cloud-barista/core/errors';
import { classHints, classifyHttpStatus, cloudError, fieldsOf, type Thrown, type Denial, type ErrorTable, lacksHint, NETWORK_CODES as NETWORK } from '../common/errors.js';

export { hasCode, isNotFound } from '../common/errors.js';

/** What each class of failure asks of the user, on this cloud. */
const HINTS = classHints('ARM', {
  capacity: 'Azure has no capacity for this VM size here now; retry later, or use another size, zone or region',
  quota: 'a subscription quota (e.g. regional vCPUs) was reached; request an increase or free resources',
  auth: "check the connection's credential and its role assignment (`cbadm connection test NAME`); for a private endpoint, its caFile",
});

const THROTTLED = new Set(['TooManyRequests', 'SubscriptionRequestsThrottled', 'ResourceGroupRequestsThrottled', 'RetryableError', 'ResourceCollectionRequestsThrottled']);

const CAPACITY = new Set(['SkuNotAvailable', 'AllocationFailed', 'ZonalAllocationFailed', 'OverconstrainedAllocationRequest', 'OverconstrainedZonalAllocationRequest', 'SubnetIsFull', 'PublicIPCountLimitReached']);

const QUOTA = new Set(['QuotaExceeded', 'OperationNotAllowedQuota', 'ResourceQuotaExceeded', 'MaxStorageAccountsCountPerSubscriptionExceeded']);

const AUTH = new Set([
  'AuthorizationFailed',
  'LinkedAuthorizationFailed',
  'AuthenticationFailed',
  'InvalidAuthenticationToken',
  'InvalidAuthenticationTokenTenant',
  'ExpiredAuthenticationToken',
  'SubscriptionNotFound',
  'InvalidSubscriptionId',
  'MissingSubscriptionRegistration',
  'AuthenticationError',
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  // TLS: the endpoint's certificate is not one we trust (a missing or wrong caFile).
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const NOT_FOUND = new Set(['ResourceNotFound', 'ResourceGroupNotFound', 'NotFound', 'ParentResourceNotFound', 'PlatformImageNotFound']);

const CONFLICT = new Set([
  'Conflict',
  'OperationNotAllowed',
  'NicInUse',
  'InUseSubnetCannotBeDeleted',
  'InUseNetworkSecurityGroupCannotBeDeleted',
  'PublicIPAddressCannotBeDeleted',
  'PublicIPAddressInUse',
  'ResourceGroupBeingDeleted',
  'AnotherOperationInProgress',
  'OperationPreempted',
  'RetryableErrorDueToAnotherOperation',
]);

const UNAVAILABLE = new Set(['InternalServerError', 'InternalOperationError', 'ServiceUnavailable', 'GatewayTimeout', 'RequestTimeout', 'REQUEST_SEND_ERROR']);

export function classifyAzureCode(code: string, httpStatus?: number, message = ''): ProviderErrorClass {
  if (THROTTLED.has(code) || httpStatus === 429) return 'throttled';
  if (CAPACITY.has(code)) return 'capacity';
  if (QUOTA.has(code) || (code === 'OperationNotAllowed' && /quota/i.test(message))) return 'quota';
  if (AUTH.has(code) || httpStatus === 401 || httpStatus === 403) return 'auth';
  if (NOT_FOUND.has(code)) return 'not-found';
  if (CONFLICT.has(code)) return 'conflict';
  if (UNAVAILABLE.has(code) || NETWORK.has(code)) return 'unavailable';
  if (code.startsWith('Invalid') || code.startsWith('Missing') || code === 'BadRequest' || code.endsWith('NotSupported') || code === 'LocationRequired') return 'invalid';
  return classifyHttpStatus(httpStatus);
}

// ARM names the action it refused ("does not have authorization to perform action 'X'", or a
// linked one): the hint passes it on (the class never reads the message).
function deniedHint({ code, message }: Denial): string | undefined {
  if (code !== 'AuthorizationFailed' && code !== 'LinkedAuthorizationFailed') return undefined;
  const action = /(?:does not have (?:authorization|permission) to perform action(?:\(s\))? ')([^']+)'/.exec(message)?.[1];
  return action && lacksHint('the credential', action, 'with a role assignment on the resource group or subscription (e.g. Contributor, or a custom role that includes it)', 'action');
}

const ERRORS: ErrorTable = { provider: 'azure', classify: classifyAzureCode, hints: HINTS, denied: deniedHint };

interface AzureErrorShape extends Thrown {
  statusCode?: unknown;
}

function codeOf(err: AzureErrorShape): string {
  // TLS and socket failures arrive as RestError REQUEST_SEND_ERROR with the Node error as cause.
  const cause = fieldsOf<AzureErrorShape>(err.cause);
  if (typeof cause.code === 'string' && (AUTH.has(cause.code) || NETWORK.has(cause.code))) return cause.code;
  if (typeof err.code === 'string' && err.code) return err.code;
  if (typeof err.name === 'string' && err.name !== 'Error' && err.name !== 'RestError') return err.name;
  return 'UnknownError';
}

/**
 * Maps anything an Azure SDK call threw to a ProviderError (core errors pass through unchanged).
 * `secrets` are blanked from the message in case an upstream message ever echoes one back.
 */
export function toProviderError(e: unknown, secrets: readonly string[] = []): Error {
  if (e instanceof CbError) return e;
  const err = fieldsOf<AzureErrorShape>(e);
  const httpStatus = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const message = typeof err.message === 'string' && err.message ? err.message : String(e);
  return cloudError(ERRORS, { code: codeOf(err), message, httpStatus, cause: e }, secrets);
}
