/**
 * The real agent on twin VM SSH servers: install/upgrade/uninstall, status, streaming with resume
 * after a killed session, a VM without /proc, busybox; and (root) two VMs joined by a real
 * WireGuard overlay, whose traffic the agent, stream, query, watch and the Prometheus export show.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentStatuses, assertAllOk, installAgents, uninstallAgents } from '@cloud-barista/agent/install';
import { followAgent } from '../src/agent/follow.js';
import { reach, selectTargets } from '@cloud-barista/agent/targets';
import type { Sample } from '@cloud-barista/agent/sample';
import { PartialError } from '@cloud-barista/core/errors';
import { needsRoot, optionalTool } from '../../../test-support/tools.js';
import { VmFixture } from './vm-fixture.js';
import { processesMatching, until } from './procs.js';
import { overlayTraffic } from './overlay-traffic.js';

const fx = new VmFixture();
const MCIS = 'mon';

function busyboxPath(dir: string): string | undefined {
  const bb = optionalTool('busybox', 'apt-get install -y busybox');
  if (!bb) return undefined;
  const bin = join(dir, 'busybox-bin');
  mkdirSync(bin, { recursive: true });
  for (const applet of execFileSync(bb, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (!existsSync(join(bin, applet))) symlinkSync(bb, join(bin, applet));
  }
  return bin;
}

const bbBin = busyboxPath(fx.dir);

beforeAll(async () => {
  await fx.start(MCIS, [
    { name: 'web-1' },
    { name: 'web-2' },
    { name: 'noproc-1', subgroup: 'noproc', env: { HOST_PROC: '/nonexistent/proc' } },
    ...(bbBin ? [{ name: 'alpine-1', subgroup: 'alpine', env: { PATH: bbBin, SHELL: `${bbBin}/sh` } }] : []),
  ]);
});
afterAll(() => fx.dispose());

async function collect(
  vm: string,
  seconds: number,
  start: { since: number } | 'now' = { since: 0 },
): Promise<Sample[]> {
  const ac = new AbortController();
  const got: Sample[] = [];
  const [t] = selectTargets(fx.mon.core, 'default', MCIS, { vm });
  const done = followAgent({
    transport: fx.mon.core.exec,
    ref: t!.ref,
    reach: () => reach(fx.mon.core, t!.ref),
    start,
    follow: true,
    signal: ac.signal,
    onSamples: (s) => got.push(...s),
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  ac.abort();
  await done;
  return got;
}

describe('agent on VMs', () => {
  it('installs on the web subgroup, idempotently, and reports status', async () => {
    const first = await installAgents({
      ...fx.scope({ subgroup: 'web' }),
      intervalMs: 1000,
    });
    expect(first.vms.map((v) => [v.vm, v.ok, v.result])).toEqual([
      ['web-1', true, 'installed'],
      ['web-2', true, 'installed'],
    ]);
    expect(first.vms[0]!.status).toMatchObject({
      installed: true,
      running: true,
      intervalS: 1,
      mode: 'pull',
    });
    expect(readFileSync(join(fx.vm('web-1').home, '.cbmon', 'agent.conf'), 'utf8')).toContain(
      "CBMON_VM='web-1'",
    );

    const again = await installAgents({
      ...fx.scope({ vm: 'web-1' }),
      intervalMs: 1000,
    });
    expect(again.vms[0]!.result).toBe('unchanged');
    expect(again.vms[0]!.status?.pid).toBe(first.vms[0]!.status?.pid);

    const status = await agentStatuses(fx.scope({ subgroup: 'web' }));
    expect(status.vms.every((v) => v.status?.running)).toBe(true);
    expect(fx.mon.store.listAgents({ mcis: MCIS }).map((a) => a.vm)).toEqual(['web-1', 'web-2']);
  });

  it('streams consecutive samples with every metric family', async () => {
    const got = await collect('web-1', 3.5);
    expect(got.length).toBeGreaterThanOrEqual(2);
    const seqs = got.map((s) => s.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    const measurements = new Set(got.flatMap((s) => s.points.map((p) => p.measurement)));
    expect([...measurements].sort()).toEqual(expect.arrayContaining(['cpu', 'mem', 'disk', 'net', 'system']));
    const cpu = got[0]!.points.find((p) => p.measurement === 'cpu')!;
    expect(Object.keys(cpu.fields)).toEqual(
      expect.arrayContaining([
        'cpu_utilization',
        'cpu_user',
        'cpu_system',
        'cpu_idle',
        'cpu_iowait',
        'cpu_steal',
      ]),
    );
    expect(cpu.fields.cpu_utilization).toBeGreaterThanOrEqual(0);
    expect(cpu.fields.cpu_utilization).toBeLessThanOrEqual(100);
    const mem = got[0]!.points.find((p) => p.measurement === 'mem')!;
    expect(mem.fields.mem_total).toBeGreaterThan(mem.fields.mem_used!);
    expect(got[0]!.ref).toMatchObject({
      vm: 'web-1',
      mcis: MCIS,
      csp: 'aws',
      region: 'ap-northeast-2',
      subgroup: 'web',
    });
    expect(Math.abs(got.at(-1)!.tsMs - Date.now())).toBeLessThan(5_000);
  });

  it('resumes after the SSH session is killed, losing no sample', async () => {
    const ac = new AbortController();
    const got: Sample[] = [];
    const [t] = selectTargets(fx.mon.core, 'default', MCIS, { vm: 'web-2' });
    const done = followAgent({
      transport: fx.mon.core.exec,
      ref: t!.ref,
      reach: () => reach(fx.mon.core, t!.ref),
      start: 'now',
      follow: true,
      signal: ac.signal,
      minRetryMs: 100,
      maxRetryMs: 300,
      onSamples: (s) => got.push(...s),
    });
    await until(() => got.length >= 1, 10_000, 'first sample');
    const streamHome = join(fx.vm('web-2').home, '.cbmon', 'agent.sh');
    const [victim] = processesMatching(streamHome, 'stream');
    expect(victim).toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');
    const before = got.length;
    await until(() => got.length >= before + 3, 15_000, 'samples after the reconnect');
    ac.abort();
    await done;
    const seqs = got.map((s) => s.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('reports a VM without /proc and goes on with the others', async () => {
    const r = await installAgents(fx.scope({ subgroup: 'noproc' }));
    expect(r.vms[0]).toMatchObject({ vm: 'noproc-1', ok: false });
    expect(r.vms[0]!.error).toMatch(/no procfs at \/nonexistent\/proc/);
    expect(r.vms[0]!.hint).toMatch(/HOST_PROC/);
    expect(() => assertAllOk(r, 'install')).toThrow(/every VM/);
    const mixed = { ...r, vms: [...r.vms, { vm: 'web-1', ok: true }] };
    expect(() => assertAllOk(mixed, 'install')).toThrow(PartialError);
    expect(fx.mon.store.getAgent('default', MCIS, 'noproc-1')).toBeUndefined();
  });

  it.runIf(bbBin)('runs on busybox (Alpine-like) with only busybox tools', async () => {
    const r = await installAgents({
      ...fx.scope({ subgroup: 'alpine' }),
      intervalMs: 1000,
    });
    expect(r.vms[0]).toMatchObject({ ok: true, result: 'installed' });
    const got = await collect('alpine-1', 3.5);
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(got[0]!.points.map((p) => p.measurement)).toEqual(
      expect.arrayContaining(['cpu', 'mem', 'disk', 'system']),
    );
  });

  it('upgrades a changed script and reconfigures on new settings', async () => {
    const conf = join(fx.vm('web-1').home, '.cbmon', 'agent.sh');
    // An older agent: same layout, another version stamp.
    const old = readFileSync(conf, 'utf8').replace(/^CBMON_AGENT_VERSION=.*$/m, 'CBMON_AGENT_VERSION=0.9.0');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(conf, old);
    const up = await installAgents({
      ...fx.scope({ vm: 'web-1' }),
      intervalMs: 1000,
    });
    expect(up.vms[0]).toMatchObject({ result: 'upgraded' });
    const re = await installAgents({
      ...fx.scope({ vm: 'web-1' }),
      intervalMs: 2000,
    });
    expect(re.vms[0]).toMatchObject({ result: 'reconfigured', status: { intervalS: 2 } });
  });

  it('uninstalls: processes and files gone, idempotent', async () => {
    const r = await uninstallAgents(fx.scope({ subgroup: 'web' }));
    expect(r.vms.map((v) => v.result)).toEqual(['removed', 'removed']);
    for (const vm of ['web-1', 'web-2']) {
      expect(existsSync(join(fx.vm(vm).home, '.cbmon'))).toBe(false);
      await until(
        () => processesMatching(join(fx.vm(vm).home, '.cbmon')).length === 0,
        10_000,
        `${vm} agent processes gone`,
      );
    }
    const again = await uninstallAgents(fx.scope({ subgroup: 'web' }));
    expect(again.vms.map((v) => v.result)).toEqual(['absent', 'absent']);
    expect(fx.mon.store.listAgents({ mcis: MCIS, vms: ['web-1', 'web-2'] })).toEqual([]);
  });
});

overlayTraffic(
  ['ip', 'wg', 'wireguard-go', 'ping'].every(
    (t) => optionalTool(t, 'apt-get install -y iproute2 wireguard-tools wireguard-go iputils-ping') !== undefined,
  ) && needsRoot('the overlay traffic test (network namespaces, WireGuard)'),
);
