import { describe, expect, it } from 'vitest';
import { firstIndex, LoopbackIps, loopbackIp } from './ips.js';

describe('loopback addresses of twin VMs', () => {
  it('numbers from 127.1.0.1, skipping .0 and .255', () => {
    expect(loopbackIp(0)).toBe('127.1.0.1');
    expect(loopbackIp(253)).toBe('127.1.0.254');
    expect(loopbackIp(254)).toBe('127.1.1.1');
  });

  it('starts a twin without isolation at 127.1.0.1, an isolated one in a block of its own', () => {
    expect(new LoopbackIps(firstIndex(false)).allocate()).toBe('127.1.0.1');
    expect(new LoopbackIps(firstIndex(true, () => 0)).allocate()).toBe('127.1.0.1');
    expect(new LoopbackIps(firstIndex(true, () => 0.5)).allocate()).toBe('127.101.0.1');
    expect(new LoopbackIps(firstIndex(true, () => 0.999999)).allocate()).toBe('127.200.0.1');
    // Two isolated twins started side by side rarely share a block.
    const blocks = new Set(Array.from({ length: 50 }, () => new LoopbackIps(firstIndex(true)).allocate()));
    expect(blocks.size).toBeGreaterThan(30); // ~44 expected; 30 is eight deviations below
  });
});
