/**
 * Cloud-Twin is an optional dependency of cbadm: with the package missing (a resolve hook refuses it,
 * as Node does when it is not installed) the twin commands say how to install it and change nothing,
 * and the commands for real clouds work as before.
 */
import { existsSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Cli } from './harness.js';

const HOOK = `export async function resolve(specifier, context, next) {
  if (specifier === '@cloud-barista/twin' || specifier.startsWith('@cloud-barista/twin/')) {
    const e = new Error('Cannot find package ' + specifier); e.code = 'ERR_MODULE_NOT_FOUND'; throw e;
  }
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));`;

describe('cbadm without Cloud-Twin installed', () => {
  const cli = new Cli({ env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(REGISTER)}` } });
  afterAll(() => rmSync(cli.home, { recursive: true, force: true }));

  it('twin up exits 2 naming the package and how to install it, and creates no state dir', async () => {
    const r = await cli.run(['twin', 'up']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('@cloud-barista/twin');
    expect(r.stderr).toContain('npm install -g @cloud-barista/twin');
    expect(existsSync(cli.twinDir)).toBe(false);
  });

  it('commands for real clouds do not need the twin', async () => {
    const r = await cli.run(['mcis', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No MCIS');
  });
});
