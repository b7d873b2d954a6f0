/**
 * EC2 retries. Throttling and transient failures are the SDK's standard retry mode's first, then
 * the shared loop's (`throttleRetry`): a throttled call keeps waiting until its deadline. Two
 * conditions are specific to a call sequence, which no SDK strategy covers: eventual consistency
 * right after a create (a fresh id answers NotFound for a moment) and DependencyViolation while a
 * terminated instance still holds an ENI.
 */
import { ProviderError } from '@cloud-barista/core/errors';
import { hasCode, isNotFound } from './errors.js';
import { retryWhile, type Failure, type RetryPolicy, type RetryWindow } from '../common/retry.js';

export { gone, tolerate } from '../common/retry.js';

/**
 * The policy of the loop around the SDK's own retries: transient failures were already retried
 * there (one attempt here); throttling is retried until `throttleWaitMs`, backing off as the
 * standard mode does (capped at 20 s).
 */
export function throttlePolicy(throttleWaitMs: number): RetryPolicy {
  return { maxAttempts: 1, minDelayMs: 1_000, maxDelayMs: 20_000, throttleWaitMs };
}

/** `e` (already a core error) as the shared retry loop reads it; EC2 sends no Retry-After. */
export function awsFailure(e: unknown): Failure {
  return { error: e, errorClass: e instanceof ProviderError ? e.errorClass : undefined };
}

/** How long a just-created id may answer NotFound before we believe it. */
export const FRESH_ID_WINDOW: RetryWindow = { maxWaitMs: 30_000, minDelayMs: 200, maxDelayMs: 3_000 };

/** For a call that references ids created moments ago. */
export function afterCreate<T>(fn: () => Promise<T>): Promise<T> {
  return retryWhile(fn, isNotFound, FRESH_ID_WINDOW);
}

/** For a delete that may hit DependencyViolation while dependants are still going away. */
export function whileDependent<T>(fn: () => Promise<T>, maxWaitMs: number): Promise<T> {
  return retryWhile(fn, (e) => hasCode(e, 'DependencyViolation'), { maxWaitMs, minDelayMs: 500, maxDelayMs: 5_000 });
}
