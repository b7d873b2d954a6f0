/**
 * Two network namespaces joined by a veth "underlay" and a real WireGuard overlay between them
 * (interface cbo0, as cbadm's overlay names it, on wireguard-go: this kernel has no WireGuard
 * module): what two VMs of an MCIS with `spec.network.overlay` have. Root only.
 *
 * wireguard-go and wg meet at /run/wireguard/cbo0.sock, one path for every namespace: so each end
 * runs its commands (`enter`) in a mount namespace of their own too, with a directory of its own
 * bound there, as two VMs would have.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './procs.js';

export interface WgEnd {
  netns: string;
  overlayIp: string;
  /** Its /run/wireguard. */
  runDir: string;
  /** The command prefix that runs a command on this end. */
  enter: string[];
}

const run = (args: string[]): string => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8' });

export class WgPair {
  readonly ends: [WgEnd, WgEnd];
  private readonly daemons: ChildProcess[] = [];

  private readonly dir = mkdtempSync(join(tmpdir(), 'cbmon-wg-'));

  constructor() {
    const tag = randomBytes(3).toString('hex');
    const end = (side: string, overlayIp: string): WgEnd => {
      const netns = `cbmon-ovl-${tag}-${side}`;
      const runDir = join(this.dir, side);
      return {
        netns,
        overlayIp,
        runDir,
        enter: ['ip', 'netns', 'exec', netns, 'unshare', '-m', 'sh', '-c', 'mount --bind "$0" /run/wireguard && exec "$@"', runDir],
      };
    };
    this.ends = [end('a', '10.77.0.1'), end('b', '10.77.0.2')];
  }

  static on(end: WgEnd, args: string[]): string {
    return run([...end.enter, ...args]);
  }

  async up(): Promise<void> {
    const [a, b] = this.ends;
    // TEST-NET-2 addresses stand for the VMs' public IPs; they exist only inside these namespaces.
    const underlay = ['198.51.100.1', '198.51.100.2'];
    mkdirSync('/run/wireguard', { recursive: true });
    for (const e of this.ends) {
      mkdirSync(e.runDir, { mode: 0o700 });
      run(['ip', 'netns', 'add', e.netns]);
    }
    run(['ip', 'link', 'add', 'veth-ovl-a', 'netns', a.netns, 'type', 'veth', 'peer', 'name', 'veth-ovl-b', 'netns', b.netns]);
    const keys = this.ends.map(() => run(['wg', 'genkey']).trim());
    const pubs = keys.map((k) => execFileSync('wg', ['pubkey'], { encoding: 'utf8', input: `${k}\n` }).trim());
    for (const [i, e] of this.ends.entries()) {
      const other = 1 - i;
      WgPair.on(e, ['ip', 'link', 'set', 'lo', 'up']);
      WgPair.on(e, ['ip', 'address', 'add', `${underlay[i]}/24`, 'dev', `veth-ovl-${i ? 'b' : 'a'}`]);
      WgPair.on(e, ['ip', 'link', 'set', `veth-ovl-${i ? 'b' : 'a'}`, 'up']);
      const [file, ...args] = [...e.enter, 'wireguard-go', '-f', 'cbo0'];
      const d = spawn(file, args, {
        env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' },
        stdio: 'ignore',
      });
      this.daemons.push(d);
      await until(
        () => spawnSync('ip', ['-n', e.netns, 'link', 'show', 'cbo0']).status === 0,
        10_000,
        `wireguard-go's cbo0 in ${e.netns}`,
      );
      // The private key from a 0600 file, never in argv (wg reads no key from a socket stdin).
      const dir = mkdtempSync(join(tmpdir(), 'cbmon-wgkey-'));
      try {
        writeFileSync(join(dir, 'key'), `${keys[i]}\n`, { mode: 0o600 });
        WgPair.on(e, [
          ...['wg', 'set', 'cbo0', 'private-key', join(dir, 'key'), 'listen-port', '51820'],
          ...['peer', pubs[other]!, 'endpoint', `${underlay[other]}:51820`, 'allowed-ips', `${this.ends[other]!.overlayIp}/32`],
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      WgPair.on(e, ['ip', 'address', 'add', `${e.overlayIp}/24`, 'dev', 'cbo0']);
      WgPair.on(e, ['ip', 'link', 'set', 'cbo0', 'up']);
    }
  }

  /** What the kernel counted on `end`'s cbo0 so far. */
  counters(end: WgEnd): { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number } {
    const read = (f: string) => Number(WgPair.on(end, ['cat', `/sys/class/net/cbo0/statistics/${f}`]).trim());
    return { rxBytes: read('rx_bytes'), txBytes: read('tx_bytes'), rxPackets: read('rx_packets'), txPackets: read('tx_packets') };
  }

  /** Removes both namespaces and stops wireguard-go; safe to call after a partial up(). */
  async down(): Promise<void> {
    for (const d of this.daemons) {
      if (d.exitCode !== null || d.signalCode !== null) continue;
      const gone = new Promise((r) => d.once('exit', r));
      d.kill('SIGTERM');
      await gone;
    }
    for (const e of this.ends) spawnSync('ip', ['netns', 'del', e.netns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
