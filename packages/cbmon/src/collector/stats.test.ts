import { describe, expect, it } from 'vitest';
import { LatencyWindow } from './stats.js';

describe('LatencyWindow', () => {
  it('summarises the last minute only', () => {
    const w = new LatencyWindow(1_000, 60_000);
    for (let i = 1; i <= 100; i++) w.add(i, 1_000_000);
    w.add(5_000, 900_000); // older than the window
    expect(w.summary(1_030_000)).toEqual({ n: 100, p50: 50, p95: 95, max: 100 });
    expect(w.summary(2_000_000)).toEqual({ n: 0, p50: null, p95: null, max: null });
  });

  it('keeps at most `size` entries', () => {
    const w = new LatencyWindow(10, 60_000);
    for (let i = 1; i <= 25; i++) w.add(i, 0);
    expect(w.summary(0)).toMatchObject({ n: 10, max: 25, p50: 20 });
  });
});
