import { describe, expect, it } from 'vitest';
import { BugError, NotFoundError, OperationError, UsageError } from '@cloud-barista/core/errors';
import { agentScript, agentVersion } from './script.js';
import {
  agentError,
  installCommand,
  installInput,
  parseControl,
  parseKv,
  parseStatus,
  streamCommand,
  validateSettings,
  type InstallSettings,
} from './protocol.js';
import { WEB_1_TAGS } from '../../../test-support/fixtures.js';

const settings: InstallSettings = {
  ...WEB_1_TAGS,
  intervalS: 5,
  ringS: 3600,
};

describe('agent protocol', () => {
  it('ships a versioned script', () => {
    expect(agentVersion()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(agentScript().startsWith('#!/bin/sh')).toBe(true);
  });

  it('quotes every install setting', () => {
    const cmd = installCommand({
      ...settings,
      push: { url: 'http://127.0.0.1:8086/write?db=x&y=1', token: 'abc' },
    });
    expect(cmd).toContain("'push=http://127.0.0.1:8086/write?db=x&y=1'");
    expect(cmd).toContain('interval=5');
    expect(cmd).toMatch(
      /^umask 077 && mkdir -p "\$HOME\/.cbmon" && IFS= read -r CBMON_PUSH_TOKEN && export CBMON_PUSH_TOKEN && cat > /,
    );
    // The token travels on stdin, never in the command line.
    expect(cmd).not.toContain('abc');
    expect(installInput({ ...settings, push: { url: 'http://x', token: 'abc' } }, '#!/bin/sh\n')).toBe(
      'abc\n#!/bin/sh\n',
    );
  });

  it('validates settings before anything is sent', () => {
    expect(() => validateSettings({ ...settings, vm: 'a b' })).toThrow(UsageError);
    expect(() => validateSettings({ ...settings, intervalS: 0 })).toThrow(/between 1s and 1h/);
    expect(() => validateSettings({ ...settings, intervalS: 1.5 })).toThrow(/whole seconds/);
    expect(() => validateSettings({ ...settings, ringS: 1 })).toThrow(/--ring/);
    expect(() => validateSettings({ ...settings, push: { url: 'ftp://x', token: 't' } })).toThrow(
      /http or https/,
    );
    expect(() => validateSettings({ ...settings, push: { url: 'nope', token: 't' } })).toThrow(/not a URL/);
    expect(() => validateSettings(settings)).not.toThrow();
    const pin = `sha256//${Buffer.alloc(32, 1).toString('base64')}`;
    expect(() => validateSettings({ ...settings, push: { url: 'https://c:8086/write', token: 't', pin } })).not.toThrow();
    expect(() => validateSettings({ ...settings, push: { url: 'http://c:8086/write', token: 't', pin } })).toThrow(
      /--push-pin needs an https --push URL/,
    );
    expect(() => validateSettings({ ...settings, push: { url: 'https://c/write', token: 't', pin: 'md5//x' } })).toThrow(
      /--push-pin: 'md5\/\/x' is not a key pin/,
    );
    // The token travels in a header only: a URL carrying one (?p=…) or user:password is refused.
    expect(() => validateSettings({ ...settings, push: { url: 'http://c/write?p=secret', token: 't' } })).toThrow(
      /no credentials or query/,
    );
    expect(() => validateSettings({ ...settings, push: { url: 'http://u:pw@c/write', token: 't' } })).toThrow(
      /no credentials or query/,
    );
  });

  it('builds stream commands', () => {
    expect(streamCommand({ since: 42, epoch: 'e1', follow: true })).toMatch(
      /agent\.sh stream --since 42 --epoch e1 --follow$/,
    );
    expect(streamCommand({ last: 30, follow: false })).toMatch(/stream --last 30$/);
    expect(streamCommand({ since: 0, sinceTsMs: 1_700_000_000_123, follow: false })).toContain(
      '--since-ts 1700000000123000000',
    );
  });

  it('parses status and control lines', () => {
    const s = parseStatus(
      parseKv(
        'installed=1\nversion=1.0.0\nrunning=1\npid=77\nepoch=e\nseq=12\nfirst=3\ninterval=5\nring=3600\nmode=pull\npush_url=\npush_acked=\nring_kb=8\n',
      ),
    );
    expect(s).toMatchObject({
      installed: true,
      version: '1.0.0',
      running: true,
      pid: 77,
      seq: 12,
      first: 3,
      intervalS: 5,
      mode: 'pull',
      pushUrl: null,
      pushAcked: null,
      ringKb: 8,
    });
    expect(parseStatus(parseKv('installed=0\n'))).toMatchObject({
      installed: false,
      version: null,
      running: false,
    });
    expect(
      parseControl('#cbmon hello version=1.0.0 epoch=e1 first=3 last=9 since=5 reset=0 interval=1 pid=4'),
    ).toEqual({
      type: 'hello',
      version: '1.0.0',
      epoch: 'e1',
      first: 3,
      last: 9,
      since: 5,
      reset: false,
      intervalS: 1,
    });
    expect(parseControl('#cbmon mark seq=9')).toEqual({ type: 'mark', seq: 9 });
    expect(parseControl('#cbmon mark seq=x')).toBeNull();
    expect(parseControl('# other comment')).toBeNull();
  });

  it('turns agent exit codes into errors that say who acts', () => {
    const ref = { ns: 'default', mcis: 'web', vm: 'web-1' };
    expect(agentError(ref, 10, 'cbmon-agent: no procfs at /x\n').hint).toMatch(/HOST_PROC/);
    expect(agentError(ref, 10, '')).toBeInstanceOf(OperationError);
    expect(agentError(ref, 20, '')).toBeInstanceOf(NotFoundError);
    expect(agentError(ref, 2, 'cbmon-agent: bad')).toBeInstanceOf(BugError);
    expect(agentError(ref, 1, 'boom').message).toBe('web-1: agent command failed (exit 1): boom');
  });

  it('names the real MCIS (and namespace) in the install hint, not a placeholder', () => {
    expect(agentError({ ns: 'default', mcis: 'web', vm: 'web-1' }, 20, '').hint).toBe('install it: cbmon agent install web --vm web-1');
    expect(agentError({ ns: 'team', mcis: 'db', vm: 'db-2' }, 20, '').hint).toBe('install it: cbmon agent install db --vm db-2 --ns team');
  });
});
