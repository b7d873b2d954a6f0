import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirEachTest } from '../../../../test-support/tmp.js';
import { describe, expect, it } from 'vitest';
import type { Sample, VmRef } from '../sample.js';
import { MAX_LAYOUTS_PER_VM, MetricsStore } from './metrics-store.js';

let store: MetricsStore;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const ref = (vm: string, subgroup = 'web'): VmRef => ({
  ns: 'default',
  mcis: 'web',
  vm,
  subgroup,
  csp: 'aws',
  region: 'ap-northeast-2',
});

function sample(vm: string, seq: number, tsMs: number, cpu: number, disks: string[] = ['/']): Sample {
  return {
    ref: ref(vm),
    seq,
    tsMs,
    points: [
      { measurement: 'cpu', tags: {}, fields: { cpu_utilization: cpu, cpu_idle: 100 - cpu, seq } },
      ...disks.map((mount, i) => ({
        measurement: 'disk',
        tags: { mount, device: `/dev/vd${'ab'[i]}` },
        fields: { disk_utilization: 10 + i, disk_total: 1e12 },
      })),
    ],
  };
}

const tempDir = tempDirEachTest('cbmon-store-', {
  open: (dir) => (store = new MetricsStore(join(dir, 'metrics.db'))),
  close: () => store.close(),
});

describe('MetricsStore', () => {
  it('stores samples once and reads one metric per series', () => {
    const batch = [
      sample('web-1', 1, T0, 10),
      sample('web-1', 2, T0 + 1000, 20, ['/', '/data']),
      sample('web-2', 1, T0, 30),
    ];
    expect(store.writeSamples(batch).inserted).toBe(3);
    // A replay after a reconnect is harmless.
    expect(store.writeSamples(batch)).toEqual({ inserted: 0, refused: 0, touched: [] });
    const cpu = store.readMetric({
      filter: { ns: 'default', mcis: 'web' },
      metric: 'cpu_utilization',
      fromMs: T0,
      toMs: T0 + 5000,
    });
    expect(cpu.map((s) => [s.ref.vm, s.tags, s.points.map((p) => p.last)])).toEqual([
      ['web-1', '', [10, 20]],
      ['web-2', '', [30]],
    ]);
    const disk = store.readMetric({
      filter: { vms: ['web-1'] },
      metric: 'disk_utilization',
      fromMs: T0,
      toMs: T0 + 5000,
    });
    expect(disk.map((s) => [s.tags, s.points.length])).toEqual([
      ['device=/dev/vda,mount=/', 2],
      ['device=/dev/vdb,mount=/data', 1],
    ]);
    expect(
      store.readMetric({ filter: {}, metric: 'cpu_utilization', fromMs: T0 + 500, toMs: T0 + 900 }),
    ).toEqual([]);
  });

  it('moves agent cursors with the samples they cover', () => {
    store.putAgent({
      ns: 'default',
      mcis: 'web',
      vm: 'web-1',
      mode: 'pull',
      intervalS: 1,
      ringS: 3600,
      version: '1.0.0',
      pushUrl: null,
      installedAt: 'now',
    });
    store.writeSamples(
      [sample('web-1', 7, T0, 1)],
      [{ ns: 'default', mcis: 'web', vm: 'web-1', epoch: 'e1', lastSeq: 7, lastTs: T0, lostDelta: 2 }],
    );
    expect(store.getAgent('default', 'web', 'web-1')).toMatchObject({
      epoch: 'e1',
      lastSeq: 7,
      lastTs: T0,
      lost: 2,
    });
    // Re-installing keeps the cursor.
    store.putAgent({
      ns: 'default',
      mcis: 'web',
      vm: 'web-1',
      mode: 'push',
      intervalS: 5,
      ringS: 3600,
      version: '1.0.1',
      pushUrl: 'http://x',
      installedAt: 'later',
    });
    expect(store.getAgent('default', 'web', 'web-1')).toMatchObject({
      mode: 'push',
      lastSeq: 7,
      lost: 2,
      version: '1.0.1',
    });
    expect(store.listAgents({ mcis: 'web' })).toHaveLength(1);
    expect(store.deleteAgent('default', 'web', 'web-1')).toBe(true);
  });

  it('rolls up minutes and serves them once raw samples are gone', () => {
    const batch: Sample[] = [];
    for (let i = 0; i < 120; i++) batch.push(sample('web-1', i + 1, T0 + i * 1000, i % 60));
    const { touched } = store.writeSamples(batch);
    expect(touched.map((t) => t.minute)).toEqual([T0, T0 + 60_000]);
    expect(store.minutesWithoutRollup(T0 + 120_000)).toEqual(touched);
    expect(store.rollup(touched)).toBe(2);
    expect(store.minutesWithoutRollup(T0 + 120_000)).toEqual([]);
    // Drop the raw samples of the first minute: the query now gets that minute from its rollup.
    expect(store.prune(T0 + 60_000, 0)).toEqual({ samples: 60, rollups: 0 });
    const [s] = store.readMetric({ filter: {}, metric: 'cpu_utilization', fromMs: T0, toMs: T0 + 200_000 });
    expect(s!.points[0]).toEqual({ ts: T0, min: 0, max: 59, sum: (59 * 60) / 2, n: 60, last: 59 });
    expect(s!.points.slice(1).every((p) => p.n === 1)).toBe(true);
    expect(s!.points).toHaveLength(61);
  });

  it('gives the latest sample per VM and decodes stored samples back to points', () => {
    store.writeSamples([
      sample('web-1', 1, T0, 10),
      sample('web-1', 2, T0 + 1000, 20),
      sample('web-2', 1, T0 - 600_000, 5),
    ]);
    const latest = store.latest({ mcis: 'web' }, T0 - 60_000);
    expect(latest.map((l) => [l.ref.vm, l.seq])).toEqual([['web-1', 2]]);
    const decoded = store.decode(latest[0]!);
    expect(decoded.points).toEqual([
      { measurement: 'cpu', tags: {}, fields: { cpu_utilization: 20, cpu_idle: 80 } },
      {
        measurement: 'disk',
        tags: { device: '/dev/vda', mount: '/' },
        fields: { disk_utilization: 10, disk_total: 1e12 },
      },
    ]);
    expect([...store.samplesBetween({}, T0 - 1, T0 + 1000)].map((s) => s.seq)).toEqual([1, 2]);
  });

  it('keeps one push token per VM, alerts and their state', () => {
    const t = store.pushToken('default', 'web', 'web-1');
    expect(store.pushToken('default', 'web', 'web-1')).toBe(t);
    expect(store.pushToken('default', 'web', 'web-2')).not.toBe(t);
    expect(store.tokenOwner(t)).toEqual({ ns: 'default', mcis: 'web', vm: 'web-1' });
    expect(store.tokenOwner('nope')).toBeUndefined();
    // Removing the agent revokes its token.
    store.putAgent({ ns: 'default', mcis: 'web', vm: 'web-1', mode: 'push', intervalS: 1, ringS: 60, version: '1', pushUrl: 'http://x/write', installedAt: new Date().toISOString() });
    store.deleteAgent('default', 'web', 'web-1');
    expect(store.tokenOwner(t)).toBeUndefined();
    expect(store.putAlert('hot', { rule: 'cpu_utilization > 80' }, false)).toBe(true);
    expect(store.putAlert('hot', { rule: 'x' }, false)).toBe(false);
    store.setAlertState('hot', 'web-1', true, T0, 91, T0);
    expect(store.alertStates('hot')).toEqual([
      { series: 'web-1', firing: true, since: T0, value: 91, updated: T0 },
    ]);
    expect(store.deleteAlert('hot')).toBe(true);
    expect(store.alertStates('hot')).toEqual([]);
  });

  it('is readable by its owner only: metrics.db, -wal and -shm are 0600', () => {
    store.writeSamples([sample('web-1', 1, T0, 10)]);
    for (const f of ['metrics.db', 'metrics.db-wal', 'metrics.db-shm'])
      expect((statSync(join(tempDir(), f)).mode & 0o777).toString(8)).toBe('600');
  });

  it('caps the layouts one VM can make: a new tag value per sample stops at the bound', () => {
    const n = MAX_LAYOUTS_PER_VM + 50;
    const samples: Sample[] = Array.from({ length: n }, (_, i) => ({
      ref: ref('web-1'),
      seq: i + 1,
      tsMs: T0 + i,
      points: [{ measurement: 'net', tags: { interface: `veth${i}` }, fields: { net_bytes_in: 1 } }],
    }));
    const out = store.writeSamples(samples);
    expect(out.inserted).toBe(MAX_LAYOUTS_PER_VM);
    expect(out.refused).toBe(50);
    expect(store.layoutCount('default', 'web', 'web-1')).toBe(MAX_LAYOUTS_PER_VM);
    // Samples of a layout the VM already has still go in; other VMs are not affected.
    expect(store.writeSamples([{ ...samples[0]!, tsMs: T0 + n + 1, seq: n + 1 }]).inserted).toBe(1);
    expect(store.writeSamples([{ ...samples[n - 1]!, ref: ref('web-2') }]).inserted).toBe(1);
  });
});
