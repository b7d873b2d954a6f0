import { describe, expect, it } from 'vitest';
import type { SeriesData } from '@cloud-barista/agent/store/types';
import { plot, sparkline } from './plot.js';
import { autoStep, runQuery } from './query.js';
import { stat } from './stats.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
function s(vm: string, subgroup: string, values: number[], tags = '', stepMs = 10_000): SeriesData {
  return {
    ref: { ns: 'default', mcis: 'web', vm, subgroup, csp: 'aws', region: 'r' },
    metric: 'cpu_utilization',
    tags,
    points: values.map((v, i) => ({ ts: T0 + i * stepMs, min: v, max: v, sum: v, n: 1, last: v })),
  };
}

describe('stat', () => {
  const pts = s('a', 'g', [1, 2, 3, 4, 100]).points;
  it.each([
    ['avg', 22],
    ['min', 1],
    ['max', 100],
    ['last', 100],
    ['p95', 100],
    ['count', 5],
  ] as const)('%s', (name, want) => expect(stat(pts, name)).toBe(want));

  it('weights rollups by their sample count', () => {
    const mixed = [
      { ts: 0, min: 0, max: 20, sum: 600, n: 60, last: 5 },
      { ts: 60_000, min: 90, max: 90, sum: 90, n: 1, last: 90 },
    ];
    expect(stat(mixed, 'avg')).toBeCloseTo(690 / 61);
    expect(stat(mixed, 'p95')).toBe(10);
    expect(stat(mixed, 'min')).toBe(0);
    expect(stat([], 'avg')).toBeNull();
  });
});

describe('runQuery', () => {
  it('groups, buckets and keeps empty buckets as null', () => {
    const r = runQuery(
      [s('web-1', 'seoul', [10, 20, 30, 40]), s('web-2', 'seoul', [50, 60]), s('web-3', 'tokyo', [5])],
      {
        metric: 'cpu_utilization',
        stat: 'avg',
        by: 'subgroup',
        fromMs: T0,
        toMs: T0 + 59_999,
        stepMs: 20_000,
      },
    );
    expect(r.unit).toBe('%');
    expect(r.groups.map((g) => [g.key, g.series, g.value])).toEqual([
      ['seoul', 2, 35],
      ['tokyo', 1, 5],
    ]);
    expect(r.groups[0]!.points.map((p) => p.value)).toEqual([(10 + 20 + 50 + 60) / 4, 35, null]);
    expect(r.groups[0]!.points[0]!.ts).toBe(new Date(T0).toISOString());
  });

  it('tells series of one VM apart with by=series', () => {
    const r = runQuery([s('web-1', 'g', [1], 'mount=/'), s('web-1', 'g', [2], 'mount=/data')], {
      metric: 'disk_utilization',
      stat: 'max',
      by: 'series',
      fromMs: T0,
      toMs: T0 + 1000,
    });
    expect(r.groups.map((g) => g.key)).toEqual(['web-1 mount=/', 'web-1 mount=/data']);
  });

  it('picks round automatic steps', () => {
    expect(autoStep(15 * 60_000)).toBe(15_000);
    expect(autoStep(60_000)).toBe(1_000);
    expect(autoStep(7 * 86_400_000)).toBe(21_600_000);
  });
});

describe('plots', () => {
  it('draws sparklines with gaps', () => {
    expect(sparkline([0, 50, 100, null, 100])).toBe('▁▅█ █');
    expect(sparkline([5, 5])).toBe('▁▁');
  });

  it('draws a labelled plot', () => {
    const text = plot([0, 25, 50, 75, 100, null], {
      height: 4,
      format: (v) => `${v}%`,
      startLabel: 's',
      endLabel: 'e',
    });
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^100% ┤ {4}█ $/);
    expect(lines[3]).toMatch(/^ {2}0% ┤ /);
    expect(lines[4]).toContain('└──────');
    expect(plot([null], { format: String })).toContain('no data');
  });
});
