/**
 * End to end on Docker: the built cbadm registers `twin-docker` (the twin's Engine socket, its
 * region the daemon's host name), tests it and lists its sizes at no charge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli } from './harness.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string };

const cli = new Cli({ sshPort: 2373 });
let socket = '';

beforeAll(async () => {
  const up = await cli.json<{ running: boolean; endpoints: { docker: string } }>(['twin', 'up', '--boot-delay', '100ms']);
  expect(up.running).toBe(true);
  socket = up.endpoints.docker;
});
afterAll(() => cli.dispose());

describe('cbadm with Docker on Cloud-Twin', () => {
  it('twin connect registers twin-docker on the Engine socket; connection test and spec list work', async () => {
    expect(socket).toBe(`unix://${cli.twinDir}/docker.sock`);
    const out = await cli.json<{ credentials: string[]; connections: Conn[] }>(['twin', 'connect']);
    const docker = out.connections.filter((c) => c.provider === 'docker');
    expect(docker.map((c) => [c.name, c.endpoint, c.zone])).toEqual([['twin-docker', socket, docker[0]?.region]]);
    expect(docker[0]?.region).toMatch(/\S/);
    const test = await cli.json<{ region: string; account: string }>(['connection', 'test', 'twin-docker']);
    expect(test.region).toBe(docker[0]!.region);
    await cli.json(['catalog', 'update', '--connection', 'twin-docker']);
    const { specs } = await cli.json<{ specs: Array<{ name: string; provider: string; pricePerHour?: number }> }>(['spec', 'list', '--provider', 'docker']);
    expect(specs.find((s) => s.name === 'c1m1')).toMatchObject({ provider: 'docker', pricePerHour: 0 });
  }, 60_000);
});
