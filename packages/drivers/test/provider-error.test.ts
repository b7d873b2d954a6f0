/** The shared ProviderError construction: retryability from the class, secrets never carried along. */
import { describe, expect, it } from 'vitest';
import { classifiedError, redact } from '../src/common/errors.js';

describe('classifiedError and redact', () => {
  it('blanks every secret in a message', () => {
    expect(redact('key AKIA1 and s3cr3t, again s3cr3t', ['s3cr3t', '', 'AKIA1'])).toBe(
      'key **** and ****, again ****',
    );
  });
  it('takes retryable from the class and leaves out fields that are absent', () => {
    const e = classifiedError({
      provider: 'gcp',
      code: 'rateLimitExceeded',
      message: 'slow down',
      errorClass: 'throttled',
      httpStatus: undefined,
      hint: undefined,
    });
    expect(e.retryable).toBe(true);
    expect(e.httpStatus).toBeUndefined();
    expect(e.hint).toBeUndefined();
    expect(e.cause).toBeUndefined();
    const q = classifiedError({
      provider: 'aws',
      code: 'VcpuLimitExceeded',
      message: 'quota',
      errorClass: 'quota',
      httpStatus: 400,
      hint: 'raise it',
      cause: 'raw',
    });
    expect([q.retryable, q.httpStatus, q.hint, q.cause, q.message]).toEqual([
      false,
      400,
      'raise it',
      'raw',
      'aws: VcpuLimitExceeded: quota',
    ]);
  });
});
