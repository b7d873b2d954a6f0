import { describe, expect, it } from 'vitest';
import { LineSplitter, utf8Boundary } from './line-splitter.js';

function splitter(max?: number): { s: LineSplitter; lines: string[] } {
  const lines: string[] = [];
  // Copied at once: the splitter's buffers are valid only during the call.
  const s = new LineSplitter((l) => lines.push(l.toString('utf8')), max);
  return { s, lines };
}

describe('LineSplitter', () => {
  it('emits complete lines without the newline, joining lines cut across chunks', () => {
    const { s, lines } = splitter();
    for (const c of ['one\ntw', 'o\n', '', 'thr', 'ee', '\n\nfour']) s.push(Buffer.from(c));
    expect(lines).toEqual(['one', 'two', 'three', '']);
    s.end();
    expect(lines).toEqual(['one', 'two', 'three', '', 'four']);
  });

  it('emits nothing at the end when the stream ended with a newline', () => {
    const { s, lines } = splitter();
    s.push(Buffer.from('a\n'));
    s.end();
    expect(lines).toEqual(['a']);
  });

  it('splits a line longer than the bound into pieces instead of holding it', () => {
    const { s, lines } = splitter(8);
    s.push(Buffer.from('abcdefghij'));
    // 8 bytes are out before the line ends: nothing beyond the bound is held.
    expect(lines).toEqual(['abcdefgh']);
    s.push(Buffer.from('klmnopqrstuvwxyz0123\nok\n'));
    expect(lines).toEqual(['abcdefgh', 'ijklmnop', 'qrstuvwx', 'yz0123', 'ok']);
  });

  it('never holds more than the bound however the long line is chunked', () => {
    const pieces: number[] = [];
    const s = new LineSplitter((l) => pieces.push(l.length), 1000);
    for (let i = 0; i < 5000; i++) s.push(Buffer.alloc(7, 'x'));
    expect(pieces.every((n) => n === 1000)).toBe(true);
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(35_000 - (35_000 % 1000));
    s.end();
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(35_000);
  });

  it('cuts an over-long line between UTF-8 characters, not inside one', () => {
    const { s, lines } = splitter(5);
    s.push(Buffer.from('aaaé€b\n')); // a a a (1) é (2) € (3) b
    expect(lines).toEqual(['aaaé', '€b']);
    expect(lines.join('')).toBe('aaaé€b');
  });

  it('refuses a bound too small to keep a character whole', () => {
    expect(() => new LineSplitter(() => {}, 3)).toThrow(/maxLineBytes/);
  });
});

describe('utf8Boundary', () => {
  it('backs off over continuation bytes to the start of the character', () => {
    const b = Buffer.from('a€'); // 61 e2 82 ac
    expect(utf8Boundary(b, 1)).toBe(1);
    expect(utf8Boundary(b, 2)).toBe(1);
    expect(utf8Boundary(b, 3)).toBe(1);
    expect(utf8Boundary(b, 9)).toBe(4);
  });
});
