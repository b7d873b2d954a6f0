import { describe, expect, it } from 'vitest';
import { PartialError, UsageError } from '@cloud-barista/core/errors';
import { fitColumns, makeTable, renderError, shortId } from './render.js';

describe('renderError and partial results', () => {
  const partial = new PartialError('1 of 2 VM(s) failed', { launched: ['web-1'] }, { hint: 'refine it' });

  it('puts the partial result above the message when asked, for people', () => {
    const { code, text } = renderError(partial, 'table', false, { partialResult: true });
    expect(code).toBe(3);
    expect(text).toBe('launched:\n  - web-1\nError: 1 of 2 VM(s) failed\nHint: refine it\n');
  });

  it('leaves it out when the command prints it on stdout itself', () => {
    expect(renderError(partial, 'table', false).text).toBe('Error: 1 of 2 VM(s) failed\nHint: refine it\n');
  });

  it('always carries it in the JSON payload', () => {
    for (const partialResult of [true, false]) {
      const p = JSON.parse(renderError(partial, 'json', false, { partialResult }).text) as Record<
        string,
        unknown
      >;
      expect(p).toEqual({
        error: { kind: 'partial', message: '1 of 2 VM(s) failed', hint: 'refine it' },
        result: { launched: ['web-1'] },
      });
    }
  });

  it('lists field issues and asks for a report only on unexpected errors', () => {
    const usage = renderError(
      new UsageError('bad', { issues: [{ path: 'a.b', message: 'no' }] }),
      'table',
      false,
    );
    expect(usage.text).toBe('Error: bad\n  - a.b: no\n');
    expect(renderError(new Error('boom'), 'table', false).text).toContain('please report it');
  });
});

describe('makeTable', () => {
  it('prints no row separators and a dash for missing values', () => {
    const lines = makeTable(
      ['NAME', 'IP'],
      [
        ['web-1', null],
        ['web-2', '10.0.0.2'],
      ],
    ).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toBe('│ web-1 │ -        │');
  });
});

describe('table cells from clouds and VMs', () => {
  it('reach the terminal without control characters or escape sequences', () => {
    const hostile = [
      '\u001b[2J\u001b[31mred\u001b[0m', // clear screen, colour
      '\u001b]0;owned\u0007title', // set the window title
      'back\rspace\u0008\u007f\u009b1Amove', // carriage return, backspace, DEL, 8-bit CSI
      'a\u001bcb', // ESC c: full reset
    ];
    const table = makeTable(['TAG'], hostile.map((h) => [h]));
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table).toContain('red');
    expect(table).toContain('title');
    expect(table).toContain('backspacemove');
    expect(table).toContain('ab');
    expect(table).not.toContain('owned');
  });
});

describe('tables that fit the terminal', () => {
  it('fitColumns: the widest give way first, never below 8 nor the fixed ones; undefined when it fits', () => {
    const cells = [['NAME', 'STATUS', 'ID'], ['web-1', 'Running', 'x'.repeat(40)]];
    expect(fitColumns(cells, 200)).toBeUndefined();
    const w = fitColumns(cells, 40, [1]) ?? [];
    expect(w.reduce((a, b) => a + b, 0) + w.length + 1).toBe(40);
    expect(w[1]).toBe(9);
    expect(fitColumns(cells, 10)).toEqual([7, 8, 8]);
  });

  it('shortId keeps the distinctive end', () => {
    expect(shortId('i-0123456789abcdef0')).toBe('i-0123456789abcdef0');
    expect(shortId('/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/web-1-3f2a1c')).toBe('…chines/web-1-3f2a1c');
  });
});

describe('errors for people', () => {
  it('prints each thing once: an issue the message already says is left out, others are listed', () => {
    const err = new UsageError("--metric: unknown metric 'nope'", { issues: [{ path: '--metric', message: "unknown metric 'nope'" }, { path: '--since', message: 'must be a duration' }] });
    const { code, text } = renderError(err, 'table', false);
    expect(code).toBe(2);
    expect(text.match(/unknown metric 'nope'/g)).toHaveLength(1);
    expect(text).toContain('--since: must be a duration');
  });
});
