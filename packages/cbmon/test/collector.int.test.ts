/**
 * The collector against real agents on twin VM SSH servers: pull with resume after a killed session
 * and after a VM stop/start (no sample lost), a VM whose SSH fails while the rest go on, push with
 * per-MCIS tokens, rollups and cursors on stop.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAgents } from '../src/agent/install.js';
import { Collector } from '../src/collector/collector.js';
import { VmFixture } from './vm-fixture.js';
import { processesMatching, until } from './procs.js';

const fx = new VmFixture();
const MCIS = 'col';
let collector: Collector;
let pushUrl = '';
const logs: string[] = [];

function seqs(vm: string): number[] {
  return [...fx.mon.store.samplesBetween({ mcis: MCIS, vms: [vm] }, 0, Date.now() + 60_000)].map(
    (s) => s.seq,
  );
}

function contiguous(list: number[]): boolean {
  return list.every((s, i) => i === 0 || s === list[i - 1]! + 1);
}

beforeAll(async () => {
  await fx.start(MCIS, [
    { name: 'web-1' },
    { name: 'web-2' },
    { name: 'web-3', subgroup: 'pushers' },
    { name: 'dead-1', subgroup: 'dead' },
  ]);
  const r = await installAgents({
    core: fx.mon.core,
    store: fx.mon.store,
    ns: 'default',
    mcis: MCIS,
    selector: { subgroup: 'web' },
    intervalMs: 1000,
  });
  expect(r.vms.every((v) => v.ok)).toBe(true);
  await installAgents({
    core: fx.mon.core,
    store: fx.mon.store,
    ns: 'default',
    mcis: MCIS,
    selector: { subgroup: 'dead' },
    intervalMs: 1000,
  });
  // dead-1 has an agent but its SSH server goes away for good while the record says Running.
  await fx.halt(fx.vm('dead-1'));
  collector = new Collector({
    core: fx.mon.core,
    store: fx.mon.store,
    listen: { host: '127.0.0.1', port: 0 },
    flushMs: 100,
    syncMs: 500,
    statsMs: 500,
    reviveAfterMs: 2_000,
    reviveEveryMs: 500,
    log: (l) => logs.push(l),
  });
  pushUrl = (await collector.start()).pushUrl!;
});
afterAll(async () => {
  await collector?.stop();
  await fx.dispose();
});

describe('collector', () => {
  it('pulls samples from every agent into the store, promptly', async () => {
    await until(() => seqs('web-1').length >= 3 && seqs('web-2').length >= 3, 15_000, 'samples stored');
    expect(contiguous(seqs('web-1'))).toBe(true);
    const stats = collector.stats();
    expect(stats.stored).toBeGreaterThanOrEqual(6);
    expect(stats.latencyMs.p95).toBeLessThan(2_000);
    expect(stats.agents.find((a) => a.vm === 'web-1')?.state).toBe('streaming');
  });

  it('reports a VM whose SSH fails and goes on with the rest', async () => {
    await until(
      () => collector.stats().agents.find((a) => a.vm === 'dead-1')?.state === 'retrying',
      15_000,
      'dead-1 retrying',
    );
    const dead = collector.stats().agents.find((a) => a.vm === 'dead-1')!;
    expect(dead.detail).toMatch(/ECONNREFUSED|connect/);
    expect(logs.some((l) => l.startsWith(`default/${MCIS}/dead-1: retrying`))).toBe(true);
    const before = seqs('web-2').length;
    await until(() => seqs('web-2').length > before, 5_000, 'web-2 still stored');
  });

  it('loses nothing when the SSH session is killed mid-stream', async () => {
    const [victim] = processesMatching(join(fx.vm('web-1').home, '.cbmon', 'agent.sh'), 'stream');
    expect(victim).toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');
    const n = seqs('web-1').length;
    await until(() => seqs('web-1').length >= n + 3, 15_000, 'samples after the kill');
    expect(contiguous(seqs('web-1'))).toBe(true);
  });

  it('loses nothing across a VM stop and start', async () => {
    const vm = fx.vm('web-2');
    await fx.halt(vm);
    fx.setStatus(MCIS, 'web-2', 'Suspended');
    await until(
      () => collector.stats().agents.find((a) => a.vm === 'web-2')?.state === 'waiting',
      10_000,
      'web-2 waiting',
    );
    await new Promise((r) => setTimeout(r, 1_500));
    await fx.boot(vm);
    fx.setStatus(MCIS, 'web-2', 'Running');
    const n = seqs('web-2').length;
    await until(() => seqs('web-2').length >= n + 2, 20_000, 'samples after the restart');
    expect(contiguous(seqs('web-2'))).toBe(true);
    expect(collector.stats().lost).toBe(0);
  });

  it('accepts pushes from agents installed with --push, and only with the MCIS token', async () => {
    const r = await installAgents({
      core: fx.mon.core,
      store: fx.mon.store,
      ns: 'default',
      mcis: MCIS,
      selector: { subgroup: 'pushers' },
      intervalMs: 1000,
      push: pushUrl,
    });
    expect(r.vms[0]).toMatchObject({ ok: true, status: { mode: 'push' } });
    await until(() => seqs('web-3').length >= 2, 20_000, 'pushed samples');
    expect(fx.mon.store.getAgent('default', MCIS, 'web-3')?.lastSeq).toBeGreaterThan(0);
    expect(collector.stats().agents.find((a) => a.vm === 'web-3')?.mode).toBe('push');

    const token = fx.mon.store.pushToken('default', MCIS);
    const line = (mcis: string, vm: string) =>
      `cpu,ns=default,mcis=${mcis},vm=${vm} cpu_utilization=1,seq=1i ${Date.now()}000000`;
    const post = (body: string, auth?: string) =>
      fetch(pushUrl, { method: 'POST', body, headers: auth ? { authorization: auth } : {} });
    expect((await post(line(MCIS, 'web-3'))).status).toBe(401);
    expect((await post(line(MCIS, 'web-3'), 'Token nope')).status).toBe(401);
    expect((await post(line('other', 'web-3'), `Token ${token}`)).status).toBe(403);
    const unknown = await post(line(MCIS, 'ghost-1'), `Token ${token}`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/no VM 'ghost-1'/);
    expect((await post('cpu value=', `Token ${token}`)).status).toBe(400);
  });

  it('starts a push agent again after a reboot stopped it', async () => {
    const vm = fx.vm('web-3');
    await until(() => seqs('web-3').length >= 2, 20_000, 'pushed samples');
    await fx.halt(vm); // kills every process of the VM: the sampler and its pusher too
    await fx.boot(vm); // back up, and nothing on it starts the agent
    const n = seqs('web-3').length;
    await until(() => logs.some((l) => /web-3: push agent silent for \d+ s on a Running VM; started it again/.test(l)), 30_000, 'the push agent revived');
    await until(() => seqs('web-3').length >= n + 2, 20_000, 'pushes after the reboot');
    // Once it pushes again, nobody starts it a second time.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(logs.filter((l) => l.includes('web-3: push agent silent'))).toHaveLength(1);
  });

  it('rolls up on stop and keeps cursors with the samples', async () => {
    await collector.stop();
    const stats = fx.mon.store.stats();
    expect(stats.rollups).toBeGreaterThan(0);
    const a = fx.mon.store.getAgent('default', MCIS, 'web-1')!;
    expect(a.lastSeq).toBe(Math.max(...seqs('web-1')));
    expect(a.epoch).toMatch(/^\d+$/);
    expect(fx.mon.core.store.getLock('cbmon/collector')).toBeUndefined();
  });
});
