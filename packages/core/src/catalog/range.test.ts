import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { describeRange, inRange, parseRange } from './range.js';

describe('parseRange', () => {
  it.each([
    ['2..8', { min: 2, max: 8 }],
    ['4..', { min: 4 }],
    ['..16', { max: 16 }],
    ['4', { min: 4, max: 4 }],
    ['0.5..1.5', { min: 0.5, max: 1.5 }],
    [' 2 .. 8 ', { min: 2, max: 8 }],
  ])('%s', (text, want) => expect(parseRange(text, '--vcpu')).toEqual(want));

  it.each(['', '..', 'a..b', '8..2', '-1..', '2...8', '2..8..9'])('rejects %j naming the flag', (text) => {
    expect(() => parseRange(text, '--vcpu')).toThrow(UsageError);
    try {
      parseRange(text, '--vcpu');
    } catch (e) {
      expect((e as Error).message).toContain('--vcpu');
    }
  });

  it('tests and describes bounds', () => {
    expect(inRange(4, { min: 4 })).toBe(true);
    expect(inRange(3.9, { min: 4 })).toBe(false);
    expect(inRange(17, { max: 16 })).toBe(false);
    expect(describeRange({ min: 2, max: 8 }, 'vCPU')).toBe('2–8 vCPU');
    expect(describeRange({ min: 512 }, 'vCPU')).toBe('≥ 512 vCPU');
  });
});
