/**
 * Part of agent.int.test.ts (no twin, so no new one): two fixture VMs in network namespaces joined
 * by a real WireGuard overlay (cbo0) and one VM without it. Traffic crosses the overlay (ping);
 * the agent's overlay_* figures must add up to what the kernel counted on cbo0, and the built
 * cbmon's stream, query, watch and Prometheus export must show them for overlay VMs only.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAgents, uninstallAgents } from '@cloud-barista/agent/install';
import { reach, selectTargets } from '@cloud-barista/agent/targets';
import type { Sample } from '@cloud-barista/agent/sample';
import { followAgent } from '../src/agent/follow.js';
import { collect as collectOutput, type RunResult } from '../../../test-support/proc.js';
import { CBMON, readLines } from './harness.js';
import { until } from './procs.js';
import { VmFixture } from './vm-fixture.js';
import { WgPair } from './wg-pair.js';

const MCIS = 'ovl';

export function overlayTraffic(enabled: boolean): void {
  describe.runIf(enabled)('overlay traffic', () => {
    const fx = new VmFixture();
    const pair = new WgPair();
    const [a, b] = pair.ends;
    const env = () => {
      const e: NodeJS.ProcessEnv = { ...process.env, CB_HOME: fx.home };
      for (const k of ['CB_OUTPUT', 'CB_NS', 'CBMON_INTERVAL', 'CBMON_PUSH', 'CBMON_LISTEN']) delete e[k];
      return e;
    };
    const cbmon = (args: string[]): Promise<RunResult> =>
      collectOutput(spawn(process.execPath, [CBMON, ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] }));
    /** `count` pings of 1000 bytes from VM a to b's overlay address, 50 ms apart. */
    const pinger = (count: number) =>
      spawn(a.enter[0]!, [...a.enter.slice(1), 'ping', '-q', '-c', String(count), '-i', '0.05', '-s', '1000', '-W', '2', b.overlayIp], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const ping = (count: number): Promise<RunResult> => collectOutput(pinger(count));
    /** Everything the VM's ring holds, in seq order. */
    async function ring(vm: string): Promise<Sample[]> {
      const got: Sample[] = [];
      const [t] = selectTargets(fx.mon.core, 'default', MCIS, { vm });
      await followAgent({
        transport: fx.mon.core.exec,
        ref: t!.ref,
        reach: () => reach(fx.mon.core, t!.ref),
        start: { since: 0 },
        follow: false,
        signal: new AbortController().signal,
        onSamples: (s) => got.push(...s),
      });
      return got;
    }
    /** The agent's newest sample (0 before its first). */
    const seqOf = (vm: string): number => {
      const f = join(fx.vm(vm).home, '.cbmon', 'seq');
      return existsSync(f) ? Number(readFileSync(f, 'utf8').trim() || 0) : 0;
    };
    const overlayPoint = (s: Sample) => s.points.find((p) => p.measurement === 'overlay');
    /** Bytes the samples after `afterSeq` say crossed: each rate times the time since the sample before. */
    function total(samples: Sample[], field: string, afterSeq: number): number {
      let sum = 0;
      for (let i = 1; i < samples.length; i++) {
        if (samples[i]!.seq <= afterSeq) continue;
        const dt = (samples[i]!.tsMs - samples[i - 1]!.tsMs) / 1000;
        sum += (overlayPoint(samples[i]!)?.fields[field] ?? 0) * dt;
      }
      return sum;
    }

    beforeAll(async () => {
      await pair.up();
      await fx.start(MCIS, [
        { name: 'ovl-1', enter: a.enter },
        { name: 'ovl-2', enter: b.enter },
        { name: 'plain-1', subgroup: 'plain' },
      ]);
      const r = await installAgents({ ...fx.scope(), intervalMs: 1000 });
      expect(r.vms.map((v) => [v.vm, v.ok])).toEqual([
        ['ovl-1', true],
        ['ovl-2', true],
        ['plain-1', true],
      ]);
      await fx.collector().start();
    }, 60_000);
    afterAll(async () => {
      try {
        if (fx.mon) await uninstallAgents(fx.scope());
        await fx.dispose();
      } finally {
        await pair.down();
      }
    });

    it('counts what crossed the overlay, as the kernel did, with the peers and handshake age', async () => {
      expect(readFileSync(join(fx.vm('ovl-1').home, '.cbmon', 'agent.conf'), 'utf8')).toContain("CBMON_OVERLAY_IF='cbo0'");
      // A first sample on both ends: the ones after it cover the whole ping.
      await until(() => seqOf('ovl-1') >= 1 && seqOf('ovl-2') >= 1, 10_000, 'first samples');
      const startSeq = { a: seqOf('ovl-1'), b: seqOf('ovl-2') };
      const before = { a: pair.counters(a), b: pair.counters(b) };
      const p = await ping(40);
      expect(p.code, p.stdout + p.stderr).toBe(0);
      const after = { a: pair.counters(a), b: pair.counters(b) };
      const sent = after.a.txBytes - before.a.txBytes;
      const received = after.b.rxBytes - before.b.rxBytes;
      expect(sent).toBeGreaterThanOrEqual(40 * 1028);
      const endSeq = { a: seqOf('ovl-1') + 2, b: seqOf('ovl-2') + 2 };
      await until(() => seqOf('ovl-1') >= endSeq.a && seqOf('ovl-2') >= endSeq.b, 10_000, 'samples after the ping');

      const [one, two, plain] = await Promise.all([ring('ovl-1'), ring('ovl-2'), ring('plain-1')]);
      // Rates (bytes/s over the sampler's uptime delta) times the time between samples: close to
      // the kernel's own count, which nothing else touched (no keepalives configured). Within 0.3%
      // on a quiet machine; the margin is for a loaded one, where `date` and the uptime read drift.
      const ratios = [total(one, 'overlay_tx_bytes', startSeq.a) / sent, total(two, 'overlay_rx_bytes', startSeq.b) / received];
      for (const r of ratios) {
        expect(r).toBeGreaterThan(0.8);
        expect(r).toBeLessThan(1.2);
      }
      expect(total(one, 'overlay_rx_packets', startSeq.a)).toBeGreaterThan(30);
      // The default net metric keeps its meaning: cbo0 is one more interface there.
      expect(one.some((s) => s.points.some((p) => p.measurement === 'net' && p.tags.interface === 'cbo0'))).toBe(true);
      const last = overlayPoint(one.at(-1)!)!;
      expect(last.tags).toEqual({ interface: 'cbo0' });
      // The agent runs as root here, so `wg show` answers: one peer, handshake just now.
      expect(last.fields).toMatchObject({ overlay_peers: 1, overlay_peers_up: 1 });
      expect(last.fields.overlay_handshake_age_seconds).toBeLessThan(30);
      expect(plain.length).toBeGreaterThan(1);
      expect(plain.some((s) => overlayPoint(s))).toBe(false);
    });

    it('stream, query, watch and the Prometheus export show the overlay for overlay VMs only', async () => {
      // Traffic for as long as the CLIs run (their start-up time varies on a busy machine).
      const traffic = pinger(1000);
      const pinged = collectOutput(traffic);
      const [stream, watch] = await Promise.all([
        cbmon(['stream', MCIS, '--duration', '2500ms']),
        cbmon(['watch', MCIS, '--duration', '2500ms']),
      ]);
      traffic.kill('SIGINT');
      const received = / (\d+) received/.exec((await pinged).stdout);
      expect(Number(received?.[1])).toBeGreaterThan(10);
      expect(stream.code, stream.stderr).toBe(0);
      const lines = stream.stdout.split('\n').filter(Boolean);
      const of = (vm: string) => lines.filter((l) => l.split(' ')[1] === vm);
      expect(of('ovl-1').length).toBeGreaterThan(0);
      expect(of('plain-1').length).toBeGreaterThan(0);
      expect(of('ovl-1').some((l) => /overlay_tx_bytes\[cbo0\]=(?!0B\/s)[\d.]+\w*B\/s/.test(l)), stream.stdout).toBe(true);
      expect(of('ovl-2').every((l) => l.includes('overlay_rx_bytes[cbo0]='))).toBe(true);
      expect(of('plain-1').some((l) => l.includes('overlay_'))).toBe(false);
      expect(watch.stdout).toContain('OVERLAY IN/OUT');

      type Query = { groups: Array<{ key: string; value: number | null }> };
      const q = await cbmon(['query', MCIS, '--metric', 'overlay_tx_bytes', '--since', '1m', '--by', 'vm', '--stat', 'max', '--json']);
      expect(q.code, q.stderr).toBe(0);
      const groups = (JSON.parse(q.stdout) as Query).groups;
      expect(groups.map((g) => g.key)).toEqual(['ovl-1', 'ovl-2']);
      expect(groups[0]!.value).toBeGreaterThan(1000);

      const prom = spawn(process.execPath, [CBMON, 'export', 'prometheus', '--listen', '127.0.0.1:0', '--mcis', MCIS, '--json'], {
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const [first] = await readLines(prom, (l) => l.length >= 1);
        const text = await (await fetch((JSON.parse(first!) as { url: string }).url)).text();
        expect(text).toContain('# HELP cbmon_overlay_rx_bytes bytes received over the MCIS overlay (WireGuard interface) (bytes/s)');
        expect(text).toMatch(/^# TYPE cbmon_overlay_tx_bytes gauge$/m);
        expect(text).toMatch(/^cbmon_overlay_tx_bytes\{[^}]*vm="ovl-1"[^}]*,interface="cbo0"\} [\d.]+$/m);
        expect(text).toMatch(/^cbmon_overlay_handshake_age_seconds\{[^}]*vm="ovl-2"[^}]*\} \d+$/m);
        expect(text).not.toMatch(/^cbmon_overlay_\w+\{[^}]*vm="plain-1"/m);
      } finally {
        prom.kill('SIGTERM');
      }
    });
  });
}
