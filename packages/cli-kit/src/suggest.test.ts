import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest.js';

describe('closest', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('craete', 'create')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests the nearest command, or nothing when none is near', () => {
    const ids = ['mcis:create', 'mcis:delete', 'mcis:list', 'connection:add'];
    expect(closest('mcis:craete', ids)).toBe('mcis:create');
    expect(closest('mcis:lsit', ids)).toBe('mcis:list');
    expect(closest('frobnicate', ids)).toBeUndefined();
  });
});
