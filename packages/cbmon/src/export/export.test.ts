import { describe, expect, it } from 'vitest';
import type { Sample } from '@cloud-barista/agent/sample';
import { parseLine } from '../lineproto.js';
import { renderExposition, servePrometheus } from './prometheus.js';
import { sampleLines, writeUrl } from './influx.js';

const s: Sample = {
  ref: { ns: 'default', mcis: 'web', vm: 'web-1', subgroup: 'seoul', csp: 'aws', region: 'ap-northeast-2' },
  seq: 4,
  tsMs: 1_700_000_000_250,
  points: [
    { measurement: 'cpu', tags: {}, fields: { cpu_utilization: 12.5 } },
    {
      measurement: 'disk',
      tags: { mount: '/my "disk"', device: '/dev/vda' },
      fields: { disk_utilization: 40 },
    },
  ],
};

describe('prometheus exposition', () => {
  it('renders gauges with identity and series labels, escaped', () => {
    const text = renderExposition([s]);
    expect(text).toContain('# HELP cbmon_cpu_utilization CPU busy time (not idle, not iowait) (%)');
    expect(text).toContain('# TYPE cbmon_cpu_utilization gauge');
    expect(text).toContain(
      'cbmon_cpu_utilization{ns="default",mcis="web",vm="web-1",subgroup="seoul",csp="aws",region="ap-northeast-2"} 12.5',
    );
    expect(text).toContain(
      'cbmon_disk_utilization{ns="default",mcis="web",vm="web-1",subgroup="seoul",csp="aws",region="ap-northeast-2",device="/dev/vda",mount="/my \\"disk\\""} 40',
    );
    expect(text).toContain(
      'cbmon_last_sample_timestamp_seconds{ns="default",mcis="web",vm="web-1",subgroup="seoul",csp="aws",region="ap-northeast-2"} 1700000000.250',
    );
    expect(renderExposition([])).toBe('\n');
  });

  it('names the overlay metrics with their own HELP, labelled by interface', () => {
    const text = renderExposition([
      {
        ...s,
        points: [
          {
            measurement: 'overlay',
            tags: { interface: 'cbo0' },
            fields: { overlay_rx_bytes: 1024, overlay_tx_bytes: 2048, overlay_handshake_age_seconds: 12 },
          },
        ],
      },
    ]);
    expect(text).toContain(
      '# HELP cbmon_overlay_rx_bytes bytes received over the MCIS overlay (WireGuard interface) (bytes/s)\n# TYPE cbmon_overlay_rx_bytes gauge\n',
    );
    expect(text).toContain(
      'cbmon_overlay_tx_bytes{ns="default",mcis="web",vm="web-1",subgroup="seoul",csp="aws",region="ap-northeast-2",interface="cbo0"} 2048',
    );
    expect(text).toContain("# HELP cbmon_overlay_handshake_age_seconds age of the stalest peer's latest WireGuard handshake (needs root) (seconds)");
  });

  it('serves /metrics over HTTP', async () => {
    const { server, url } = await servePrometheus({ host: '127.0.0.1', port: 0, latest: () => [s] });
    try {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('version=0.0.4');
      expect(await res.text()).toContain('cbmon_cpu_utilization{');
      expect((await fetch(url.replace('/metrics', '/nope'))).status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('influx export', () => {
  it('writes lines with every identity tag and a ns timestamp', () => {
    const lines = sampleLines(s);
    expect(lines[0]).toBe(
      'cpu,csp=aws,mcis=web,ns=default,region=ap-northeast-2,subgroup=seoul,vm=web-1 cpu_utilization=12.5 1700000000250000000',
    );
    expect(parseLine(lines[1]!)?.tags.mount).toBe('/my "disk"');
  });

  it('builds 1.x and 2.x write URLs', () => {
    expect(writeUrl({ url: 'http://db:8086', db: 'cbmon' })).toBe(
      'http://db:8086/write?db=cbmon&precision=ns',
    );
    expect(writeUrl({ url: 'http://db:8086/', bucket: 'b', org: 'o' })).toBe(
      'http://db:8086/api/v2/write?bucket=b&org=o&precision=ns',
    );
    expect(writeUrl({ url: 'http://db:8086/write?db=x' })).toBe('http://db:8086/write?db=x&precision=ns');
  });
});
