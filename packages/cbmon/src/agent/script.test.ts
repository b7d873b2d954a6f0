/**
 * The agent script is product code on machines we do not control: it must pass shellcheck as POSIX
 * sh (Debian's `shellcheck` package; CI installs it) and parse under dash and busybox sh.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { optionalTool } from '../../../../test-support/tools.js';
import { AGENT_SCRIPT_PATH } from './script.js';

function has(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

const shellcheck = optionalTool('shellcheck', 'apt-get install -y shellcheck') !== undefined;

describe('agent script', () => {
  it.runIf(shellcheck)('passes shellcheck as POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', '-S', 'style', AGENT_SCRIPT_PATH], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([['dash'], ['bash'], ['busybox']].filter(([sh]) => has(sh!)))('parses under %s', (sh) => {
    const args =
      sh === 'busybox'
        ? ['sh', '-n', AGENT_SCRIPT_PATH]
        : sh === 'bash'
          ? ['--posix', '-n', AGENT_SCRIPT_PATH]
          : ['-n', AGENT_SCRIPT_PATH];
    const r = spawnSync(sh, args, { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
