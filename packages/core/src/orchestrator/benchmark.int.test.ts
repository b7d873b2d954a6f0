/** The benchmark script run for real by the local shell, against local TCP listeners as peers. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchmarkCommand, parseBenchmarkOutput, tcpConnectRtt } from './benchmark.js';
import { freePort } from '../../../../test-support/net.js';

let server: Server;
let port: number;
let closedPort: number;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cb-bench-home-'));
  server = createServer((s) => s.end('SSH-2.0-test\r\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  closedPort = await freePort();
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(home, { recursive: true, force: true });
});

describe('benchmark script', () => {
  it('measures CPU, memory, disk and RTT with awk, dd and /dev/tcp, and cleans up after itself', () => {
    const cmd = benchmarkCommand([
      { name: 'peer-1', host: '127.0.0.1', port },
      { name: "it's-closed", host: '127.0.0.1', port: closedPort },
    ]);
    const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, HOME: home }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const p = parseBenchmarkOutput(r.stdout);
    expect(p.nproc).toBeGreaterThanOrEqual(1);
    expect(p.cpu1).toBeGreaterThan(10_000);
    expect(p.cpun).toBeGreaterThan(10_000);
    expect(p.mem).toBeGreaterThan(50);
    expect(p.disk).toBeGreaterThan(1);
    expect(p.rtt.get('peer-1')).toBeGreaterThan(0);
    expect(p.rtt.get('peer-1')).toBeLessThan(100);
    expect(r.stdout).toMatch(/cb-bench rtt it's-closed fail/);
    expect(readdirSync(home)).toEqual([]);
  });

  it('measures the connect RTT from this machine', async () => {
    expect(await tcpConnectRtt('127.0.0.1', port)).toBeGreaterThan(0);
    expect(await tcpConnectRtt('127.0.0.1', closedPort, 2)).toBeNull();
  });
});
