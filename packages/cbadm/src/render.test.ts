import { describe, expect, it } from 'vitest';
import { BugError, ConflictError, NotFoundError, OperationError, PartialError, ProviderError, UsageError } from '@cloud-barista/core/errors';
import { renderError, renderResult } from './render.js';

describe('renderError maps every error kind to its documented exit code', () => {
  const cases: Array<[string, Error, number]> = [
    ['usage', new UsageError('bad flag'), 2],
    ['not found', new NotFoundError('MCIS', 'web'), 4],
    ['conflict', new ConflictError('locked'), 5],
    ['partial', new PartialError('2 of 4 failed', { vms: [] }), 3],
    ['provider', new ProviderError({ provider: 'aws', code: 'InsufficientInstanceCapacity', message: 'no capacity', errorClass: 'capacity', retryable: false }), 1],
    ['operation', new OperationError('ssh refused'), 1],
    ['bug', new BugError('oops'), 1],
    ['plain Error', new Error('boom'), 1],
    ['oclif usage', Object.assign(new Error('Nonexistent flag: --bogus'), { oclif: { exit: 2 } }), 2],
  ];
  for (const [name, err, code] of cases) {
    it(`${name} → ${code}`, () => {
      expect(renderError(err, 'table', false).code).toBe(code);
      expect(renderError(err, 'json', false).code).toBe(code);
    });
  }

  it('prints the hint and the field issues for people', () => {
    const { text } = renderError(new UsageError('invalid manifest', { hint: 'fix it', issues: [{ path: 'spec.subgroups[0].count', message: 'too small' }] }), 'table', false);
    expect(text).toContain('Error: invalid manifest');
    expect(text).toContain('  - spec.subgroups[0].count: too small');
    expect(text).toContain('Hint: fix it');
    expect(text).not.toContain('    at '); // no stack without --verbose
  });

  it('gives scripts a stable JSON error, with the provider code and the partial result', () => {
    const p = JSON.parse(renderError(new ProviderError({ provider: 'aws', code: 'RequestLimitExceeded', message: 'slow down', errorClass: 'throttled', retryable: true }), 'json', false).text) as { error: Record<string, unknown> };
    expect(p.error).toMatchObject({ kind: 'provider', provider: 'aws', code: 'RequestLimitExceeded', errorClass: 'throttled', retryable: true });
    const partial = JSON.parse(renderError(new PartialError('some failed', { ok: 1 }), 'json', false).text) as { result: unknown };
    expect(partial.result).toEqual({ ok: 1 });
  });

  it('shows the stack only with --verbose', () => {
    expect(renderError(new OperationError('x'), 'table', true).text).toMatch(/\n\s+at /);
  });
});

describe('renderResult', () => {
  it('renders json, yaml and the command table', () => {
    expect(JSON.parse(renderResult({ a: 1 }, 'json', () => 'T'))).toEqual({ a: 1 });
    expect(renderResult({ a: 1 }, 'yaml', () => 'T')).toBe('a: 1\n');
    expect(renderResult({ a: 1 }, 'table', () => 'T')).toBe('T\n');
  });
});
