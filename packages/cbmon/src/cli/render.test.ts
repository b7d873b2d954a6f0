import { describe, expect, it } from 'vitest';
import type { Sample } from '../sample.js';
import { seriesFromSamples } from '../rules/check.js';
import { compactLine, sampleJson } from './sample-render.js';
import { renderFrame, WatchModel } from './watch-view.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
function sample(vm: string, seq: number, cpu: number): Sample {
  return {
    ref: { ns: 'default', mcis: 'web', vm, subgroup: 'web', csp: 'aws', region: 'r' },
    seq,
    tsMs: T0 + seq * 1000,
    points: [
      { measurement: 'cpu', tags: {}, fields: { cpu_utilization: cpu } },
      { measurement: 'mem', tags: {}, fields: { mem_utilization: 40, mem_used: 3 * 1024 ** 3 } },
      { measurement: 'disk', tags: { mount: '/', device: '/dev/vda' }, fields: { disk_utilization: 20 } },
      { measurement: 'disk', tags: { mount: '/data', device: '/dev/vdb' }, fields: { disk_utilization: 70 } },
      { measurement: 'net', tags: { interface: 'eth0' }, fields: { bytes_in: 2048, bytes_out: 1024 } },
      { measurement: 'net', tags: { interface: 'eth1' }, fields: { bytes_in: 2048, bytes_out: 0 } },
    ],
  };
}

describe('sample rendering', () => {
  it('prints a compact, grep-friendly line and a JSON object', () => {
    const line = compactLine(sample('web-1', 4, 12.34));
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d web-1 #4 cpu_utilization=12\.3% mem_utilization=40\.0% mem_used=3\.0GiB disk_utilization\[\/\]=20\.0% disk_utilization\[\/data\]=70\.0% bytes_in\[eth0\]=2\.0KiB\/s/,
    );
    expect(sampleJson(sample('web-1', 4, 1))).toMatchObject({
      ts: new Date(T0 + 4000).toISOString(),
      vm: 'web-1',
      seq: 4,
      csp: 'aws',
    });
  });

  it('keeps watch rows with the fullest disk, summed network and histories', () => {
    const m = new WatchModel('web', ['web-1', 'web-2']);
    for (let i = 1; i <= 35; i++) m.add(sample('web-1', i, i));
    m.add(sample('web-1', 3, 99)); // an old sample (a replay) changes nothing
    m.state('web-2', 'retrying: ECONNREFUSED');
    const f = m.frame(T0 + 40_000);
    const [a, b] = f.vms;
    expect(a).toMatchObject({
      vm: 'web-1',
      state: 'streaming',
      cpu: 35,
      mem: 40,
      disk: 70,
      netIn: 4096,
      netOut: 1024,
    });
    expect(a!.history.cpu).toHaveLength(30);
    expect(a!.history.cpu.at(-1)).toBe(35);
    expect(b).toMatchObject({ vm: 'web-2', state: 'retrying: ECONNREFUSED', cpu: null });
    const text = renderFrame(f);
    expect(text).toContain('cbmon watch web');
    expect(text).toMatch(/web-1 .*35\.0%/);
    expect(text).toContain('4.0KiB/s / 1.0KiB/s');
  });

  it('turns samples into per-series data for a rule', () => {
    const series = seriesFromSamples([sample('web-1', 1, 5), sample('web-1', 2, 6)], 'disk_utilization');
    expect(series.map((s) => [s.tags, s.points.length])).toEqual([
      ['device=/dev/vda,mount=/', 2],
      ['device=/dev/vdb,mount=/data', 2],
    ]);
  });
});
