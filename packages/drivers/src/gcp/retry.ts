/**
 * GCE retries. The Compute client's own retry settings match gRPC codes, which REST failures do
 * not carry, so the shared loop is the only retry layer: 429 `rateLimitExceeded` /
 * RESOURCE_EXHAUSTED until the throttling deadline, 5xx and socket failures a bounded number of
 * times, with Google's truncated exponential backoff and jitter, never shorter than Retry-After.
 * Creates are safe to repeat: instance inserts carry a request id, and network, subnetwork and
 * firewall inserts adopt an `alreadyExists` of their own name.
 */
import { CbError, ProviderError } from '@cloud-barista/core/errors';
import { providerError, readFailure, hasCode } from './errors.js';
import { retryWhile, type Failure } from '../common/retry.js';

export { found, gone } from '../common/retry.js';

/** Google's guidance for Compute Engine: start near 1 s, double, cap at 32 s. */
export const GCP_BACKOFF = { minDelayMs: 1_000, maxDelayMs: 32_000 };

/** What a failed call means for retrying; anything not yet a core error becomes a ProviderError. */
export function gcpFailure(e: unknown, secrets: readonly string[]): Failure {
  if (e instanceof CbError) return { error: e, errorClass: e instanceof ProviderError ? e.errorClass : undefined };
  const f = readFailure(e);
  const error = providerError(f, secrets, e);
  return { error, errorClass: error.errorClass, ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}) };
}

/** For a delete that fails while dependants (instances, subnetworks) are still going away. */
export function whileInUse<T>(fn: () => Promise<T>, maxWaitMs: number): Promise<T> {
  return retryWhile(fn, (e) => hasCode(e, 'resourceInUseByAnotherResource', 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE', 'resourceNotReady'), {
    maxWaitMs,
    minDelayMs: 300,
    maxDelayMs: 5_000,
  });
}
