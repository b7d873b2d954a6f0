import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parsePriceFile } from './price-file.js';

describe('price files', () => {
  it('reads CSV with a header and comments, and YAML mappings and lists', () => {
    expect(parsePriceFile('flavor,usd_per_hour\n# ours\nm1.small, 0.02\nm1.large,$0.08\n', 'p.csv')).toEqual({ 'm1.small': 0.02, 'm1.large': 0.08 });
    expect(parsePriceFile('m1.small: 0.02\nm1.large: "0.08"\n', 'p.yaml')).toEqual({ 'm1.small': 0.02, 'm1.large': 0.08 });
    expect(parsePriceFile('- flavor: m1.tiny\n  usd_per_hour: 0.005\n', 'p.yml')).toEqual({ 'm1.tiny': 0.005 });
  });

  it('refuses a bad line naming it, and an empty table', () => {
    expect(() => parsePriceFile('m1.small,0.02\nm1.large,cheap\n', 'p.csv')).toThrow(/p\.csv line 2: price "cheap"/);
    expect(() => parsePriceFile('m1.small,0.02,extra\n', 'p.csv')).toThrow(UsageError);
    expect(() => parsePriceFile('m1.small: -1\n', 'p.yaml')).toThrow(/'m1.small'/);
    expect(() => parsePriceFile('# nothing\n', 'p.csv')).toThrow(/lists no prices/);
  });
});
