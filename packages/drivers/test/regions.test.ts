/**
 * The recommender's region locations (core/data/regions.ts) cover every region the twin serves for
 * each driver, and agree with the twin's own coordinates (written independently) within 150 km.
 */
import { describe, expect, it } from 'vitest';
import { distanceKm, regionLocation } from '@cloud-barista/core';
import { ALIBABA_REGIONS, AWS_REGIONS, AZURE_REGIONS, GCP_REGIONS } from '@cloud-barista/twin';

const twin: Record<string, Array<{ name: string; latitude: number; longitude: number }>> = {
  aws: [...AWS_REGIONS],
  gcp: [...GCP_REGIONS],
  azure: [...AZURE_REGIONS],
  alibaba: ALIBABA_REGIONS.map((r) => ({ name: r.id, latitude: r.latitude, longitude: r.longitude })),
};

describe('region locations', () => {
  for (const [provider, regions] of Object.entries(twin)) {
    it(`${provider}: every twin region has a location near the twin's`, () => {
      const far: string[] = [];
      for (const r of regions) {
        const loc = regionLocation(provider, r.name);
        expect(loc, `${provider} ${r.name} has no entry in core/src/data/regions.ts`).toBeDefined();
        const d = distanceKm(loc!, { lat: r.latitude, lon: r.longitude });
        if (d > 150) far.push(`${r.name}: ${Math.round(d)} km`);
      }
      expect(far).toEqual([]);
    });
  }
});
