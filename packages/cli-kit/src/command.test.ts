import { describe, expect, it } from 'vitest';
import { maskFlagValues } from './command.js';

describe('maskFlagValues', () => {
  it('hides the value of every --flag=value and -xVALUE word of argv in the message and the stack', () => {
    const argv = ['credential', 'add', 'k', '--secret-acess-key=TOPSECRET', '-sALSOSECRET', '--provider', 'aws'];
    const err = new Error('Nonexistent flags: --secret-acess-key=TOPSECRET, -sALSOSECRET');
    const masked = maskFlagValues(err, argv);
    expect(masked.message).toBe('Nonexistent flags: --secret-acess-key=***, -s***');
    expect(masked.stack).not.toContain('SECRET');
    expect(masked.stack).toContain('--secret-acess-key=***');
  });
});
