/**
 * Retries for throttled (429 `rateLimitExceeded`) and transient (5xx, socket) failures, with
 * jittered exponential backoff that waits at least as long as the server's `Retry-After`. The
 * Compute client's own retry settings match gRPC codes, which REST failures do not carry, so this
 * is the only retry layer. Creates are safe to repeat: they carry a request id.
 */
import { backoffDelay, sleep } from '@cloud-barista/core';
import { classifyGcpCode, hasCode, isNotFound, providerError, readFailure } from './errors.js';

export interface RetryPolicy {
  maxAttempts: number;
  minDelayMs: number;
  maxDelayMs: number;
  secrets: readonly string[];
}

export async function withRetry<T>(fn: () => Promise<T>, p: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const f = readFailure(e);
      const cls = classifyGcpCode(f.code, f.httpStatus);
      if ((cls !== 'throttled' && cls !== 'unavailable') || attempt >= p.maxAttempts) throw providerError(f, p.secrets, e);
      await sleep(Math.max(f.retryAfterMs ?? 0, backoffDelay(attempt - 1, p.minDelayMs, p.maxDelayMs)));
    }
  }
}

/** Retries `fn` while `shouldRetry` says so, for up to `maxWaitMs`. */
export async function retryWhile<T>(fn: () => Promise<T>, shouldRetry: (e: unknown) => boolean, maxWaitMs: number): Promise<T> {
  const deadline = Date.now() + maxWaitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const remaining = deadline - Date.now();
      if (!shouldRetry(e) || remaining <= 0) throw e;
      await sleep(Math.min(remaining, backoffDelay(attempt, 300, 5_000)));
    }
  }
}

/** For a delete that fails while dependants (instances, subnetworks) are still going away. */
export function whileInUse<T>(fn: () => Promise<T>, maxWaitMs: number): Promise<T> {
  return retryWhile(fn, (e) => hasCode(e, 'resourceInUseByAnotherResource', 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE', 'resourceNotReady'), maxWaitMs);
}

/** Runs a delete; "already gone" counts as done. */
export async function gone(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
