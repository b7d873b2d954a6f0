/**
 * The built `cbmon` with a temp CB_HOME: secrets never taken from a command line, and waits a
 * timer cannot hold refused up front (exit 2) instead of firing at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsStore } from '@cloud-barista/agent/store/metrics-store';
import { CBMON } from './harness.js';
import { run } from '../../../test-support/proc.js';

const home = mkdtempSync(join(tmpdir(), 'cbmon-secrets-'));

function cbmon(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CB_HOME: home, ...opts.env };
  for (const k of ['INFLUX_TOKEN', 'CBMON_INFLUX_TOKEN', 'CB_OUTPUT']) if (!opts.env?.[k]) delete env[k];
  return run(process.execPath, [CBMON, ...args], { env, input: opts.stdin ?? '' });
}

const seen: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
  seen.push(req.headers);
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
let url = '';

beforeAll(async () => {
  const store = new MetricsStore(join(home, 'metrics.db'));
  store.writeSamples([
    {
      ref: { ns: 'default', mcis: 'web', vm: 'web-1', subgroup: 'web', csp: 'aws', region: 'r' },
      seq: 1,
      tsMs: Date.now() - 10_000,
      points: [{ measurement: 'cpu', tags: {}, fields: { cpu_utilization: 5 } }],
    },
  ]);
  store.close();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(home, { recursive: true, force: true });
});

describe('export influx token', () => {
  it('refuses --token without repeating it, and sends nothing', async () => {
    const r = await cbmon(['export', 'influx', '--url', url, '--token', 'hunter2-secret']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--token is not accepted/);
    expect(r.stderr).toMatch(/--token-stdin|INFLUX_TOKEN/);
    expect(r.stderr + r.stdout).not.toContain('hunter2-secret');
    expect(seen).toHaveLength(0);
  });

  it('reads the token from stdin with --token-stdin, or from INFLUX_TOKEN', async () => {
    const a = await cbmon(['export', 'influx', '--url', url, '--token-stdin'], { stdin: 'from-stdin\n' });
    expect(a.code).toBe(0);
    expect(seen.at(-1)!.authorization).toBe('Token from-stdin');
    const b = await cbmon(['export', 'influx', '--url', url], { env: { INFLUX_TOKEN: 'from-env' } });
    expect(b.code).toBe(0);
    expect(seen.at(-1)!.authorization).toBe('Token from-env');
    const empty = await cbmon(['export', 'influx', '--url', url, '--token-stdin'], { stdin: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/stdin held no token/);
  });
});

describe('timer durations', () => {
  it.each([
    [['stream', 'web', '--duration', '30d'], '--duration'],
    [['collector', 'serve', '--evaluate-every', '30d'], '--evaluate-every'],
    [['collector', 'start', '--evaluate-every', '25d'], '--evaluate-every'],
    [['watch', 'web', '--refresh', '30d'], '--refresh'],
  ])('cbmon %j exits 2 naming %s and the longest wait', async (args, flag) => {
    const r = await cbmon(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${flag}: '`);
    expect(r.stderr).toMatch(/longer than the longest wait, 24d20h31m24s/);
  });
});
