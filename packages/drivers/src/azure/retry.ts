/**
 * ARM throttling. The SDK's retry policy waits out Retry-After on 429 and 503 and backs off
 * exponentially on 5xx, for `maxRetries`; it does not retry a 429 without Retry-After at all. This
 * pipeline policy sits outside it (per call, before the SDK's retries and the token): a request
 * still answered 429 when the SDK gives up is sent again until the throttling deadline, waiting at
 * least `retry-after-ms` / `x-ms-retry-after-ms` / `Retry-After`. Only 429 is repeated here: ARM
 * did not act on a throttled request, so repeating any method is safe (and ARM PUTs are idempotent
 * by name anyway). Long-running operations poll through the same pipeline, so a throttled poll is
 * waited out without sending the PUT again.
 */
import type { ComputeManagementClientOptionalParams } from '@azure/arm-compute';
import { retryAfterOf } from '../common/errors.js';
import { withRetry, type Failure, type RetryPolicy } from '../common/retry.js';

type AdditionalPolicy = NonNullable<ComputeManagementClientOptionalParams['additionalPolicies']>[number];
export type PipelinePolicy = AdditionalPolicy['policy'];
type PipelineResponse = Awaited<ReturnType<PipelinePolicy['sendRequest']>>;

/** A 429 response that reached this policy as a response (a request without an operation spec). */
class Throttled extends Error {
  constructor(readonly response: PipelineResponse) {
    super('throttled');
  }
}

interface HeadersLike {
  get(name: string): string | undefined;
}

/** The 429 answer in what the pipeline returned or threw (the deserializer throws a RestError). */
function throttledHeaders(e: unknown): HeadersLike | undefined {
  if (e instanceof Throttled) return e.response.headers;
  const res = (e as { response?: { status?: unknown; headers?: HeadersLike } } | null)?.response;
  return res?.status === 429 && res.headers ? res.headers : undefined;
}

function failure(e: unknown): Failure {
  const headers = throttledHeaders(e);
  if (!headers) return { error: e, errorClass: undefined };
  const retryAfterMs = retryAfterOf((name) => headers.get(name));
  return { error: e, errorClass: 'throttled', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

export const THROTTLE_POLICY_NAME = 'cbThrottleDeadline';

/** The policy; transient failures are the SDK's own retry policy's (it sits inside this one). */
export function throttlePolicy(p: Omit<RetryPolicy, 'maxAttempts'>): AdditionalPolicy {
  const policy: PipelinePolicy = {
    name: THROTTLE_POLICY_NAME,
    async sendRequest(request, next) {
      try {
        return await withRetry(
          async () => {
            const res = await next(request);
            if (res.status === 429) throw new Throttled(res);
            return res;
          },
          failure,
          { ...p, maxAttempts: 1 },
        );
      } catch (e) {
        // Out of time: the last 429 goes on as the SDK produced it (a throttled ProviderError later).
        if (e instanceof Throttled) return e.response;
        throw e;
      }
    },
  };
  return { policy, position: 'perCall' };
}
