import { describe, expect, it } from 'vitest';
import { UsageError } from '@cloud-barista/core/errors';
import type { SeriesData } from '@cloud-barista/agent/store/types';
import { evaluate, parseRule } from './rule.js';

const ref = { ns: 'default', mcis: 'web', vm: 'web-1', subgroup: 'web', csp: 'aws', region: 'r' };
function series(values: Array<number | null>, stepMs = 5_000, t0 = 1_000_000): SeriesData {
  const points = values.flatMap((v, i) =>
    v === null ? [] : [{ ts: t0 + i * stepMs, min: v, max: v, sum: v, n: 1, last: v }],
  );
  return { ref, metric: 'cpu_utilization', tags: '', points };
}

describe('parseRule', () => {
  it('reads metric, operator, threshold with unit and duration', () => {
    expect(parseRule('cpu_utilization > 80 for 2m')).toEqual({
      text: 'cpu_utilization > 80 for 2m',
      metric: 'cpu_utilization',
      op: '>',
      threshold: 80,
      forMs: 120_000,
    });
    expect(parseRule('mem_available<512M')).toMatchObject({ op: '<', threshold: 512 * 1024 ** 2, forMs: 0 });
    expect(parseRule('disk_utilization >= 90% for 30s')).toMatchObject({
      op: '>=',
      threshold: 90,
      forMs: 30_000,
    });
    expect(parseRule('load1 != -1.5')).toMatchObject({ op: '!=', threshold: -1.5 });
  });

  it.each([
    ['cpu_utilization 80', /no comparison/],
    ['cpu utilization > 80', /not a metric name/],
    ['cpu_utilization > high', /not a number/],
    ['cpu_utilization > 80 for', /optional 'for DURATION'/],
    ['cpu_utilization > 80 for soon', /not a duration/],
    ['cpu_usage > 80', /unknown metric 'cpu_usage'/],
    ['cpu_utilization > 80 during 2m', /optional 'for DURATION'/],
  ])('rejects %j', (text, why) => {
    expect(() => parseRule(text)).toThrow(UsageError);
    expect(() => parseRule(text)).toThrow(why);
  });
});

describe('evaluate', () => {
  const rule = parseRule('cpu_utilization > 80 for 20s');
  const t0 = 1_000_000;

  it('fires now only when the condition held long enough up to a fresh sample', () => {
    const s = series([10, 90, 91, 92, 93, 94]); // true from t0+5s to t0+25s: held 20 s
    const now = t0 + 26_000;
    expect(evaluate(rule, s, { mode: 'now', nowMs: now })).toMatchObject({
      fired: true,
      since: t0 + 5_000,
      heldMs: 20_000,
      value: 94,
      stale: false,
    });
    expect(evaluate(rule, series([10, 90, 91, 92, 93]), { mode: 'now', nowMs: now })).toMatchObject({
      fired: false,
      heldMs: 15_000,
    });
    // The same data an hour later: stale, not firing.
    expect(evaluate(rule, s, { mode: 'now', nowMs: now + 3_600_000 })).toMatchObject({
      fired: false,
      stale: true,
    });
  });

  it('a dip or a gap breaks the run', () => {
    expect(
      evaluate(rule, series([90, 91, 50, 92, 93, 94]), { mode: 'now', nowMs: t0 + 26_000 }),
    ).toMatchObject({ fired: false, heldMs: 10_000 });
    expect(
      evaluate(rule, series([90, 91, null, null, null, 92, 93, 94]), { mode: 'window', nowMs: t0 + 40_000 })
        .fired,
    ).toBe(false);
  });

  it('in window mode remembers a run that has ended', () => {
    const s = series([90, 91, 92, 93, 94, 10, 10]);
    expect(evaluate(rule, s, { mode: 'window', nowMs: t0 + 35_000 })).toMatchObject({
      fired: true,
      since: t0,
      heldMs: 20_000,
      value: 10,
    });
    expect(evaluate(rule, s, { mode: 'now', nowMs: t0 + 35_000 }).fired).toBe(false);
  });

  it('with no for, any one sample fires; no data never fires', () => {
    const any = parseRule('cpu_utilization > 80');
    expect(evaluate(any, series([10, 85, 10]), { mode: 'window', nowMs: t0 }).fired).toBe(true);
    expect(evaluate(any, series([]), { mode: 'window', nowMs: t0 })).toMatchObject({
      fired: false,
      stale: true,
      value: null,
    });
  });
});
