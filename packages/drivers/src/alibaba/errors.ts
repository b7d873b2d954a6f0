/**
 * ECS SDK error → core ProviderError, by the error's code (`OperationDenied.NoStock`,
 * `Throttling.User`…) and HTTP status only: messages change wording, codes are the API contract.
 */
import { CbError, UsageError, type ProviderErrorClass } from '@cloud-barista/core/errors';
import { classHints, classifyQueryCode, cloudError, fieldsOf, type Thrown, type Denial, type ErrorTable, lacksHint } from '../common/errors.js';

export { hasCode, isNotFound } from '../common/errors.js';

const CAPACITY = new Set([
  'OperationDenied.NoStock',
  'InvalidInstanceType.NotSupported',
  'InvalidResourceType.NotSupported',
  'Zone.NotOnSale',
  'OperationDenied.ZoneNotAvailable',
  'ResourceNotAvailable',
]);

const AUTH = new Set([
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive',
  'InvalidTimeStamp.Expired',
  'SignatureNonceUsed',
  'InvalidSecurityToken.Expired',
  'InvalidSecurityToken.MismatchWithAccessKey',
  'NoPermission',
  'Forbidden',
  'Forbidden.RAM',
  'Forbidden.SubUser',
  'Forbidden.AccessKeyDisabled',
  'InvalidAccountStatus.NotEnoughBalance',
  'Account.Arrearage',
]);

const CONFLICT = new Set(['IncorrectInstanceStatus', 'IdempotentParameterMismatch', 'KeyPair.AlreadyExist', 'OperationConflict', 'LastTokenProcessing', 'DependencyViolation']);

const UNAVAILABLE = new Set(['ServiceUnavailable', 'InternalError', 'UnknownError', 'ReadTimeout', 'RequestTimeout']);

export function classifyAlibabaCode(code: string, httpStatus?: number): ProviderErrorClass {
  if (code === 'Throttling' || code.startsWith('Throttling.') || httpStatus === 429) return 'throttled';
  if (CAPACITY.has(code)) return 'capacity';
  if (AUTH.has(code) || code.startsWith('Forbidden')) return 'auth';
  if (CONFLICT.has(code) || code.startsWith('IncorrectInstanceStatus') || code.startsWith('DependencyViolation') || code.startsWith('Incorrect')) return 'conflict';
  if (code.startsWith('QuotaExceed') || code.includes('.QuotaExceed') || code.startsWith('QuotaExceeded')) return 'quota';
  return classifyQueryCode(code, httpStatus, UNAVAILABLE);
}

/** What each class of failure asks of the user, on this cloud. */
const HINTS = classHints('ECS API', {
  capacity: 'Alibaba Cloud has no stock of this instance type in this zone now; retry later or use another zone or spec',
  quota: 'an account quota was reached; raise it in the Quota Center or free resources',
  auth: "check the connection's AccessKey (`cbadm connection test NAME`) and its RAM policy (AliyunECSFullAccess or the ecs:* actions cbadm needs)",
});

// ECS names the RAM action it refused in the denial's AccessDeniedDetail, not in its message.
function deniedHint({ errorClass, cause }: Denial): string | undefined {
  const action = errorClass === 'auth' ? deniedAction((cause as TeaErrorShape | undefined)?.data?.AccessDeniedDetail) : undefined;
  return action && lacksHint("the AccessKey's RAM user", action, 'in its RAM policy', 'action');
}

const ERRORS: ErrorTable = { provider: 'alibaba', classify: classifyAlibabaCode, hints: HINTS, denied: deniedHint };

interface TeaErrorShape extends Thrown {
  statusCode?: unknown;
  data?: { statusCode?: unknown; Message?: unknown; AccessDeniedDetail?: unknown };
}

/** The RAM action ECS names in a denial's AccessDeniedDetail (`{"AuthAction": "ecs:RunInstances", …}`). */
function deniedAction(detail: unknown): string | undefined {
  if (typeof detail !== 'string') return undefined;
  try {
    const action = (JSON.parse(detail) as { AuthAction?: unknown }).AuthAction;
    return typeof action === 'string' ? action : undefined;
  } catch {
    return undefined;
  }
}

/** Anything an SDK call threw, as a ProviderError (core errors pass through); `secrets` blanked. */
export function toProviderError(e: unknown, secrets: readonly string[] = []): Error {
  if (e instanceof CbError) return e;
  const err = fieldsOf<TeaErrorShape>(e);
  const status = typeof err.statusCode === 'number' ? err.statusCode : typeof err.data?.statusCode === 'number' ? err.data.statusCode : undefined;
  const code = typeof err.code === 'string' && err.code ? err.code : 'UnknownError';
  if (code === 'InvalidCredentials' || code === 'CredentialException') {
    return new UsageError('no Alibaba Cloud credentials found for this connection', {
      hint: 'set ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, an ~/.aliyun/config.json or ~/.alibabacloud/credentials profile, or store an AccessKey (`cbadm credential add NAME --provider alibaba --kind alibaba-access-key`)',
    });
  }
  // The SDK's message is "code: 400, <Message> request id: <id>": keep ECS's own text.
  const message = typeof err.data?.Message === 'string' ? err.data.Message : typeof err.message === 'string' ? err.message : String(e);
  return cloudError(ERRORS, { code, message, httpStatus: status, cause: e }, secrets);
}
