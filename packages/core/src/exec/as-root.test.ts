import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXEC_SH_AS_ROOT } from './as-root.js';

describe('EXEC_SH_AS_ROOT', () => {
  // A `sudo` that says it was asked, first on PATH: which branch ran shows without a real sudo.
  const bin = mkdtempSync(join(tmpdir(), 'cb-as-root-'));
  writeFileSync(join(bin, 'sudo'), '#!/bin/sh\necho "sudo $*"\n');
  chmodSync(bin, 0o755);
  chmodSync(join(bin, 'sudo'), 0o755);
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  const env = { PATH: `${bin}:/usr/bin:/bin` };
  const root = process.getuid?.() === 0;

  it.runIf(root)('runs the script with root\'s own shell', () => {
    const r = spawnSync('sh', ['-c', EXEC_SH_AS_ROOT], { input: 'echo "as $(id -u)"', encoding: 'utf8', env });
    expect(r.stdout).toBe('as 0\n');
  });

  it('goes through sudo -n for any other user', () => {
    const asOther = root ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'sh'] : ['sh'];
    const r = spawnSync(asOther[0]!, [...asOther.slice(1), '-c', EXEC_SH_AS_ROOT], { input: 'echo never', encoding: 'utf8', env });
    expect(r.stdout).toBe('sudo -n sh -s\n');
  });
});
