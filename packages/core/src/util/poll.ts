/**
 * One generic poller for every wait: a pure acceptor decides, the poller only schedules.
 * Backoff is exponential with full jitter, bounded by maxDelayMs, and the whole wait by maxWaitMs.
 */
import { OperationError } from '../errors.js';

export type Acceptance<T> = { state: 'success'; value: T } | { state: 'failure'; reason: string } | { state: 'retry' };

export interface PollOptions {
  /** Give up after this long. */
  maxWaitMs: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** What is being waited for, for the timeout message. */
  what: string;
  /** What the user can do after a timeout (e.g. how to check whether it finished later). */
  hint?: string;
}

/** The wait ran out of time: the thing waited for may still happen later. */
export class PollTimeoutError extends OperationError {
  constructor(
    readonly maxWaitMs: number,
    what: string,
    hint?: string,
  ) {
    super(`timed out after ${maxWaitMs} ms waiting for ${what}`, hint ? { hint } : {});
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Full-jitter exponential backoff delay for attempt n (0-based). */
export function backoffDelay(attempt: number, minDelayMs: number, maxDelayMs: number): number {
  const cap = Math.min(maxDelayMs, minDelayMs * 2 ** attempt);
  return minDelayMs / 2 + Math.random() * (cap - minDelayMs / 2);
}

/**
 * Calls `probe` until `accept` says success (returns the value) or failure (throws), or maxWaitMs
 * passes (throws PollTimeoutError, an OperationError). Probe errors propagate: retrying them is the probe's business.
 */
export async function poll<R, T>(
  probe: () => Promise<R>,
  accept: (response: R) => Acceptance<T>,
  opts: PollOptions,
): Promise<T> {
  const minDelayMs = opts.minDelayMs ?? 200;
  const maxDelayMs = opts.maxDelayMs ?? 5_000;
  const deadline = Date.now() + opts.maxWaitMs;
  for (let attempt = 0; ; attempt++) {
    const verdict = accept(await probe());
    if (verdict.state === 'success') return verdict.value;
    if (verdict.state === 'failure') throw new OperationError(`${opts.what}: ${verdict.reason}`);
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new PollTimeoutError(opts.maxWaitMs, opts.what, opts.hint);
    }
    await sleep(Math.min(remaining, backoffDelay(attempt, minDelayMs, maxDelayMs)), opts.signal);
  }
}
