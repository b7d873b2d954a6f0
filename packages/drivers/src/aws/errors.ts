/**
 * SDK error → core ProviderError. Classification reads only the error's code (`name`) and HTTP
 * status (`$metadata`), never its message: messages change wording, codes are the API contract.
 */
import { CbError, ProviderError, UsageError, type ProviderErrorClass } from '@cloud-barista/core/errors';
import { classHints, classifyQueryCode, cloudError, fieldsOf, type Thrown, type ErrorTable, lacksHint, NETWORK_CODES as NETWORK, redact } from '../common/errors.js';

export { hasCode, isNotFound } from '../common/errors.js';

const THROTTLED = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestThrottledException',
  'EC2ThrottledException',
  'TooManyRequestsException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
]);

const CAPACITY = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientCapacity',
  'InsufficientAddressCapacity',
  'InsufficientCapacityOnHost',
]);

const AUTH = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'OptInRequired',
  'PendingVerification',
  'Blocked',
  'ExpiredToken',
  'RequestExpired',
  'AccessDenied',
  'AccessDeniedException',
  'CredentialsProviderError',
]);

const CONFLICT = new Set([
  'DependencyViolation',
  'IdempotentParameterMismatch',
  'IncorrectState',
  'IncorrectInstanceState',
  'InvalidStateTransition',
  'RouteAlreadyExists',
  'Resource.AlreadyAssociated',
  'Gateway.NotAttached',
]);

const UNAVAILABLE = new Set([
  'ServiceUnavailable',
  'Unavailable',
  'InternalError',
  'InternalFailure',
  'ServerInternal',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

export function classifyAwsCode(code: string, httpStatus?: number): ProviderErrorClass {
  if (THROTTLED.has(code) || httpStatus === 429) return 'throttled';
  if (CAPACITY.has(code)) return 'capacity';
  if (AUTH.has(code)) return 'auth';
  if (CONFLICT.has(code) || code.endsWith('.Duplicate') || code.endsWith('.InUse')) return 'conflict';
  // RequestLimitExceeded is caught above; every other *LimitExceeded is an account quota.
  if (code.endsWith('LimitExceeded')) return 'quota';
  return classifyQueryCode(code, httpStatus, UNAVAILABLE);
}

/** What each class of failure asks of the user, on this cloud. */
const HINTS = classHints('EC2 API', {
  capacity: 'AWS has no free capacity for this instance type here now; retry later or use another zone or spec',
  quota: 'an account limit was reached; request a quota increase or free resources',
  auth: "check the connection's credential (`cbadm connection test NAME`) and its IAM permissions",
});

const ERRORS: ErrorTable = { provider: 'aws', classify: classifyAwsCode, hints: HINTS };

interface SdkErrorShape extends Thrown {
  $metadata?: { httpStatusCode?: number };
}

/**
 * Maps anything a client call threw to a ProviderError (core errors pass through unchanged).
 * `secrets` are blanked from the message in case an upstream message ever echoes one back.
 */
export function toProviderError(e: unknown, secrets: readonly string[] = []): Error {
  if (e instanceof CbError) return e;
  const err = fieldsOf<SdkErrorShape>(e);
  const httpStatus = err.$metadata?.httpStatusCode;
  // Node socket errors carry their code in `code`; SDK service errors carry it in `name`.
  const nodeCode = typeof err.code === 'string' && NETWORK.has(err.code) ? err.code : undefined;
  const code = nodeCode ?? (typeof err.name === 'string' && err.name !== 'Error' ? err.name : 'UnknownError');
  const message = typeof err.message === 'string' && err.message ? err.message : String(e);
  if (code === 'CredentialsProviderError') {
    // Not the cloud saying no: nothing to authenticate with was found. The user must act.
    return new UsageError(`no AWS credentials found for this connection: ${redact(message.trim(), secrets)}`, {
      hint: 'set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an ~/.aws profile, or store one (`cbadm credential add NAME --provider aws`) and name it with `cbadm connection add … --credential NAME --replace`',
    });
  }
  return cloudError(ERRORS, { code, message, httpStatus, cause: e }, secrets);
}

/**
 * An authorization failure of `action` (the EC2 API action the driver called), with a hint naming
 * the exact permission to grant; anything else unchanged. The action comes from the call, not from
 * the message (whose wording AWS may change).
 */
export function withPermissionHint(e: unknown, action: string | undefined, secrets: readonly string[] = []): unknown {
  const err = e instanceof ProviderError ? e : (e as { name?: unknown })?.name === 'UnauthorizedOperation' ? toProviderError(e, secrets) : e;
  if (!(err instanceof ProviderError) || err.code !== 'UnauthorizedOperation' || !action) return err;
  // AWS names the permission it refused ("is not authorized to perform: ec2:CreateTags"), which may
  // not be the action called (tag-on-create); without that text, the action called.
  const permission = /not authorized to perform: (ec2:[A-Za-z]+)/.exec(err.message)?.[1] ?? `ec2:${action}`;
  return new ProviderError({
    provider: 'aws',
    code: err.code,
    message: err.message.replace(/^aws: UnauthorizedOperation: /, ''),
    errorClass: err.errorClass,
    retryable: err.retryable,
    ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
    hint: lacksHint('the credential', permission, "in the IAM policy of the connection's user or role", 'permission'),
    cause: err,
  });
}
