/** The shared retry rule: throttling by deadline, transient failures by attempts, Retry-After as a floor. */
import { describe, expect, it } from 'vitest';
import { retryDelay, type RetryPolicy } from '../src/common/retry.js';

const p: RetryPolicy = { maxAttempts: 2, minDelayMs: 10, maxDelayMs: 20, throttleWaitMs: 10_000 };

describe('retryDelay', () => {
  it('retries a throttle past maxAttempts while time is left, never sooner than Retry-After', () => {
    expect(retryDelay({ error: 0, errorClass: 'throttled', retryAfterMs: 1_000 }, 50, p, 5_000)).toBe(1_000);
  });
  it('gives up on a throttle whose Retry-After ends after the deadline, or when no time is left', () => {
    expect(retryDelay({ error: 0, errorClass: 'throttled', retryAfterMs: 6_000 }, 1, p, 5_000)).toBeUndefined();
    expect(retryDelay({ error: 0, errorClass: 'throttled' }, 1, p, 0)).toBeUndefined();
  });
  it('retries a transient failure only up to maxAttempts, and nothing else at all', () => {
    expect(retryDelay({ error: 0, errorClass: 'unavailable' }, 1, p, 5_000)).toBeLessThanOrEqual(20);
    expect(retryDelay({ error: 0, errorClass: 'unavailable' }, 2, p, 5_000)).toBeUndefined();
    expect(retryDelay({ error: 0, errorClass: 'capacity' }, 1, p, 5_000)).toBeUndefined();
    expect(retryDelay({ error: 0, errorClass: undefined }, 1, p, 5_000)).toBeUndefined();
  });
});
