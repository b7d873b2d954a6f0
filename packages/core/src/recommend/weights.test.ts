import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseWeights } from './weights.js';

describe('parseWeights', () => {
  it('normalises weights', () => {
    expect(parseWeights('cost')).toEqual({ cost: 1, location: 0, latency: 0, performance: 0 });
    expect(parseWeights('cost=0.6,location=0.4')).toEqual({ cost: 0.6, location: 0.4, latency: 0, performance: 0 });
    expect(parseWeights('cost=3,location=1')).toEqual({ cost: 0.75, location: 0.25, latency: 0, performance: 0 });
    expect(parseWeights('latency,performance')).toMatchObject({ latency: 0.5, performance: 0.5 });
  });
  it.each(['', 'speed', 'cost=', 'cost=x', 'cost=-1', 'cost=0', 'cost,cost', 'cost=1=2'])('rejects %j', (t) => {
    expect(() => parseWeights(t)).toThrow(UsageError);
  });
});
