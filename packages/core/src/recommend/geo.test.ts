import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { cityPoint, distanceKm, parseLatLon, parsePlace } from './geo.js';

describe('geo', () => {
  it('measures great-circle distances', () => {
    // Seoul–Tokyo ≈ 1,160 km; London–New York ≈ 5,570 km.
    expect(distanceKm(cityPoint('Seoul', 'x'), cityPoint('Tokyo', 'x'))).toBeCloseTo(1160, -2);
    expect(distanceKm(cityPoint('london', 'x'), cityPoint('NYC', 'x'))).toBeCloseTo(5570, -2);
  });
  it('parses places and names the field in errors', () => {
    expect(parseLatLon('37.5, 127', '--near')).toMatchObject({ lat: 37.5, lon: 127 });
    expect(parsePlace('São Paulo', 'near').label).toBe('São Paulo');
    expect(parsePlace('sao paulo', 'near').label).toBe('São Paulo');
    expect(() => parseLatLon('127,37.5x', '--near')).toThrow(/--near '127,37.5x' is not LAT,LON/);
    expect(() => parseLatLon('127,37.5', '--near')).toThrow(/latitude 127 is outside/);
    expect(() => cityPoint('Seul', '--near-city')).toThrow(UsageError);
    try {
      cityPoint('Seul', '--near-city');
    } catch (e) {
      expect((e as UsageError).hint).toMatch(/Seoul/);
    }
  });
});
