import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { optionalTool } from '../../../../test-support/tools.js';
import { OVERLAY_LAUNCHER, OVERLAY_SCRIPTS_DIR, setupStdin, wgKeyPair } from './overlay.js';

const hasShellcheck = optionalTool('shellcheck', 'apt-get install -y shellcheck') !== undefined;
const WG = optionalTool('wg', 'apt-get install -y wireguard-tools');
const shellcheck = (text: string) => spawnSync('shellcheck', ['-s', 'sh', '-'], { input: `#!/bin/sh\n${text}`, encoding: 'utf8' });

describe('overlay scripts', () => {
  it.skipIf(!hasShellcheck)('pass shellcheck, each as cbadm sends it', () => {
    const key = wgKeyPair();
    const setup = shellcheck(setupStdin(`iface cbo0\naddr 10.77.0.1/16\nport 51820\nkey ${key.privateKey}\n`));
    expect(setup.stdout).toBe('');
    for (const name of ['wg-down', 'wg-status']) {
      const r = shellcheck(`export IFACE=cbo0 PEERS='10.77.0.2'\n${readFileSync(`${OVERLAY_SCRIPTS_DIR}${name}.sh`, 'utf8')}`);
      expect(r.stdout, name).toBe('');
    }
    expect(shellcheck(`${OVERLAY_LAUNCHER}\n`).stdout).toBe('');
  });

  it('sends the private key inside stdin only: the command line is the fixed launcher', () => {
    const key = wgKeyPair();
    const stdin = setupStdin(`key ${key.privateKey}\n`);
    expect(stdin).toContain(`key ${key.privateKey}\nCB_OVERLAY_CONF\n`);
    expect(OVERLAY_LAUNCHER).not.toContain(key.privateKey);
    expect(OVERLAY_LAUNCHER).toMatch(/exec sh -s/);
  });

  it('refuses on a Cloud-Twin VM without isolation (its network is the host one), naming the fix', () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CB_TWIN_INSTANCE_ID: 'i-0123' };
    const r = spawnSync('sh', ['-c', OVERLAY_LAUNCHER], { input: 'echo ran\n', encoding: 'utf8', env });
    expect(r.status).toBe(97);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/without isolation.*twin up --isolation on/);
  });

  it.skipIf(!WG)('makes keys wg agrees with (wg pubkey derives the same public key)', () => {
    const key = wgKeyPair();
    const r = spawnSync(WG!, ['pubkey'], { input: `${key.privateKey}\n`, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(key.publicKey);
  });
});
