/**
 * A real Prometheus scrapes `export prometheus`'s exposition of tags no collector should have let in
 * (names that are not label names, names that collide once sanitised, reserved names, quotes and
 * newlines): the scrape must succeed (`up` = 1) and the series must be queryable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { Sample } from '@cloud-barista/agent/sample';
import { servePrometheus } from '../src/export/prometheus.js';
import { until } from './procs.js';
import { freePort } from '../../../test-support/net.js';
import { optionalTool } from '../../../test-support/tools.js';

const PROMETHEUS = optionalTool('prometheus', 'apt-get install -y prometheus') ?? '';
const have = PROMETHEUS !== '';

const hostile: Sample = {
  ref: { ns: 'default', mcis: 'web', vm: 'web-1', subgroup: 'web', csp: 'aws', region: 'r' },
  seq: 1,
  tsMs: Date.now(),
  points: [
    { measurement: 'cpu', tags: {}, fields: { cpu_utilization: 12.5, 'weird-name.x': 3 } },
    {
      measurement: 'disk',
      tags: { '1bad': 'x', 'a-b': 'one', a_b: 'two', __name__: 'evil', vm: 'other', mount: 'a "quoted"\nline\\' },
      fields: { disk_utilization: 40 },
    },
    // The same series twice: Prometheus refuses a scrape with a duplicate.
    { measurement: 'disk', tags: { '1bad': 'x', 'a-b': 'one', a_b: 'two', __name__: 'evil', vm: 'other', mount: 'a "quoted"\nline\\' }, fields: { disk_utilization: 41 } },
    { measurement: 'odd', tags: {}, fields: { last_sample_timestamp_seconds: 1 } },
  ],
};

let dir = '';
let prom: ChildProcess | undefined;
let exporter: Server | undefined;
let api = '';

async function query<T>(q: string): Promise<T> {
  const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
  return ((await res.json()) as { data: T }).data;
}

describe.skipIf(!have)('prometheus scrape', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cbmon-prom-'));
    const served = await servePrometheus({ host: '127.0.0.1', port: 0, latest: () => [hostile] });
    exporter = served.server;
    const target = new URL(served.url).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: cbmon\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(async () => {
    prom?.kill('SIGTERM');
    if (prom && prom.exitCode === null) await new Promise((r) => prom!.once('exit', r));
    exporter?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes successfully, with sanitised, distinct label names', async () => {
    type Vector = { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    await until(
      async () => {
        try {
          return (await query<Vector>('up{job="cbmon"}')).result.length > 0;
        } catch {
          return false;
        }
      },
      30_000,
      'a first scrape',
    );
    const targets = (await (await fetch(`${api}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ health: string; lastError: string }> };
    };
    expect(targets.data.activeTargets[0]!.lastError).toBe('');
    expect((await query<Vector>('up{job="cbmon"}')).result[0]!.value[1]).toBe('1');
    const disk = (await query<Vector>('cbmon_disk_utilization')).result;
    expect(disk).toHaveLength(1);
    expect(disk[0]!.value[1]).toBe('40');
    expect(disk[0]!.metric).toMatchObject({
      vm: 'web-1',
      _1bad: 'x',
      a_b: 'one',
      a_b_2: 'two',
      tag__name__: 'evil',
      tag_vm: 'other',
      mount: 'a "quoted"\nline\\',
    });
    expect((await query<Vector>('cbmon_weird_name_x')).result[0]!.value[1]).toBe('3');
  });
});
