/**
 * Cloud-Twin as a dependable tool: a restarted twin keeps its ports (the EC2/GCE listener and
 * Azure's HTTPS one), so the twin-* connections keep working; when a port was taken meanwhile,
 * `twin up` points the twin connections at the new endpoints.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli } from './harness.js';

type Status = { running: boolean; endpoints: { aws: string; azure: string } & Record<string, string>; adminUrl: string; caFile: string; sshPort: number };
type Conn = { name: string; endpoint: string };

const cli = new Cli({ sshPort: 2463 });
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

describe('twin restart', () => {
  it('down, then up again: same ports, and twin-aws-* and twin-azure-* connections still work', async () => {
    expect((await cli.run(['twin', 'down', '--yes'])).code).toBe(0);
    const again = await cli.json<Status & { refreshedConnections: string[] }>(['twin', 'up', '--boot-delay', '0']);
    expect(again.endpoints).toEqual(first.endpoints);
    expect(again.refreshedConnections).toEqual([]);
    await connectionsWork(['twin-aws-us-east-1', 'twin-azure-koreacentral', 'twin-gcp-asia-northeast3']);
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
