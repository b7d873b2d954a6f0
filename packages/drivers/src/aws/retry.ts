/**
 * Retries for conditions the SDK's own retry strategy rightly does not cover because they are
 * specific to a call sequence: EC2's eventual consistency right after a create (a fresh id answers
 * NotFound for a moment) and DependencyViolation while a terminated instance still holds an ENI.
 */
import { backoffDelay, sleep } from '@cloud-barista/core';
import { hasCode, isNotFound } from './errors.js';

export interface RetryWindow {
  maxWaitMs: number;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export async function retryWhile<T>(
  fn: () => Promise<T>,
  shouldRetry: (e: unknown) => boolean,
  w: RetryWindow,
): Promise<T> {
  const deadline = Date.now() + w.maxWaitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const remaining = deadline - Date.now();
      if (!shouldRetry(e) || remaining <= 0) throw e;
      await sleep(Math.min(remaining, backoffDelay(attempt, w.minDelayMs ?? 250, w.maxDelayMs ?? 5_000)));
    }
  }
}

/** How long a just-created id may answer NotFound before we believe it. */
export const FRESH_ID_WINDOW: RetryWindow = { maxWaitMs: 30_000, minDelayMs: 200, maxDelayMs: 3_000 };

/** For a call that references ids created moments ago. */
export function afterCreate<T>(fn: () => Promise<T>): Promise<T> {
  return retryWhile(fn, isNotFound, FRESH_ID_WINDOW);
}

/** For a delete that may hit DependencyViolation while dependants are still going away. */
export function whileDependent<T>(fn: () => Promise<T>, maxWaitMs: number): Promise<T> {
  return retryWhile(fn, (e) => hasCode(e, 'DependencyViolation'), {
    maxWaitMs,
    minDelayMs: 500,
    maxDelayMs: 5_000,
  });
}

/** Runs a delete; "already gone" counts as done. */
export async function gone(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
