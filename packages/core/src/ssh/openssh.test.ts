import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opensshArgs } from './openssh.js';

const hasSsh = existsSync('/usr/bin/ssh');
if (!hasSsh) process.stderr.write('SKIP OpenSSH argv check: /usr/bin/ssh is missing (apt-get install -y openssh-client)\n');

describe('opensshArgs', () => {
  const target = { host: '127.0.0.1', port: 9, user: 'ubuntu', privateKeyPath: '/k', label: 'web-1' };

  it('passes the user as the value of -l and the host after --', () => {
    const argv = opensshArgs(target, '/kh', { command: 'uptime' });
    expect(argv.slice(-5)).toEqual(['-l', 'ubuntu', '--', '127.0.0.1', 'uptime']);
  });

  it.skipIf(!hasSsh)('never lets a user that looks like an option reach ssh as one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-openssh-'));
    try {
      const user = `-oProxyCommand=touch ${join(dir, 'pwned')}`;
      const [, ...args] = opensshArgs({ ...target, user }, join(dir, 'kh'), { command: 'true' });
      // Port 9 on loopback refuses at once; what matters is what ssh ran on the way.
      spawnSync('/usr/bin/ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=3', ...args], { encoding: 'utf8', timeout: 15_000 });
      expect(readdirSync(dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
