/**
 * The errors of a cloud whose REST API answers a code and a message in its error bodies (OpenStack,
 * Cloudit): one maker classifies the code, blanks the secrets and adds the class's hint, and the
 * driver's client and retry loop take everything else from it.
 */
import { CbError, ProviderError } from '@cloud-barista/core/errors';
import { cloudError, type ErrorTable } from './errors.js';
import type { Failure } from './retry.js';

/** A non-2xx answer as the driver read it: the cloud's code and message, and its Retry-After. */
export interface HttpAnswer {
  code: string;
  message: string;
  status: number;
  retryAfterMs: number | undefined;
}

export interface RestErrors {
  /** The ProviderError for a code and message the cloud answered. */
  error: (code: string, message: string, httpStatus: number | undefined, secrets: readonly string[], cause?: unknown) => ProviderError;
  /** A socket-level failure (nothing answered): unavailable, retryable. */
  socketFailure: (e: unknown) => ProviderError;
  /** Any thrown value as the error to show: the cloud's answers become ProviderErrors. */
  toError: (e: unknown, secrets?: readonly string[]) => Error;
  /** What a failed attempt means for the retry loop. */
  failure: (e: unknown, secrets: readonly string[]) => Failure;
}

export function restErrors(
  o: ErrorTable & {
    /** The answer in a thrown value, when it is the client's HTTP error. */
    answerOf: (e: unknown) => HttpAnswer | undefined;
  },
): RestErrors {
  const error: RestErrors['error'] = (code, message, httpStatus, secrets, cause) => cloudError(o, { code, message, httpStatus, cause }, secrets);
  const toError: RestErrors['toError'] = (e, secrets = []) => {
    if (e instanceof CbError) return e;
    const answer = o.answerOf(e);
    if (answer) return error(answer.code, answer.message, answer.status, secrets);
    return e instanceof Error ? e : new Error(String(e));
  };
  return {
    error,
    toError,
    socketFailure: (e) => {
      const code = (e as { cause?: { code?: unknown } }).cause?.code;
      return error(typeof code === 'string' ? code : 'UND_ERR_SOCKET', e instanceof Error ? `${e.message}${typeof code === 'string' ? ` (${code})` : ''}` : String(e), undefined, [], e);
    },
    failure: (e, secrets) => {
      const err = toError(e, secrets);
      const retryAfterMs = o.answerOf(e)?.retryAfterMs;
      return { error: err, errorClass: err instanceof ProviderError ? err.errorClass : undefined, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    },
  };
}
