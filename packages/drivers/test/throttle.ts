/** Reading a twin's request log for throttling tests: what was throttled, and how long the client waited. */
import type { RequestLogEntry } from '@cloud-barista/twin';

/**
 * For each throttled request, the time until the client asked the same action again, measured on
 * the twin's clock (each entry's arrival time). Call it on a log of one call sequence at a time:
 * two concurrent calls of one action would blur it.
 */
export function waitsAfterThrottle(log: readonly RequestLogEntry[], isThrottled: (e: RequestLogEntry) => boolean): number[] {
  const out: number[] = [];
  log.forEach((e, i) => {
    if (!isThrottled(e)) return;
    const next = log.slice(i + 1).find((n) => n.action === e.action);
    if (next) out.push(Date.parse(next.time) - Date.parse(e.time));
  });
  return out;
}

/** Milliseconds from the first to the last entry. */
export function spanMs(log: readonly RequestLogEntry[]): number {
  const at = log.map((e) => Date.parse(e.time));
  return Math.max(...at) - Math.min(...at);
}
