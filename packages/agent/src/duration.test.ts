import { describe, expect, it } from 'vitest';
import { UsageError } from '@cloud-barista/core/errors';
import { formatDuration, MAX_TIMER_MS, parseDuration, parseTimerDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['5s', 5_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1.5s', 1_500],
    ['10', 10_000],
    [' 15m ', 900_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text, '--since')).toBe(ms));

  it.each(['', 'soon', '5', '5x', 'm5', '5 s', '-5s', '1m30'].filter((t) => t !== '5'))(
    'rejects %j naming the flag',
    (text) => {
      const e = (() => {
        try {
          parseDuration(text, '--since');
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).message).toContain('--since');
      expect((e as UsageError).hint).toMatch(/5s/);
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [5_000, '5s'],
    [90_000, '1m30s'],
    [86_400_000 + 3_600_000, '1d1h'],
  ])('%d → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('parseTimerDuration', () => {
  it("refuses what Node's timers cannot wait for (over ~24.8 days), naming the flag and the bound", () => {
    expect(parseTimerDuration('24d', '--duration')).toBe(24 * 86_400_000);
    expect(parseTimerDuration(`${MAX_TIMER_MS}ms`, '--duration')).toBe(MAX_TIMER_MS);
    for (const text of ['30d', '25d', `${MAX_TIMER_MS + 1}ms`]) {
      let err: unknown;
      try {
        parseTimerDuration(text, '--evaluate-every');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as UsageError).message).toMatch(/--evaluate-every: '.*' is longer than the longest wait, 24d20h31m24s/);
    }
  });
});
