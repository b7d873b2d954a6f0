/**
 * Docker Engine errors → core ProviderError. The Engine answers `{"message": …}` with an HTTP
 * status; docker-modem puts them on the error as `statusCode` and `json`. The code is read from the
 * message where the Engine's wording names the thing (`No such container`, `No such image`), else
 * from the status. A socket that does not answer means the daemon is not there (yet).
 */
import type { ProviderErrorClass } from '@cloud-barista/core/errors';
import { ProviderError } from '@cloud-barista/core/errors';
import { classifiedError, classifyHttpStatus, NETWORK_CODES } from '../common/errors.js';
import type { Failure } from '../common/retry.js';

export { isNotFound } from '../common/errors.js';

interface ModemError {
  statusCode?: number;
  json?: { message?: string } | string | null;
  reason?: string;
  message?: string;
  code?: string;
}

const BY_MESSAGE: Array<[RegExp, string]> = [
  [/^No such container/i, 'NoSuchContainer'],
  [/^No such image/i, 'NoSuchImage'],
  [/^network .* not found/i, 'NoSuchNetwork'],
  [/^No such exec instance/i, 'NoSuchExec'],
  [/already in use/i, 'NameInUse'],
  [/has active endpoints/i, 'NetworkInUse'],
  [/pull access denied|manifest unknown|not found: manifest/i, 'ImageNotFound'],
];

const BY_STATUS: Record<number, string> = { 400: 'BadParameter', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 429: 'TooManyRequests', 500: 'ServerError', 503: 'ServiceUnavailable' };

const HINTS: Partial<Record<ProviderErrorClass, string>> = {
  unavailable: 'the Docker daemon did not answer; is it running, and does the connection name it (DOCKER_HOST, --context)? try: docker info',
  auth: 'the Docker daemon refused the call: check the TLS certificates (DOCKER_CERT_PATH) or the SSH user',
};

function messageOf(e: ModemError): string {
  if (e.json && typeof e.json === 'object' && typeof e.json.message === 'string') return e.json.message;
  if (typeof e.json === 'string' && e.json.trim()) return e.json.trim();
  return e.message ?? 'the Docker Engine failed without a message';
}

/** The ProviderError for anything dockerode threw (already one: as is). */
export function dockerError(e: unknown): ProviderError {
  if (e instanceof ProviderError) return e;
  const err = (e ?? {}) as ModemError;
  if (typeof err.code === 'string' && (NETWORK_CODES.has(err.code) || err.code === 'ENOENT')) {
    return classifiedError({ provider: 'docker', code: err.code, message: err.message ?? err.code, errorClass: 'unavailable', hint: HINTS.unavailable, cause: e });
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const message = messageOf(err);
  const code = BY_MESSAGE.find(([re]) => re.test(message))?.[1] ?? (status !== undefined ? (BY_STATUS[status] ?? `HTTP${status}`) : 'DockerError');
  const errorClass: ProviderErrorClass = status === 429 ? 'throttled' : code === 'ImageNotFound' ? 'not-found' : classifyHttpStatus(status);
  return classifiedError({ provider: 'docker', code, message, errorClass, httpStatus: status, hint: HINTS[errorClass], cause: e });
}

/** Whether `e` (thrown by dockerode or already typed) is one of the Engine `codes` above. */
export function hasCodeIn(e: unknown, ...codes: string[]): boolean {
  return codes.includes(dockerError(e).code);
}

/** For withRetry: the failure and its class. */
export function classifyDocker(e: unknown): Failure {
  const error = dockerError(e);
  return { error, errorClass: error.errorClass };
}
