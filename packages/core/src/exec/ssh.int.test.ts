/**
 * The SSH exec transport over the real executor, against Cloud-Twin's VM SSH server: exec with
 * stdin, env and streamed output, readiness, file copy both ways, and the OpenSSH line users get.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SshBed } from '../../test/ssh-bed.js';
import { optionalTool } from '../../../../test-support/tools.js';
import { SshTransport } from './ssh.js';
import type { ExecTarget } from './transport.js';

const bed = new SshBed('cb-exec-ssh-', 77);
const OPENSSH = optionalTool('ssh', 'apt-get install -y openssh-client');

async function setup() {
  const vm = await bed.startVm();
  const knownHosts = join(bed.dir, `known_hosts_${vm.name}`);
  const transport = new SshTransport(bed.executor({ knownHostsPath: knownHosts }), knownHosts);
  const target: ExecTarget = { vm: vm.name, connection: 'c', provider: 'aws', ssh: vm.target };
  return { vm, transport, target };
}

describe('SshTransport', () => {
  it('runs commands with stdin and env, collected or streamed, and copies files both ways', async () => {
    const { vm, transport, target } = await setup();
    await transport.ready(target, { maxWaitMs: 5_000 });

    const r = await transport.exec(target, 'read a; echo "$a $WHO"; echo "$CB_VM" >&2; exit 5', { stdin: 'hi\n', env: { WHO: "o'brien" } });
    expect(r).toMatchObject({ exitCode: 5, stdout: "hi o'brien\n", stderr: `${vm.name}\n` });

    // Streaming stdout only: it arrives in the callback, stderr is still kept.
    const chunks: Buffer[] = [];
    const s = await transport.exec(target, 'echo out; echo err >&2', { onStdout: (d) => void chunks.push(d) });
    expect(Buffer.concat(chunks).toString()).toBe('out\n');
    expect(s).toMatchObject({ exitCode: 0, stdout: '', stderr: 'err\n' });

    const src = join(bed.dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'alpha');
    writeFileSync(join(src, 'sub', 'b.txt'), 'beta');
    const up = await transport.copy.upload(target, [{ local: src, remote: 'tree' }, { local: join(src, 'a.txt'), remote: 'single.txt' }]);
    expect(up).toMatchObject({ files: 3, copied: 3, skipped: 0 });
    expect((await transport.exec(target, 'cat tree/sub/b.txt single.txt')).stdout).toBe('betaalpha');
    expect(await transport.copy.upload(target, [{ local: src, remote: 'tree' }])).toMatchObject({ copied: 0, skipped: 2 });
    const back = join(bed.dir, 'back');
    await transport.copy.download(target, 'tree', back);
    expect(readFileSync(join(back, 'sub', 'b.txt'), 'utf8')).toBe('beta');
  });

  it('gives users an OpenSSH command line that reaches the VM', async () => {
    const { vm, transport, target } = await setup();
    await transport.ready(target, { maxWaitMs: 5_000 }); // pins the host key the line insists on
    const { argv, builtin } = await transport.interactive(target);
    expect(argv.slice(-2)).toEqual(['--', vm.target.host]);
    expect(builtin).toBeTypeOf('function');
    if (!OPENSSH) return;
    // Not spawnSync: the VM's SSH server runs in this process.
    const r = await promisify(execFile)(argv[0]!, ['-o', 'BatchMode=yes', ...argv.slice(1), 'echo $CB_VM'], { encoding: 'utf8', timeout: 15_000 });
    expect(r.stdout).toBe(`${vm.name}\n`);
  });

  it('names a VM it cannot reach for want of an address', async () => {
    const { transport } = await setup();
    await expect(transport.exec({ vm: 'lost-1', connection: 'c', provider: 'aws' }, 'true')).rejects.toThrow("VM 'lost-1' has no address to reach over SSH");
  });
});
