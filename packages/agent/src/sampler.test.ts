/**
 * The agent's sampler (the awk program in agent/cbmon-agent.sh) on a procfs it is given: how it
 * reads /proc/net/dev lines, the WireGuard overlay interface among them, and `wg show` output.
 * uptime (read first in a sample) and net/dev (read last) are FIFOs, so each sample reads exactly
 * the text the test hands it, in step.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentScript } from './script.js';

const HEADER = [
  'Inter-|   Receive                                                |  Transmit',
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
];

/** A /proc/net/dev line as the kernel pads it. */
function devLine(name: string, rx: [number, number], tx: [number, number]): string {
  return `${name.padStart(6)}: ${String(rx[0]).padStart(8)} ${String(rx[1]).padStart(7)}    0    0    0     0          0         0 ${String(tx[0]).padStart(8)} ${String(tx[1]).padStart(7)}    0    0    0     0       0          0`;
}

function samplerProgram(): string {
  const m = /^SAMPLER_AWK='\n([\s\S]*?)\n'$/m.exec(agentScript());
  if (!m) throw new Error('no SAMPLER_AWK in the agent script');
  return m[1]!;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = 1_700_000_000;

/**
 * Runs the sampler over two samples two seconds apart (net/dev `first` then `second`) and returns
 * the ring's lines without seq and timestamp. `wg`: what a `wg` on PATH prints, if any; null: a
 * `wg` that fails as it does for a user without CAP_NET_ADMIN.
 */
async function sampleTwice(o: { overlay: string; first: string[]; second: string[]; wg?: string | null }): Promise<string[]> {
  const d = mkdtempSync(join(tmpdir(), 'cbmon-sampler-'));
  dirs.push(d);
  const proc = join(d, 'proc');
  mkdirSync(join(proc, 'net'), { recursive: true });
  writeFileSync(join(proc, 'stat'), 'cpu  100 0 100 1000 0 0 0 0 0 0\n');
  writeFileSync(join(proc, 'meminfo'), 'MemTotal: 1000 kB\nMemFree: 500 kB\n');
  writeFileSync(join(proc, 'loadavg'), '0.10 0.20 0.30 1/100 42\n');
  for (const f of ['diskstats', 'mounts']) writeFileSync(join(proc, f), '');
  expect(spawnSync('mkfifo', [join(proc, 'uptime'), join(proc, 'net', 'dev')]).status).toBe(0);
  const ring = join(d, 'ring');
  mkdirSync(ring);
  const bin = join(d, 'bin');
  mkdirSync(bin);
  if (o.wg !== undefined) {
    const body =
      o.wg === null
        ? "echo 'Unable to access interface: Operation not permitted' >&2; exit 1"
        : `[ "$*" = "show ${o.overlay} latest-handshakes" ] || exit 1\nprintf '${o.wg}'`;
    writeFileSync(join(bin, 'wg'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, 'wg'), 0o755);
  }
  const mawk = spawnSync('awk', ['-W', 'version'], { encoding: 'utf8' }).stdout.includes('mawk');
  const awk = spawn(
    'awk',
    [
      ...(mawk ? ['-W', 'interactive'] : []),
      ...['-v', `P=${proc}`, '-v', `R=${ring}`, '-v', `SEQF=${join(d, 'seq')}`, '-v', 'SEQ0=0'],
      ...['-v', 'TAGS=ns=default,mcis=m,vm=v', '-v', 'SEG=20', '-v', 'RINGN=10'],
      ...['-v', `OVL=${o.overlay}`, '-v', `WG=${o.wg === undefined ? 0 : 1}`, samplerProgram()],
    ],
    { stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } },
  );
  const exited = new Promise((r) => awk.once('exit', r));
  // Opening a FIFO waits for the sampler to read it; uptime of the next sample is read only once
  // this sample closed net/dev.
  const feed = async (tsS: number, uptime: string, dev: string[]) => {
    awk.stdin.write(`${tsS}000000000\n`);
    await writeFile(join(proc, 'uptime'), `${uptime} 3000.00\n`);
    await writeFile(join(proc, 'net', 'dev'), [...HEADER, ...dev, ''].join('\n'));
  };
  await feed(T0, '1000.00', o.first);
  await feed(T0 + 2, '1002.00', o.second);
  awk.stdin.end();
  await exited;
  return readdirSync(ring).flatMap((f) =>
    readFileSync(join(ring, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ').slice(1, -1).join(' ')),
  );
}

const first = [
  devLine('lo', [5000, 50], [5000, 50]),
  devLine('eth0', [1_000_000, 900], [2_000_000, 1_800]),
  devLine('cbo0', [10_000, 100], [20_000, 200]),
];
const second = [
  devLine('lo', [9000, 90], [9000, 90]),
  devLine('eth0', [1_004_000, 920], [2_010_000, 1_850]),
  devLine('cbo0', [12_048, 120], [24_096, 240]),
];

describe('agent sampler: /proc/net/dev', () => {
  it('reports every interface but lo as net rates, and the overlay interface again as overlay_*', async () => {
    const lines = await sampleTwice({ overlay: 'cbo0', first, second });
    const net = lines.filter((l) => l.startsWith('net,')).sort();
    expect(net).toEqual([
      'net,ns=default,mcis=m,vm=v,interface=cbo0 bytes_in=1024.00,bytes_out=2048.00,pkts_in=10.00,pkts_out=20.00,err_in=0.00,err_out=0.00,drop_in=0.00,drop_out=0.00,seq=1i',
      'net,ns=default,mcis=m,vm=v,interface=eth0 bytes_in=2000.00,bytes_out=5000.00,pkts_in=10.00,pkts_out=25.00,err_in=0.00,err_out=0.00,drop_in=0.00,drop_out=0.00,seq=1i',
    ]);
    expect(lines.filter((l) => l.startsWith('overlay,'))).toEqual([
      'overlay,ns=default,mcis=m,vm=v,interface=cbo0 overlay_rx_bytes=1024.00,overlay_tx_bytes=2048.00,overlay_rx_packets=10.00,overlay_tx_packets=20.00,seq=1i',
    ]);
  });

  it('writes no overlay line without an overlay setting, or while the interface is absent', async () => {
    const none = await sampleTwice({ overlay: '', first, second });
    expect(none.filter((l) => l.startsWith('overlay,'))).toEqual([]);
    expect(none.filter((l) => l.startsWith('net,'))).toHaveLength(2);
    // The interface appears between the samples (an overlay being enabled): a rate needs two readings.
    const appearing = await sampleTwice({ overlay: 'cbo0', first: first.slice(0, 2), second });
    expect(appearing.filter((l) => l.startsWith('overlay,'))).toEqual([]);
    expect(appearing.some((l) => l.startsWith('net,') && l.includes('interface=cbo0'))).toBe(false);
  });

  it('adds peers and the stalest handshake age from `wg show IF latest-handshakes`', async () => {
    // wg's own format: public key, a tab, the epoch second of the latest handshake (0: never).
    const wg = `AAAAkey1=\\t${T0}\\nBBBBkey2=\\t${T0 + 2 - 1002}\\nCCCCkey3=\\t0\\n`;
    const lines = await sampleTwice({ overlay: 'cbo0', first, second, wg });
    expect(lines.filter((l) => l.startsWith('overlay,'))).toEqual([
      'overlay,ns=default,mcis=m,vm=v,interface=cbo0 overlay_rx_bytes=1024.00,overlay_tx_bytes=2048.00,overlay_rx_packets=10.00,overlay_tx_packets=20.00,overlay_peers=3,overlay_peers_up=1,overlay_handshake_age_seconds=1002,seq=1i',
    ]);
  });

  it('leaves the handshake fields out when wg cannot read the interface (not root)', async () => {
    const lines = await sampleTwice({ overlay: 'cbo0', first, second, wg: null });
    expect(lines.filter((l) => l.startsWith('overlay,'))).toEqual([
      'overlay,ns=default,mcis=m,vm=v,interface=cbo0 overlay_rx_bytes=1024.00,overlay_tx_bytes=2048.00,overlay_rx_packets=10.00,overlay_tx_packets=20.00,seq=1i',
    ]);
  });
});
