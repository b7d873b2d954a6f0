/**
 * Durations as users type them (`5s`, `1m30s`, `7d`, `300ms`), parsed to milliseconds. Pure: errors
 * name the flag and the fix, so a bad `--since` exits 2 before anything is touched.
 */
import { UsageError } from '@cloud-barista/core/errors';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/** Parses `text` (e.g. `1m30s`); `what` names the flag in errors. A bare number is seconds. */
export function parseDuration(text: string, what: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1_000);
  let ms = 0;
  PART.lastIndex = 0;
  let end = 0;
  for (let m = PART.exec(s); m; m = PART.exec(s)) {
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = PART.lastIndex;
  }
  if (s === '' || end !== s.length) {
    throw new UsageError(`${what}: '${text}' is not a duration`, {
      hint: 'use a number with a unit: 300ms, 5s, 15m, 2h, 7d (or combined: 1m30s)',
      issues: [{ path: what, message: 'expected a duration such as 5s, 15m or 7d' }],
    });
  }
  return Math.round(ms);
}

/** Node's timers hold a signed 32-bit millisecond count (about 24.8 days); longer fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A duration a timer will wait for (`--duration`, `--evaluate-every`): refused past MAX_TIMER_MS
 * rather than clamped, so `--duration 30d` does not quietly mean 24 days.
 */
export function parseTimerDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms > MAX_TIMER_MS) {
    throw new UsageError(`${what}: '${text}' is longer than the longest wait, ${formatDuration(MAX_TIMER_MS)}`, {
      hint: `use at most 24d (run it again, or from cron, for longer)`,
      issues: [{ path: what, message: `at most ${formatDuration(MAX_TIMER_MS)}` }],
    });
  }
  return ms;
}

/** `90000` → `1m30s`; sub-second values keep milliseconds. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
