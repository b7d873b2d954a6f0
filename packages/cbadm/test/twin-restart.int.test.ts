/**
 * Cloud-Twin as a dependable tool: a restarted twin keeps its ports (the EC2/GCE listener and
 * Azure's HTTPS one), so the twin-* connections keep working; when a port was taken meanwhile,
 * `twin up` points the twin connections at the new endpoints. `mcis create` against a stopped twin
 * is one error naming the endpoint, with the hint to start it, and records nothing. `twin status` exits 4 when the twin
 * does not run and lists every endpoint when it does.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/net.js';
import { Cli, manifestYaml } from './harness.js';

type Status = { running: boolean; endpoints: { aws: string; azure: string } & Record<string, string>; adminUrl: string; caFile: string; sshPort: number };
type Conn = { name: string; endpoint: string };

const cli = new Cli();
let first: Status;

/** `connection test` on each connection: exit 0 means endpoint, region and credential all work. */
async function connectionsWork(names: string[]): Promise<void> {
  for (const name of names) {
    const r = await cli.run(['connection', 'test', name, '--json']);
    expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 0, stderr: '' });
  }
}

beforeAll(async () => {
  first = await cli.json<Status>(['twin', 'up', '--boot-delay', '0']);
  await cli.json(['twin', 'connect']);
});
afterAll(() => cli.dispose());

describe('twin restart and status', () => {
  it('twin status lists every endpoint when up, in text and JSON', async () => {
    const s = await cli.json<Status>(['twin', 'status']);
    expect(Object.keys(s.endpoints)).toEqual(expect.arrayContaining(['aws', 'gcp', 'azure']));
    const text = await cli.run(['twin', 'status']);
    expect(text.code).toBe(0);
    const line = (label: string, value: string) => expect(text.stdout).toMatch(new RegExp(`^  ${label}: +${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    for (const [provider, url] of Object.entries(s.endpoints)) line(`${provider} endpoint`, url);
    line('admin API', s.adminUrl);
    line('azure CA file', s.caFile);
    expect(text.stdout).toMatch(new RegExp(`VM SSH port: +${cli.sshPort}\\b`));
  });

  it('after down, twin status says so and exits 4 (text and JSON)', async () => {
    expect((await cli.run(['twin', 'down', '--yes'])).code).toBe(0);
    const text = await cli.run(['twin', 'status']);
    expect(text.code).toBe(4);
    expect(text.stdout).toContain('Cloud-Twin is not running');
    expect(text.stdout).toContain('cbadm twin up');
    expect(await cli.json<{ running: boolean }>(['twin', 'status'], 4)).toMatchObject({ running: false });
  });

  it('a twin connection refused while the twin is down says to start it; any other connection does not', async () => {
    expect((await cli.run(['twin', 'status'])).code).toBe(4);
    const r = await cli.run(['connection', 'test', 'twin-azure-koreacentral']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).toContain('Hint: the twin is not running: `cbadm twin up`');
    const json = await cli.json<{ error: { code: string; endpoint: string; hint: string } }>(['connection', 'test', 'twin-aws-us-east-1'], 1);
    expect(json.error).toMatchObject({ code: 'ECONNREFUSED', endpoint: new URL(first.endpoints.aws).host, hint: 'the twin is not running: `cbadm twin up`' });
    // Another loopback endpoint nobody listens on is not the twin's: no twin hint.
    await cli.json(['connection', 'add', 'by-hand', '--provider', 'aws', '--region', 'us-east-1', '--endpoint', `http://127.0.0.1:${await freePort()}`, '--credential', 'twin-aws']);
    const plain = await cli.run(['connection', 'test', 'by-hand']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('ECONNREFUSED');
    expect(plain.stderr).not.toContain('twin');
    // mcis create: one error naming the endpoint before any VM is recorded, not one per VM.
    const file = join(cli.home, 'down.yaml');
    writeFileSync(file, manifestYaml('down', [{ name: 'a', connection: 'twin-aws-us-east-1', count: 3 }, { name: 'o', connection: 'twin-openstack-regionone', count: 1, spec: 'm1.small' }]));
    const create = await cli.run(['mcis', 'create', '-f', file]);
    expect(create.code).toBe(1);
    expect(create.stderr.match(/ECONNREFUSED/g)).toHaveLength(1);
    expect(create.stderr).toContain(`connection 'twin-aws-us-east-1': ${new URL(first.endpoints.aws).host} refused the connection (nothing was created)`);
    expect(create.stderr).toContain('Hint: the twin is not running: `cbadm twin up`');
    writeFileSync(file, manifestYaml('down', [{ name: 'a', connection: 'by-hand', count: 2 }]));
    const byHand = await cli.json<{ error: { code: string; hint?: string; message: string } }>(['mcis', 'create', '-f', file], 1);
    expect(byHand.error.message).toMatch(/connection 'by-hand': 127\.0\.0\.1:\d+ refused the connection/);
    expect(byHand.error.hint ?? '').not.toContain('twin');
    expect(await cli.json<unknown[]>(['mcis', 'list'])).toEqual([]);
    await cli.json(['connection', 'remove', 'by-hand', '--yes']);
  });

  it('up again: same ports, and the connections of every cloud still work', async () => {
    const again = await cli.json<Status & { refreshedConnections: string[] }>(['twin', 'up', '--boot-delay', '0']);
    expect(again.endpoints).toEqual(first.endpoints);
    expect(again.refreshedConnections).toEqual([]);
    await connectionsWork(['twin-aws-us-east-1', 'twin-azure-koreacentral', 'twin-gcp-asia-northeast3', 'twin-alibaba-ap-northeast-2', 'twin-openstack-regionone', 'twin-docker']);
  });

  it('a port taken while the twin was down: twin up moves the twin connections to the new endpoints', async () => {
    expect((await cli.run(['twin', 'down', '--yes'])).code).toBe(0);
    const awsPort = Number(new URL(first.endpoints.aws).port);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(awsPort, '127.0.0.1', resolve));
    try {
      const moved = await cli.json<Status & { refreshedConnections: string[] }>(['twin', 'up', '--boot-delay', '0']);
      expect(moved.endpoints.aws).not.toBe(first.endpoints.aws);
      expect(moved.endpoints.azure).toBe(first.endpoints.azure);
      expect(moved.refreshedConnections).toEqual(expect.arrayContaining(['twin-aws-us-east-1', 'twin-gcp-asia-northeast3']));
      expect(moved.refreshedConnections).not.toContain('twin-azure-koreacentral');
      expect((await cli.json<Conn>(['connection', 'get', 'twin-aws-us-east-1'])).endpoint).toBe(moved.endpoints.aws);
      await connectionsWork(['twin-aws-us-east-1', 'twin-azure-koreacentral', 'twin-gcp-asia-northeast3']);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
