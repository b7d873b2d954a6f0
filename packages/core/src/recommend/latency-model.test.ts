/**
 * The distance model against reality: over every aws/gcp/azure region pair that Cloud-Barista's
 * measured matrix has (test/fixtures/cloud-barista, see its README) and whose locations we know, the
 * estimate must rank pairs like the measurements do (Spearman ρ ≥ 0.85).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLatencyCsv } from '../catalog/latency-csv.js';
import { regionLocation } from '../data/regions.js';
import { distanceKm, estimateRttMs } from './geo.js';

function ranks(xs: number[]): number[] {
  const idx = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
    for (let k = i; k <= j; k++) out[idx[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b) / n;
  const my = y.reduce((a, b) => a + b) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('great-circle latency model vs the measured matrix', () => {
  const csv = readFileSync(new URL('../../test/fixtures/cloud-barista/cloudlatencymap.csv', import.meta.url), 'utf8');
  const { entries } = parseLatencyCsv(csv);
  const pairs = entries.filter((e) => {
    const ours = (p: string) => p === 'aws' || p === 'gcp' || p === 'azure';
    const key = (r: { provider: string; region: string }) => `${r.provider}-${r.region}`;
    return ours(e.from.provider) && ours(e.to.provider) && key(e.from) < key(e.to) && regionLocation(e.from.provider, e.from.region) && regionLocation(e.to.provider, e.to.region);
  });

  it('covers most measured pairs of our providers', () => {
    expect(pairs.length).toBeGreaterThan(2000);
  });

  it('ranks region pairs like the measurements (Spearman ρ ≥ 0.85)', () => {
    const est = pairs.map((e) => estimateRttMs(distanceKm(regionLocation(e.from.provider, e.from.region)!, regionLocation(e.to.provider, e.to.region)!)));
    const measured = pairs.map((e) => e.rttMs);
    const rho = pearson(ranks(est), ranks(measured));
    expect(rho).toBeGreaterThanOrEqual(0.85);
    // And the scale is right: the median estimate is within 25% of the median measurement.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    expect(median(est) / median(measured)).toBeGreaterThan(0.75);
    expect(median(est) / median(measured)).toBeLessThan(1.25);
  });
});
