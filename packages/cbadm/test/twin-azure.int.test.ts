/**
 * End to end on Azure: the built cbadm registers twin-azure-<region> connections (HTTPS endpoint,
 * the twin's CA, a stored client-secret credential), tests one, and runs an MCIS through the Azure
 * driver: create → exec over SSH → suspend (deallocate) → resume → delete, nothing left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twinAdminFetch } from './twin-ec2.js';
import { Cli } from './harness.js';
import { walkLifecycle } from './walk.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string; caFile?: string; authEndpoint?: string; subscription?: string; credential?: string };

const cli = new Cli();
let azure = '';
let caFile = '';
let adminUrl = '';

/** The twin's own status (the admin API), which counts Azure VMs by power state. */
async function azureCounts(): Promise<{ vms: Record<string, number>; subscriptions: string[] }> {
  const s = (await (await twinAdminFetch(cli.twinDir, adminUrl, '/status')).json()) as { azure: { vms: Record<string, number>; subscriptions: string[] } };
  return s.azure;
}

beforeAll(async () => {
  const up = await cli.json<{ running: boolean; endpoints: { azure: string }; caFile: string; adminUrl: string }>(['twin', 'up', '--boot-delay', '300ms']);
  expect(up.running).toBe(true);
  adminUrl = up.adminUrl;
  azure = up.endpoints.azure;
  caFile = up.caFile;
});
afterAll(() => cli.dispose());

describe('cbadm with Azure on Cloud-Twin', () => {
  it('twin status names the HTTPS endpoint and its CA', async () => {
    expect(azure).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(caFile).toMatch(/tls\/ca\.pem$/);
    const s = await cli.json<{ endpoints: { azure: string } }>(['twin', 'status']);
    expect(s.endpoints.azure).toBe(azure);
  });

  it('twin connect registers one connection per Azure region, trusting the twin CA', async () => {
    const out = await cli.json<{ credentials: string[]; connections: Conn[] }>(['twin', 'connect']);
    expect(out.credentials).toContain('twin-azure');
    const names = out.connections.filter((c) => c.provider === 'azure').map((c) => c.name);
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names).toEqual(expect.arrayContaining(['twin-azure-koreacentral', 'twin-azure-eastus', 'twin-azure-westeurope', 'twin-azure-japaneast']));
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
      afterSuspend: async () => expect((await azureCounts()).vms).toEqual({ deallocated: 2 }),
      // The resource group went with the last resource in it: the subscription holds nothing.
      afterDelete: async () => expect(await azureCounts()).toEqual({ vms: {}, subscriptions: [] }),
    });
  }, 120_000);
});
