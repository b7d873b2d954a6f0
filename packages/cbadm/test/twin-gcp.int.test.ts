/**
 * End to end on GCP: the built cbadm registers twin-gcp-<region> connections (a stored
 * service-account key whose token_uri is the twin's token endpoint), tests one, and runs an MCIS
 * through the GCP driver: create → exec over SSH → suspend (instances.stop: GCE TERMINATED) →
 * resume → terminate → delete, with nothing of ours left in the project.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gceToken, twinAdminFetch } from './twin-ec2.js';
import { Cli } from './harness.js';
import { walkLifecycle } from './walk.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string; project?: string; credential?: string };

const cli = new Cli();
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
    await walkLifecycle(cli, { mcis: 'gce', connection: 'twin-gcp-asia-northeast3', spec: 'e2-small', subgroup: 'seoul', sshUser: 'ubuntu' }, {
      providerId: /^asia-northeast3-a\/seoul-\d-[0-9a-f]{8}$/,
      // Suspend is instances.stop: GCE reports a stopped instance as TERMINATED.
      afterSuspend: async () => expect(await gceInstances()).toEqual({ TERMINATED: 2 }),
      afterDelete: async () => {
        expect(await gceInstances()).toEqual({});
        // Only the project's own default network is left.
        expect(await networks()).toEqual(['default']);
      },
    });
  }, 120_000);
});
