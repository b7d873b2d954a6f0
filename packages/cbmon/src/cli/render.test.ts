import { describe, expect, it } from 'vitest';
import type { Sample } from '@cloud-barista/agent/sample';
import { seriesFromSamples } from '../rules/check.js';
import { compactLine, sampleJson } from './sample-render.js';
import { renderFrame, WatchModel } from './watch-view.js';
import { renderQuery } from './query-render.js';
import { statusTable } from './agent-render.js';
import { stripControl } from './render.js';

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

  it('adds an overlay column only while some VM has an overlay', () => {
    const m = new WatchModel('web', ['web-1', 'web-2']);
    m.add(sample('web-1', 1, 5));
    m.add(sample('web-2', 1, 5));
    expect(renderFrame(m.frame(T0 + 2_000))).not.toContain('OVERLAY');
    const withOverlay = sample('web-1', 2, 5);
    withOverlay.points.push({
      measurement: 'overlay',
      tags: { interface: 'cbo0' },
      fields: { overlay_rx_bytes: 3072, overlay_tx_bytes: 512 },
    });
    m.add(withOverlay);
    const f = m.frame(T0 + 3_000);
    expect(f.vms.map((r) => [r.vm, r.overlayIn, r.overlayOut])).toEqual([
      ['web-1', 3072, 512],
      ['web-2', null, null],
    ]);
    const text = renderFrame(f);
    expect(text).toContain('OVERLAY IN/OUT');
    expect(text).toMatch(/web-1 .*3\.0KiB\/s \/ 512B\/s/);
  });

  it('turns samples into per-series data for a rule', () => {
    const series = seriesFromSamples([sample('web-1', 1, 5), sample('web-1', 2, 6)], 'disk_utilization');
    expect(series.map((s) => [s.tags, s.points.length])).toEqual([
      ['device=/dev/vda,mount=/', 2],
      ['device=/dev/vdb,mount=/data', 2],
    ]);
  });
});

describe('terminal safety', () => {
  const ESC = '\u001b';
  const evil = `${ESC}[2J${ESC}]0;owned\u0007web\u009b31m-1`;

  it('strips control characters from every table cell and from stream lines', () => {
    expect(stripControl(evil)).toBe('[2J]0;ownedweb31m-1');
    const query = renderQuery({
      metric: 'disk_utilization',
      unit: '%',
      stat: 'avg',
      by: 'vm',
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 60_000).toISOString(),
      stepMs: 1_000,
      groups: [
        { key: evil, series: 1, value: 1, points: [{ ts: new Date(T0).toISOString(), value: 1 }] },
        { key: 'web-2', series: 1, value: 2, points: [{ ts: new Date(T0).toISOString(), value: 2 }] },
      ],
    });
    const status = statusTable([
      { vm: evil, reachable: false, installed: null, running: null, version: null, mode: null, intervalS: null, seq: null, ringFirst: null, ringKb: null, stored: null, lag: null, lost: null, error: evil },
    ]);
    const s = sample('web-1', 1, 1);
    s.points[2]!.tags.mount = evil;
    for (const out of [query, status, compactLine(s)]) {
      expect(out).toContain('ownedweb31m-1');
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }
  });
});

