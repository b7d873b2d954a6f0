/**
 * End to end on GCP: the built cbadm registers twin-gcp-<region> connections (a stored
 * service-account key whose token_uri is the twin's token endpoint), tests one, and runs an MCIS
 * through the GCP driver: create → exec over SSH → suspend (instances.stop: GCE TERMINATED) →
 * resume → terminate → delete, with nothing of ours left in the project.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gceToken, twinAdminFetch } from './twin-ec2.js';
import { Cli, manifestYaml } from './harness.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string; project?: string; credential?: string };
type Vm = { name: string; status: string; publicIp: string | null; providerId: string | null; sshUser: string; zone?: string };
type Mcis = { name: string; status: string; vms: Vm[] };

const cli = new Cli({ sshPort: 2345 });
let gcp = '';
let adminUrl = '';

/** GCE instances by status, from the twin's admin API. */
async function gceInstances(): Promise<Record<string, number>> {
  const s = (await (await twinAdminFetch(cli.twinDir, adminUrl, '/status')).json()) as { gce: { instances: Record<string, number> } };
  return s.gce.instances;
}

/** Names of the project's networks, read over GCE REST with a token of the twin's service account. */
async function networks(): Promise<string[]> {
  const res = await fetch(`${gcp}/compute/v1/projects/cb-twin-project/global/networks`, { headers: { authorization: `Bearer ${await gceToken(cli.twinDir, gcp)}` } });
  const body = (await res.json()) as { items?: Array<{ name: string }> };
  return (body.items ?? []).map((n) => n.name);
}

beforeAll(async () => {
  const up = await cli.json<{ running: boolean; endpoints: { gcp: string }; adminUrl: string }>(['twin', 'up', '--boot-delay', '300ms']);
  expect(up.running).toBe(true);
  adminUrl = up.adminUrl;
  gcp = up.endpoints.gcp;
});
afterAll(() => cli.dispose());

describe('cbadm with GCP on Cloud-Twin', () => {
  it('twin connect registers one connection per GCP region with its first zone, and connection test passes', async () => {
    expect(gcp).toMatch(/^https?:\/\/127\.0\.0\.1:\d+$/);
    const out = await cli.json<{ credentials: string[]; connections: Conn[] }>(['twin', 'connect']);
    expect(out.credentials).toContain('twin-gcp');
    const names = out.connections.filter((c) => c.provider === 'gcp').map((c) => c.name);
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names).toEqual(expect.arrayContaining(['twin-gcp-asia-northeast3', 'twin-gcp-us-central1', 'twin-gcp-europe-west1', 'twin-gcp-australia-southeast1']));
    const c = await cli.json<Conn>(['connection', 'get', 'twin-gcp-europe-west1']);
    expect(c).toMatchObject({ provider: 'gcp', region: 'europe-west1', zone: 'europe-west1-b', endpoint: gcp, project: 'cb-twin-project', credential: 'twin-gcp' });
    const t = await cli.json<{ region?: string }>(['connection', 'test', 'twin-gcp-asia-northeast3']);
    expect(JSON.stringify(t)).toContain('asia-northeast3');
    // The stored key stays secret.
    const creds = await cli.run(['credential', 'list', '--json']);
    expect(creds.stdout).not.toContain('PRIVATE KEY');
  });

  it('runs an MCIS on GCP: create, exec, suspend, resume, terminate, delete, nothing left', async () => {
    const file = join(cli.home, 'gcp.yaml');
    writeFileSync(file, manifestYaml('gce', [{ name: 'seoul', connection: 'twin-gcp-asia-northeast3', count: 2, spec: 'e2-small' }]));
    const created = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    expect(created.mcis.status).toBe('Running:2 (R:2/2)');
    const got = await cli.json<Mcis>(['mcis', 'get', 'gce']);
    for (const vm of got.vms) {
      expect(vm.providerId).toMatch(/^asia-northeast3-a\/seoul-\d-[0-9a-f]{8}$/);
      expect(vm.publicIp).toMatch(/^127\./);
      expect(vm.sshUser).toBe('ubuntu');
    }
    const exec = await cli.json<Array<{ vm: string; exitCode: number; stdout: string }>>(['mcis', 'exec', 'gce', '--', 'echo', 'hello-$USER']);
    expect(exec.map((r) => [r.vm, r.exitCode, r.stdout.trim()])).toEqual([
      ['seoul-1', 0, 'hello-ubuntu'],
      ['seoul-2', 0, 'hello-ubuntu'],
    ]);
    const suspended = await cli.json<{ mcis: Mcis }>(['mcis', 'suspend', 'gce']);
    expect(suspended.mcis.status).toBe('Suspended:2 (R:0/2)');
    // Suspend is instances.stop: GCE reports a stopped instance as TERMINATED.
    expect(await gceInstances()).toEqual({ TERMINATED: 2 });
    const resumed = await cli.json<{ mcis: Mcis }>(['mcis', 'resume', 'gce']);
    expect(resumed.mcis.status).toBe('Running:2 (R:2/2)');
    const terminated = await cli.json<{ mcis: Mcis }>(['mcis', 'terminate', 'gce', '--yes']);
    expect(terminated.mcis.status).toBe('Terminated:2 (R:0/2)');
    const deleted = await cli.json<{ cleanedConnections: string[] }>(['mcis', 'delete', 'gce', '--yes']);
    expect(deleted.cleanedConnections).toEqual(['twin-gcp-asia-northeast3']);
    expect(await gceInstances()).toEqual({});
    // Only the project's own default network is left.
    expect(await networks()).toEqual(['default']);
  }, 120_000);
});
