/**
 * As root, isolation driven directly (no twin, no SSH), to check what its namespace helper builds
 * without a process per step: each VM's PID 1 is a shell that reaps orphans, with the VM's hostname,
 * own /etc and processes; VMs of one network reach each other on private IPs, not another network's; a port is
 * reachable from the host on the public IP only while the firewall allows it; a VM that cannot
 * boot says why and leaves nothing; `stopVm` and `close` remove every namespace and link.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsRoot } from '../../../../../test-support/tools.js';
import { Isolation, leftovers } from './isolation.js';
import type { VmNetPolicy } from './policy.js';

const ROOT = needsRoot('VM isolation (network namespaces, nftables)');
const NETWORK: Record<string, string> = { a1: 'net-a', a2: 'net-a', b1: 'net-b' };
const PRIVATE: Record<string, string> = { a1: '10.77.0.11', a2: '10.77.0.12', b1: '10.77.0.13' };
// Another twin on this host may route an address of its own: a random /24 of the 127.77/16 range.
const NET = `127.77.${Math.floor(Math.random() * 250) + 1}`;
const PUBLIC: Record<string, string> = { a1: `${NET}.11`, a2: `${NET}.12`, b1: `${NET}.13` };

/** Whether a TCP connection to host:port is accepted (a dropped SYN times out). */
function reaches(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 600 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('timeout', () => s.destroy());
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(false));
  });
}

describe.skipIf(!ROOT)('isolated VMs made by the namespace helper', () => {
  const state = mkdtempSync(join(tmpdir(), 'cb-iso-'));
  let open8080 = false;
  let iso: Isolation;
  const servers: Server[] = [];
  const policy = (id: string): VmNetPolicy | undefined =>
    NETWORK[id]
      ? {
          network: NETWORK[id],
          privateIp: PRIVATE[id],
          prefixLength: 24,
          hostname: `host-${id}`,
          layers: [[{ action: 'accept', protocol: 'tcp', ports: [[22, 22]] }, ...(open8080 ? [{ action: 'accept' as const, protocol: 'tcp', ports: [[8080, 8080]] as Array<[number, number]> }] : [])]],
        }
      : undefined;
  const disk = (id: string) => {
    mkdirSync(join(state, id, 'home'), { recursive: true });
    return join(state, id);
  };
  /** Runs a shell command inside the VM, as the SSH server would (not blocking: the test serves the VMs' 8080). */
  const inVm = async (id: string, command: string): Promise<string> => {
    const { file, args } = iso.machine(id)?.wrap('/bin/sh', ['-c', command], '/') ?? { file: 'false', args: [] };
    return (await promisify(execFile)(file, args, { encoding: 'utf8', timeout: 10_000 })).stdout.trim();
  };

  beforeAll(async () => {
    const started = await Isolation.start({ stateDir: state, mode: 'on', sshPort: 2299, policy, log: () => {} });
    if (!started.isolation) throw new Error(`isolation is off: ${started.status.reason}`);
    iso = started.isolation;
    await Promise.all(
      ['a1', 'a2', 'b1'].map(async (id) => {
        await iso.startVm({ id, diskDir: disk(id), user: 'cb', keep: [] });
        await iso.publish(id, PUBLIC[id] ?? '');
        // A web server in the VM: a socket in its namespace the test serves.
        const server = await iso.listen(id, '0.0.0.0', 8080);
        server?.on('connection', (s) => s.on('error', () => {}).end(`${id}\n`));
        if (server) servers.push(server);
      }),
    );
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) s.close();
    await iso?.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('gives each VM its name, its own /etc and processes, PID 1 a shell waiting on a sleep', async () => {
    expect(await inVm('a1', 'hostname; cat /proc/1/comm; touch /etc/cb-iso-test && echo wrote')).toBe('host-a1\nsh\nwrote');
    expect(existsSync('/etc/cb-iso-test')).toBe(false);
    expect(readFileSync(join(iso.rootOf('a1') ?? '', 'etc/hostname'), 'utf8')).toBe('host-a1\n');
    await expect(inVm('a1', 'touch /usr/cb-iso-test')).rejects.toThrow(/Read-only file system/);
    // The VM sees its own processes only: its PID 1 and that one's sleep, the shell, ls and grep.
    expect(Number(await inVm('a2', 'ls /proc | grep -c "^[0-9]"'))).toBeLessThan(7);
  });

  it('reaps orphans as an init does: a daemon killed inside the VM leaves no zombie', async () => {
    // The daemon's parent exits at once, so the VM's PID 1 adopts it.
    await inVm('a1', 'sh -c "sleep 300 >/dev/null 2>&1 &"');
    const daemon = (await inVm('a1', 'ps -eo pid=,ppid=,comm= | awk \'$2 == 1 && $3 == "sleep" { print $1 }\'')).split('\n');
    expect(daemon.length).toBeGreaterThanOrEqual(2); // PID 1's own sleep and the daemon
    await inVm('a1', `kill ${daemon.join(' ')} 2>/dev/null; true`);
    let states = '';
    for (let i = 0; i < 50; i++) {
      states = await inVm('a1', 'ps -eo stat= | grep -c "^Z" || true');
      if (states === '0') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(states).toBe('0');
    expect(iso.cost()).toMatchObject({ vmsStarted: 3, vmsRunning: 3 });
  });

  it('lets VMs of one network reach each other on private IPs, not another network', async () => {
    const probe = (ip: string) => `timeout 2 bash -c 'exec 3<>/dev/tcp/${ip}/8080 && head -n1 <&3' 2>/dev/null || echo closed`;
    open8080 = true;
    iso.policyChanged();
    await iso.settled();
    expect(await inVm('a1', probe(PRIVATE.a2 ?? ''))).toBe('a2');
    expect(await inVm('a1', probe(PRIVATE.b1 ?? ''))).toBe('closed');
  });

  it("opens a port on the public IP only while the VM's firewall allows it", async () => {
    open8080 = true;
    iso.policyChanged();
    await iso.settled();
    expect(await reaches(PUBLIC.a1 ?? '', 8080)).toBe(true);
    open8080 = false;
    iso.policyChanged();
    await iso.settled();
    expect(await reaches(PUBLIC.a1 ?? '', 8080)).toBe(false);
  });

  it('says why a VM cannot boot and leaves nothing of it', async () => {
    // Its disk cannot be made: /proc/version is a file.
    await expect(iso.startVm({ id: 'a9', diskDir: '/proc/version/disk', user: 'cb', keep: [] })).rejects.toThrow(/cannot boot the VM's namespaces: .*Not a directory/);
    expect(existsSync(`/run/netns/${iso.names.vmNs('a9')}`)).toBe(false);
  });

  it('removes the namespace of a stopped VM, then everything on close', async () => {
    const pid = iso.machine('b1')?.pid;
    await iso.stopVm('b1');
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(existsSync(`/run/netns/${iso.names.vmNs('b1')}`)).toBe(false);
    await iso.close();
    expect(leftovers(iso.names.prefix)).toEqual([]);
  });
});
