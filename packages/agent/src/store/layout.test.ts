import { describe, expect, it } from 'vitest';
import type { SamplePoint } from '../sample.js';
import { decodePoints, decodeValues, encodePoints, encodeValues, parseColumnKey } from './layout.js';

describe('value blobs', () => {
  it('packs two-decimal values as varints, exactly', () => {
    const values = [0, 12.34, -1.5, 100, 25276502016, 270553174016, 0.01, 99.99, 2 ** 40];
    const buf = encodeValues(values);
    expect(buf[0]).toBe(1);
    expect(buf.length).toBeLessThan((values.length * 8) / 2);
    expect([...decodeValues(buf)]).toEqual(values);
  });

  it('falls back to float64 for anything else', () => {
    const values = [1 / 3, 12.5, 1e300, -0.001];
    const buf = encodeValues(values);
    expect(buf[0]).toBe(0);
    expect([...decodeValues(buf)]).toEqual(values);
    expect([...decodeValues(encodeValues([]))]).toEqual([]);
  });

  it('round-trips points through columns', () => {
    const points: SamplePoint[] = [
      { measurement: 'cpu', tags: {}, fields: { cpu_utilization: 12.5, seq: 4 } },
      {
        measurement: 'disk',
        tags: { mount: '/', device: '/dev/vda' },
        fields: { disk_utilization: 21.72, disk_total: 270553174016 },
      },
    ];
    const { cols, vals } = encodePoints(points);
    expect(cols).toEqual([
      'cpu\tcpu_utilization\t',
      'disk\tdisk_utilization\tdevice=/dev/vda,mount=/',
      'disk\tdisk_total\tdevice=/dev/vda,mount=/',
    ]);
    expect(decodePoints(cols.map(parseColumnKey), decodeValues(vals))).toEqual([
      { measurement: 'cpu', tags: {}, fields: { cpu_utilization: 12.5 } },
      {
        measurement: 'disk',
        tags: { device: '/dev/vda', mount: '/' },
        fields: { disk_utilization: 21.72, disk_total: 270553174016 },
      },
    ]);
  });
});
