/**
 * One retry loop for every driver. A throttled answer is retried until a deadline, not for a fixed
 * number of attempts: the SDKs' standard modes give up after a few tries, and an account can stay
 * throttled for longer while the command still has time (CB_TIMEOUT_MS). A transient failure
 * (5xx, socket) is retried a bounded number of times, as the standard modes do. Every wait is
 * truncated exponential backoff with jitter and never shorter than the server's Retry-After.
 *
 * Callers retry only calls that are safe to repeat: reads, deletes, and creates the cloud
 * deduplicates (EC2 ClientToken, GCE requestId, ARM PUT by name).
 */
import type { ProviderErrorClass } from '@cloud-barista/core/errors';
import { backoffDelay, sleep } from '@cloud-barista/core/util/poll';
import { hasCode, isNotFound } from './errors.js';

/** Five minutes: long enough to ride out a burst, short enough that a stuck command says so. */
export const DEFAULT_THROTTLE_WAIT_MS = 300_000;

/** Attempts for a transient failure: the SDKs' standard modes use 3 to 5; calls here are few and cheap. */
export const DEFAULT_MAX_ATTEMPTS = 6;

export interface RetryPolicy {
  /** Attempts for a transient failure (the first call included). */
  maxAttempts: number;
  /** First backoff step; it doubles per attempt, with full jitter. */
  minDelayMs: number;
  /** Backoff ceiling (Google's and AWS's guidance: 32 s and 20 s). */
  maxDelayMs: number;
  /** Deadline for retrying throttled answers, from the first attempt. */
  throttleWaitMs: number;
}

/** What one failed attempt means for retrying. */
export interface Failure {
  /** What to throw if this is the last attempt. */
  error: unknown;
  errorClass: ProviderErrorClass | undefined;
  /** The server's Retry-After, if it sent one. */
  retryAfterMs?: number;
}

/**
 * How long to wait before the attempt after `attempt` (1-based), or undefined to give up.
 * `remainingMs` is the time left before the throttling deadline.
 */
export function retryDelay(f: Failure, attempt: number, p: RetryPolicy, remainingMs: number): number | undefined {
  const retryable = f.errorClass === 'throttled' || (f.errorClass === 'unavailable' && attempt < p.maxAttempts);
  if (!retryable || remainingMs <= 0) return undefined;
  const serverWait = f.retryAfterMs ?? 0;
  const wait = Math.max(serverWait, backoffDelay(attempt - 1, p.minDelayMs, p.maxDelayMs));
  if (wait <= remainingMs) return wait;
  // Asking again before the server's own Retry-After would only be throttled again.
  return serverWait > remainingMs ? undefined : remainingMs;
}

/**
 * Runs `fn` until it succeeds; after each failure `next` (given the error and the 1-based attempt
 * that failed) says how long to wait before the next attempt, or throws to give up.
 */
async function retrying<T>(fn: () => Promise<T>, next: (e: unknown, attempt: number) => number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      await sleep(next(e, attempt));
    }
  }
}

/** Runs `fn`, retrying as `classify` and the policy allow; throws the last failure's `error`. */
export async function withRetry<T>(fn: () => Promise<T>, classify: (e: unknown) => Failure, p: RetryPolicy): Promise<T> {
  const deadline = Date.now() + p.throttleWaitMs;
  return retrying(fn, (e, attempt) => {
    const f = classify(e);
    const wait = retryDelay(f, attempt, p, deadline - Date.now());
    if (wait === undefined) throw f.error;
    return wait;
  });
}

export interface RetryWindow {
  maxWaitMs: number;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Retries `fn` while `shouldRetry` says so, for up to `maxWaitMs`: for conditions a call sequence
 * creates, not the API (a fresh id not yet visible, a delete blocked by dependants going away).
 */
export async function retryWhile<T>(fn: () => Promise<T>, shouldRetry: (e: unknown) => boolean, w: RetryWindow): Promise<T> {
  const deadline = Date.now() + w.maxWaitMs;
  return retrying(fn, (e, attempt) => {
    const remaining = deadline - Date.now();
    if (!shouldRetry(e) || remaining <= 0) throw e;
    return Math.min(remaining, backoffDelay(attempt - 1, w.minDelayMs ?? 250, w.maxDelayMs ?? 5_000));
  });
}

/** What `fn` reads, or undefined when the cloud says there is no such thing. */
export async function found<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * Runs a step the cloud may answer with one of `codes`, its way of saying the step is already so
 * (already attached, the rule exists): that answer counts as done.
 */
export async function tolerate(fn: () => Promise<unknown>, ...codes: string[]): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!hasCode(e, ...codes)) throw e;
  }
}

/** Runs a delete; "already gone" counts as done. */
export async function gone(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
