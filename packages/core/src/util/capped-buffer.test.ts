import { describe, expect, it } from 'vitest';
import { CappedBuffer } from './capped-buffer.js';
import { parseByteSize } from './byte-size.js';

describe('CappedBuffer', () => {
  it('keeps everything below the cap', () => {
    const b = new CappedBuffer(10);
    b.push(Buffer.from('abc'));
    b.push(Buffer.from('def'));
    expect([b.text(), b.totalBytes, b.keptBytes, b.truncated]).toEqual(['abcdef', 6, 6, false]);
  });

  it('keeps the last capBytes and counts all bytes', () => {
    const b = new CappedBuffer(5);
    for (const c of ['abc', 'defg', 'h', 'ijklmnop', 'q']) b.push(Buffer.from(c));
    expect([b.text(), b.totalBytes, b.keptBytes, b.truncated]).toEqual(['mnopq', 17, 5, true]);
  });

  it('holds at most the cap however much passes through', () => {
    const b = new CappedBuffer(1024);
    const chunk = Buffer.alloc(999, 'y');
    for (let i = 0; i < 10_000; i++) {
      b.push(chunk);
      expect(b.keptBytes).toBeLessThanOrEqual(1024);
    }
    b.push(Buffer.alloc(5000, 'z'));
    expect([b.keptBytes, b.totalBytes, b.text()]).toEqual([1024, 9_995_000, 'z'.repeat(1024)]);
  });

  it('holds exactly the last capBytes of any sequence of chunks (against a plain concatenation)', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 200; round++) {
      const cap = 1 + rand(9000);
      const b = new CappedBuffer(cap);
      const all: Buffer[] = [];
      for (let i = rand(40); i >= 0; i--) {
        const chunk = Buffer.from(Array.from({ length: rand(3000) }, () => 97 + rand(26)));
        all.push(chunk);
        b.push(chunk);
      }
      const whole = Buffer.concat(all);
      expect(b.text()).toBe(whole.subarray(Math.max(0, whole.length - cap)).toString());
      expect([b.totalBytes, b.truncated]).toEqual([whole.length, whole.length > cap]);
    }
  });

  it('copies what it keeps: the caller may reuse its buffer', () => {
    const b = new CappedBuffer(8);
    const chunk = Buffer.from('abcd');
    b.push(chunk);
    chunk.fill('x');
    expect(b.text()).toBe('abcd');
  });

  it('drops a character cut at the front instead of showing a broken one', () => {
    const b = new CappedBuffer(4);
    b.push(Buffer.from('x€ab')); // e2 82 ac: keeping 4 bytes cuts the euro sign
    expect(b.text()).toBe('ab');
    expect(b.truncated).toBe(true);
  });

  it('with cap 0 keeps nothing and still counts', () => {
    const b = new CappedBuffer(0);
    b.push(Buffer.from('hello'));
    expect([b.text(), b.totalBytes, b.truncated]).toEqual(['', 5, true]);
  });
});

describe('parseByteSize', () => {
  it('reads plain bytes and decimal and binary units', () => {
    expect(['0', '123', '64KiB', '1MiB', '1mib', '2K', '1.5M', '1 GiB', '10B', '4Ki'].map(parseByteSize)).toEqual([
      0, 123, 65_536, 1_048_576, 1_048_576, 2000, 1_500_000, 1024 ** 3, 10, 4096,
    ]);
  });

  it('refuses what is not a size', () => {
    expect(['', '-1', 'MiB', '1 TB', '1e3', 'abc', '1.2.3', '99999999999999999999'].map(parseByteSize)).toEqual(Array(8).fill(undefined));
  });
});
