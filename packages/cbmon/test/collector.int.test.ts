/**
 * The collector against real agents on twin VM SSH servers: pull with resume after a killed session
 * and after a VM stop/start (no sample lost), a VM whose SSH fails while the rest go on, push with
 * per-VM tokens, bounded trust in pushed seq, real loss, a locked store, rollups and cursors on stop.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAgents } from '@cloud-barista/agent/install';
import type { Collector } from '../src/collector/collector.js';
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
    { name: 'ring-1', subgroup: 'ring' },
    { name: 'hostile-1', subgroup: 'hostile' },
  ]);
  // A tiny ring: a stream down for a few seconds loses samples for real.
  await installAgents({
    ...fx.scope({ subgroup: 'ring' }),
    intervalMs: 1000,
    ringMs: 3000,
  });
  // A push writer with no agent behind it: what a hostile VM with its own token can send.
  fx.mon.store.putAgent({
    ns: 'default',
    mcis: MCIS,
    vm: 'hostile-1',
    mode: 'push',
    intervalS: 1,
    ringS: 3600,
    version: 'x',
    pushUrl: 'http://127.0.0.1/write',
    installedAt: new Date().toISOString(),
  });
  const r = await installAgents({
    ...fx.scope({ subgroup: 'web' }),
    intervalMs: 1000,
  });
  expect(r.vms.every((v) => v.ok)).toBe(true);
  await installAgents({
    ...fx.scope({ subgroup: 'dead' }),
    intervalMs: 1000,
  });
  // dead-1 has an agent but its SSH server goes away for good while the record says Running.
  await fx.halt(fx.vm('dead-1'));
  collector = fx.collector({
    reviveAfterMs: 2_000,
    reviveEveryMs: 500,
    log: (l) => logs.push(l),
  });
  pushUrl = (await collector.start()).pushUrl!;
});
afterAll(() => fx.dispose());

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

  it("accepts pushes from agents installed with --push, and only with that VM's token", async () => {
    const r = await installAgents({
      ...fx.scope({ subgroup: 'pushers' }),
      intervalMs: 1000,
      push: pushUrl,
    });
    expect(r.vms[0]).toMatchObject({ ok: true, status: { mode: 'push' } });
    await until(() => seqs('web-3').length >= 2, 20_000, 'pushed samples');
    expect(fx.mon.store.getAgent('default', MCIS, 'web-3')?.lastSeq).toBeGreaterThan(0);
    expect(collector.stats().agents.find((a) => a.vm === 'web-3')?.mode).toBe('push');

    const token = fx.mon.store.pushToken('default', MCIS, 'web-3');
    const line = (mcis: string, vm: string) =>
      `cpu,ns=default,mcis=${mcis},vm=${vm} cpu_utilization=1,seq=1i ${Date.now()}000000`;
    const post = (body: string, auth?: string) =>
      fetch(pushUrl, { method: 'POST', body, headers: auth ? { authorization: auth } : {} });
    expect((await post(line(MCIS, 'web-3'))).status).toBe(401);
    expect((await post(line(MCIS, 'web-3'), 'Token nope')).status).toBe(401);
    expect((await post(line('other', 'web-3'), `Token ${token}`)).status).toBe(403);
    // web-3's token cannot write another VM, even of its MCIS, nor can a pull agent's token push.
    expect((await post(line(MCIS, 'web-1'), `Token ${token}`)).status).toBe(403);
    const pullToken = fx.mon.store.pushToken('default', MCIS, 'web-1');
    const pull = await post(line(MCIS, 'web-1'), `Token ${pullToken}`);
    expect(pull.status).toBe(403);
    expect(((await pull.json()) as { message: string }).message).toMatch(/not installed in push mode/);
    expect((await post('cpu value=', `Token ${token}`)).status).toBe(400);
  });

  it('stores 100k pushed lines of one VM and answers health while it works', async () => {
    const token = fx.mon.store.pushToken('default', MCIS, 'hostile-1');
    const t0 = Date.now() - 600_000;
    const body = gzipSync(
      Array.from(
        { length: 100_000 },
        (_, i) => `cpu,ns=default,mcis=${MCIS},vm=hostile-1 cpu_utilization=1,seq=${i + 1}i ${t0 + i}000000`,
      ).join('\n'),
    );
    let pushing = true;
    let healthy = 0;
    const write = fetch(pushUrl, {
      method: 'POST',
      body,
      headers: { authorization: `Token ${token}`, 'content-encoding': 'gzip' },
    }).finally(() => (pushing = false));
    while (pushing) if ((await fetch(pushUrl.replace(/write$/, 'health'))).status === 204) healthy++;
    expect((await write).status).toBe(204);
    expect(healthy).toBeGreaterThan(0);
    await until(() => seqs('hostile-1').length === 100_000, 30_000, '100k samples stored');
  });

  it('counts pushed seq gaps as lost only as far as the clock allows', async () => {
    const token = fx.mon.store.pushToken('default', MCIS, 'hostile-1');
    const lostBefore = collector.stats().agents.find((a) => a.vm === 'hostile-1')!.lost;
    const at = Date.now() - 60_000;
    const push = (seq: number, ts: number) =>
      fetch(pushUrl, {
        method: 'POST',
        body: `cpu,ns=default,mcis=${MCIS},vm=hostile-1 cpu_utilization=1,seq=${seq}i ${ts}000000`,
        headers: { authorization: `Token ${token}` },
      });
    // 100004 after 100000, 10 s later: 3 samples really missing.
    expect((await push(100_004, at)).status).toBe(204);
    // A jump of a billion in one second is not a billion samples lost.
    expect((await push(1_000_100_004, at + 1_000)).status).toBe(204);
    await until(() => fx.mon.store.getAgent('default', MCIS, 'hostile-1')!.lastSeq === 1_000_100_004, 5_000, 'cursor');
    expect(collector.stats().agents.find((a) => a.vm === 'hostile-1')!.lost - lostBefore).toBe(3);
    expect(fx.mon.store.getAgent('default', MCIS, 'hostile-1')!.lost).toBe(3);
  });

  it('keeps samples while another writer holds the store, and stores them once it lets go', async () => {
    // Samples stored before the lock, so a batch dropped during it would be a gap, not a new start.
    await until(() => seqs('web-1').length >= 2, 15_000, 'web-1 samples');
    const other = new Database(join(fx.home, 'metrics.db'));
    const before = seqs('web-1').length;
    other.exec('BEGIN IMMEDIATE');
    try {
      await until(() => logs.some((l) => /store write failed .*will retry/.test(l)), 10_000, 'a failed write');
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await until(() => logs.some((l) => l.startsWith('store writable again')), 10_000, 'writes again');
    await until(() => seqs('web-1').length >= before + 3, 10_000, 'samples after the lock');
    expect(contiguous(seqs('web-1'))).toBe(true);
    expect(fx.mon.store.getAgent('default', MCIS, 'web-1')!.lost).toBe(0);
  });

  it('counts real loss: a ring that overflowed while the stream was down shows in LOST', { timeout: 90_000 }, async () => {
    await until(() => seqs('ring-1').length >= 2, 15_000, 'ring-1 samples');
    fx.setStatus(MCIS, 'ring-1', 'Suspended');
    const [victim] = processesMatching(join(fx.vm('ring-1').home, '.cbmon', 'agent.sh'), 'stream');
    process.kill(victim!.pid, 'SIGKILL');
    await until(
      () => collector.stats().agents.find((a) => a.vm === 'ring-1')?.state === 'waiting',
      10_000,
      'ring-1 waiting',
    );
    // The agent keeps sampling; its ring (3 samples, in segments of 20) forgets what nobody read.
    await new Promise((r) => setTimeout(r, 28_000));
    fx.setStatus(MCIS, 'ring-1', 'Running');
    await until(() => (fx.mon.store.getAgent('default', MCIS, 'ring-1')?.lost ?? 0) > 0, 20_000, 'loss recorded');
    const lost = fx.mon.store.getAgent('default', MCIS, 'ring-1')!.lost;
    // About 28 samples taken while down; the ring kept 3 to 23 of them.
    expect(lost).toBeGreaterThanOrEqual(1);
    expect(lost).toBeLessThanOrEqual(40);
    expect(collector.stats().lost).toBeGreaterThanOrEqual(lost);
    expect(logs.some((l) => /ring-1: \d+ sample\(s\) had left the agent's ring/.test(l))).toBe(true);
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
