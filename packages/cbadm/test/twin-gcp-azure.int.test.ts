/**
 * End to end on GCP and Azure, on one twin (one `twin connect` registers both clouds):
 * - GCP: twin-gcp-<region> connections (a stored service-account key whose token_uri is the twin's
 *   token endpoint), one tested, and an MCIS through the GCP driver: create → exec over SSH →
 *   suspend (instances.stop: GCE TERMINATED) → resume → terminate → delete, nothing of ours left in
 *   the project.
 * - Azure: twin-azure-<region> connections (HTTPS endpoint, the twin's CA, a stored client-secret
 *   credential), one tested, and an MCIS through the Azure driver: create → exec over SSH → suspend
 *   (deallocate) → resume → delete, nothing left.
 * Each cloud's checks read only its own part of the twin, so the walks do not see each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gceToken, twinAdminFetch } from './twin-ec2.js';
import { Cli } from './harness.js';
import { walkLifecycle } from './walk.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string; project?: string; caFile?: string; authEndpoint?: string; subscription?: string; credential?: string };
type Connected = { credentials: string[]; connections: Conn[] };

const cli = new Cli();
let gcp = '';
let azure = '';
let caFile = '';
let adminUrl = '';
/** What the one `twin connect` of this file answered; the first test runs it. */
let connected: Connected | undefined;
const twinConnect = async (): Promise<Connected> => (connected ??= await cli.json<Connected>(['twin', 'connect']));

/** The twin's own status (the admin API): GCE instances by status, Azure VMs by power state. */
async function twinStatus(): Promise<{ gce: { instances: Record<string, number> }; azure: { vms: Record<string, number>; subscriptions: string[] } }> {
  return (await (await twinAdminFetch(cli.twinDir, adminUrl, '/status')).json()) as Awaited<ReturnType<typeof twinStatus>>;
}

/** Names of the project's networks, read over GCE REST with a token of the twin's service account. */
async function networks(): Promise<string[]> {
  const res = await fetch(`${gcp}/compute/v1/projects/cb-twin-project/global/networks`, { headers: { authorization: `Bearer ${await gceToken(cli.twinDir, gcp)}` } });
  const body = (await res.json()) as { items?: Array<{ name: string }> };
  return (body.items ?? []).map((n) => n.name);
}

/** `twin connect` registered the twin's credential for `provider` and a connection per region, `some` among them. */
async function expectRegionConnections(provider: string, some: string[]): Promise<void> {
  const out = await twinConnect();
  expect(out.credentials).toContain(`twin-${provider}`);
  const names = out.connections.filter((c) => c.provider === provider).map((c) => c.name);
  expect(names.length).toBeGreaterThanOrEqual(8);
  expect(names).toEqual(expect.arrayContaining(some));
}

beforeAll(async () => {
  const up = await cli.twinStart('300ms');
  adminUrl = up.adminUrl;
  gcp = up.endpoints.gcp!;
  azure = up.endpoints.azure!;
  caFile = up.caFile;
});
afterAll(() => cli.dispose());

describe('cbadm with GCP on Cloud-Twin', () => {
  it('twin connect registers one connection per GCP region with its first zone, and connection test passes', async () => {
    expect(gcp).toMatch(/^https?:\/\/127\.0\.0\.1:\d+$/);
    await expectRegionConnections('gcp', ['twin-gcp-asia-northeast3', 'twin-gcp-us-central1', 'twin-gcp-europe-west1', 'twin-gcp-australia-southeast1']);
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
      afterSuspend: async () => expect((await twinStatus()).gce.instances).toEqual({ TERMINATED: 2 }),
      afterDelete: async () => {
        expect((await twinStatus()).gce.instances).toEqual({});
        // Only the project's own default network is left.
        expect(await networks()).toEqual(['default']);
      },
    });
  }, 120_000);
});

describe('cbadm with Azure on Cloud-Twin', () => {
  it('twin status names the HTTPS endpoint and its CA', async () => {
    expect(azure).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(caFile).toMatch(/tls\/ca\.pem$/);
    const s = await cli.json<{ endpoints: { azure: string } }>(['twin', 'status']);
    expect(s.endpoints.azure).toBe(azure);
  });

  it('twin connect registers one connection per Azure region, trusting the twin CA', async () => {
    await expectRegionConnections('azure', ['twin-azure-koreacentral', 'twin-azure-eastus', 'twin-azure-westeurope', 'twin-azure-japaneast']);
    const c = await cli.json<Conn>(['connection', 'get', 'twin-azure-koreacentral']);
    expect(c).toMatchObject({ provider: 'azure', region: 'koreacentral', zone: '1', endpoint: azure, authEndpoint: azure, caFile, credential: 'twin-azure' });
    expect(c.subscription).toMatch(/^[0-9a-f-]{36}$/);
    const t = await cli.json<{ ok?: boolean; region?: string }>(['connection', 'test', 'twin-azure-koreacentral']);
    expect(JSON.stringify(t)).toContain('koreacentral');
  });

  it('runs an MCIS on Azure: create, exec, suspend, resume, terminate, delete, nothing left', async () => {
    await walkLifecycle(cli, { mcis: 'az', connection: 'twin-azure-koreacentral', spec: 'Standard_B1s', subgroup: 'seoul', sshUser: 'ubuntu' }, {
      providerId: /\/providers\/Microsoft\.Compute\/virtualMachines\/seoul-\d-[0-9a-f]{6}$/,
      // Suspend deallocates: a merely stopped Azure VM would still bill.
      afterSuspend: async () => expect((await twinStatus()).azure.vms).toEqual({ deallocated: 2 }),
      // The resource group went with the last resource in it: the subscription holds nothing.
      afterDelete: async () => expect((await twinStatus()).azure).toEqual({ vms: {}, subscriptions: [] }),
    });
  }, 120_000);
});
