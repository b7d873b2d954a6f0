import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BugError, UsageError } from './errors.js';
import { childPath } from './home.js';
import { loginUserIssue, nameIssue, requireName } from './names.js';

describe('names', () => {
  it('accepts DNS-label names and refuses anything that could leave a directory', () => {
    for (const ok of ['default', 'web-1', 'a', 'x'.repeat(63)]) expect(nameIssue('--ns', ok)).toBeUndefined();
    for (const bad of ['', '..', '../../tmp/x', 'a/b', 'Web', '-a', 'a-', 'a_b', 'a.b', 'x'.repeat(64), 'a\0b']) {
      expect(nameIssue('--ns', bad), bad).toEqual({ path: '--ns', message: expect.stringMatching(/lower-case letters, digits and inner dashes/) as string });
    }
  });

  it('throws a usage error (exit 2) naming the field', () => {
    expect(requireName('--ns (CB_NS)', 'prod')).toBe('prod');
    const e = (() => {
      try {
        requireName('--ns (CB_NS)', '../x');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    expect((e as UsageError).issues[0]?.path).toBe('--ns (CB_NS)');
  });

  it('accepts login users as register does, never one that ssh would read as an option', () => {
    for (const ok of ['ubuntu', 'ec2-user', '_svc', 'a.b', 'Admin']) expect(loginUserIssue('sshUser', ok)).toBeUndefined();
    for (const bad of ['-oProxyCommand=x', '', 'a b', 'a@b', 'a;b', '1abc', 'x'.repeat(33)]) expect(loginUserIssue('sshUser', bad), bad).toBeDefined();
  });
});

describe('childPath', () => {
  it('joins a plain file name and refuses one that escapes its parent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-child-'));
    try {
      expect(childPath(dir, 'registered-default-lab-db')).toBe(join(dir, 'registered-default-lab-db'));
      for (const bad of ['', '.', '..', '../x', 'a/../../x', 'registered-../../../../tmp/x', '.hidden', 'a\\b', 'a\0b']) {
        expect(() => childPath(dir, bad), bad).toThrow(BugError);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
