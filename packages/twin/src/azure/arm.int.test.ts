/**
 * Cloud-Twin's Azure side over raw HTTPS, as ARM is specified: identity endpoints, authentication
 * and api-version checks, ARM error JSON, long-running operations, instance views, SSH to the VM
 * with the keys of its osProfile, conflicts, paging, shapes against Libcloud's real samples, and a
 * restart that keeps resources, VMs and the CA.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, azureToken, sshExec, startTestTwin, type TestTwin, userKey, waitFor } from '../../test/helpers.js';
import { signHs256 } from '../auth/jwt.js';
import { startTwin } from '../twin.js';
import { freePort } from '../../../../test-support/net.js';

const SUB = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();
const FIXTURES = new URL('../../test/fixtures/azure_arm/', import.meta.url);
const sample = (f: string) => JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as Record<string, unknown>;

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

let t: TestTwin;
let ca = '';
let token = '';

function call(method: string, pathOrUrl: string, opts: { body?: unknown; token?: string | null; form?: string; base?: string; ca?: string } = {}): Promise<Res> {
  const url = new URL(pathOrUrl, opts.base ?? t.twin.endpoints.azure);
  const text = opts.form ?? (opts.body === undefined ? '' : JSON.stringify(opts.body));
  const headers: Record<string, string> = {
    ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? token}` }),
    ...(text ? { 'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: opts.ca ?? ca }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data ? (JSON.parse(data) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const arm = (method: string, path: string, body?: unknown, api = '2024-07-01') => call(method, `/subscriptions/${SUB}${path}${path.includes('?') ? '&' : '?'}api-version=${api}`, { body });
const rg = (name: string) => `/resourceGroups/${name}`;
const NET = (g: string) => `${rg(g)}/providers/Microsoft.Network`;
const VMS = (g: string) => `${rg(g)}/providers/Microsoft.Compute/virtualMachines`;

/** Keys of `a` (recursively for objects) that `b` lacks: the twin must have every field the sample has. */
function missing(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return [];
  const bo = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
  return Object.entries(a as Record<string, unknown>).flatMap(([k, v]) => (k in bo ? missing(v, bo[k], `${at}.${k}`) : [`${at}.${k}`]));
}

const key = userKey();

/** Group, network, NSG, public IP, NIC in `g`; returns the NIC id. */
async function plumbing(g: string, location = 'koreacentral'): Promise<string> {
  expect((await arm('PUT', rg(g), { location, tags: { 'cb-managed': 'true' } })).status).toBe(201);
  const nsg = await arm('PUT', `${NET(g)}/networkSecurityGroups/nsg`, { location, properties: { securityRules: [{ name: 'ssh', properties: { protocol: 'Tcp', sourcePortRange: '*', destinationPortRange: '22', sourceAddressPrefix: '*', destinationAddressPrefix: '*', access: 'Allow', priority: 1000, direction: 'Inbound' } }] } });
  const nsgId = (nsg.body as { id: string }).id;
  const vnet = await arm('PUT', `${NET(g)}/virtualNetworks/vnet`, { location, properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'default', properties: { addressPrefix: '10.0.1.0/24', networkSecurityGroup: { id: nsgId } } }] } });
  expect(vnet.status).toBe(201);
  expect(vnet.headers['azure-asyncoperation']).toMatch(/\/providers\/Microsoft\.Network\/locations\/koreacentral\/operations\//);
  const subnetId = (vnet.body as { properties: { subnets: { id: string }[] } }).properties.subnets[0]?.id;
  const pip = await arm('PUT', `${NET(g)}/publicIPAddresses/ip`, { location, zones: ['1'], sku: { name: 'Standard' }, properties: { publicIPAllocationMethod: 'Static' } });
  const pipId = (pip.body as { id: string }).id;
  const nic = await arm('PUT', `${NET(g)}/networkInterfaces/nic`, { location, properties: { ipConfigurations: [{ name: 'ipconfig1', properties: { subnet: { id: subnetId }, publicIPAddress: { id: pipId } } }] } });
  expect(nic.status).toBe(201);
  return (nic.body as { id: string }).id;
}

const vmBody = (nicId: string, admin = 'azureuser', location = 'koreacentral') => ({
  location,
  tags: { 'cb-vm': 'vm1' },
  properties: {
    hardwareProfile: { vmSize: 'Standard_B1s' },
    storageProfile: { imageReference: { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', version: 'latest' }, osDisk: { createOption: 'FromImage', deleteOption: 'Delete' } },
    osProfile: { computerName: 'vm1', adminUsername: admin, linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: `/home/${admin}/.ssh/authorized_keys`, keyData: key.publicKey }] } } },
    networkProfile: { networkInterfaces: [{ id: nicId, properties: { primary: true, deleteOption: 'Delete' } }] },
  },
});

async function opStatus(url: string): Promise<string> {
  return String((await call('GET', url)).body.status);
}

beforeAll(async () => {
  t = await startTestTwin({ bootDelayMs: 150, stopDelayMs: 50, sshPort: SSH_PORT, azurePageSize: 2 });
  ca = readFileSync(t.twin.caFile, 'utf8');
  token = await azureToken(t.twin);
});
afterAll(() => t.cleanup());

describe('identity endpoints', () => {
  it('serve OpenID metadata and client-credential tokens, in the shape of the real token sample', async () => {
    const { tenantId: TENANT, clientId, clientSecret } = t.twin.credentials.azure;
    const meta = await call('GET', `/${TENANT}/v2.0/.well-known/openid-configuration`, { token: null });
    expect(meta.body.token_endpoint).toBe(`${t.twin.endpoints.azure}/${TENANT}/oauth2/v2.0/token`);
    const grant = (f: Record<string, string>, tenant = TENANT) =>
      call('POST', `/${tenant}/oauth2/v2.0/token`, { token: null, form: new URLSearchParams({ grant_type: 'client_credentials', scope: 'https://management.azure.com/.default', ...f }).toString() });
    const issued = await grant({ client_id: clientId, client_secret: clientSecret });
    expect(issued.status).toBe(200);
    expect(Object.keys(issued.body)).toEqual(expect.arrayContaining(['token_type', 'expires_in', 'access_token']));
    expect(issued.body.token_type).toBe(sample('_77777777_7777_7777_7777_777777777777_oauth2_token.json').token_type);
    expect(await grant({ client_id: clientId })).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [7000215] } });
    const wrong = await grant({ client_id: clientId, client_secret: `${clientSecret}x` });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [7000215] } });
    expect(String(wrong.body.error_description)).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(await grant({ client_id: '00000000-0000-4000-8000-000000000001', client_secret: clientSecret })).toMatchObject({ status: 400, body: { error: 'unauthorized_client', error_codes: [700016] } });
    expect(await grant({ client_id: clientId, client_secret: clientSecret }, '72f988bf-86f1-41af-91ab-2d7cd011db47')).toMatchObject({ status: 400, body: { error_codes: [90002] } });
    expect((await call('GET', '/not a tenant/v2.0/.well-known/openid-configuration', { token: null })).status).toBe(400);
  });
});

describe('ARM authentication', () => {
  it('takes only tokens the twin signed and that have not expired: else 401 InvalidAuthenticationToken', async () => {
    const list = (tok: string) => call('GET', `/subscriptions/${SUB}/resourcegroups?api-version=2024-07-01`, { token: tok });
    expect((await list(token)).status).toBe(200);
    const [head = '', claims = ''] = token.split('.');
    const now = Math.floor(Date.now() / 1000);
    const forged = [
      'any-token',
      `${head}.${claims}.${'A'.repeat(43)}`,
      `${Buffer.from('{"typ":"JWT","alg":"none"}').toString('base64url')}.${claims}.`,
      signHs256({ appid: 'x', exp: now + 3600 }, Buffer.alloc(32, 1)),
    ];
    for (const tok of forged) {
      const r = await list(tok);
      expect(r).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } } });
      expect(r.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    }
  });
});

describe('ARM requests', () => {
  it('need a bearer token, a subscription id and an api-version; errors are ARM error JSON', async () => {
    const noToken = await call('GET', `/subscriptions/${SUB}/resourcegroups?api-version=2024-07-01`, { token: null });
    expect(noToken).toMatchObject({ status: 401, body: { error: { code: 'AuthenticationFailed' } } });
    expect(noToken.headers['www-authenticate']).toMatch(/^Bearer /);
    expect((await call('GET', `/subscriptions/${SUB}/resourcegroups`)).body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    expect((await call('GET', '/subscriptions/nope/resourcegroups?api-version=2024-07-01')).body).toMatchObject({ error: { code: 'InvalidSubscriptionId' } });
    const gone = await arm('GET', rg('nothing-here'));
    expect(gone).toMatchObject({ status: 404, body: { error: { code: 'ResourceGroupNotFound', message: "Resource group 'nothing-here' could not be found." } } });
    expect(Object.keys(gone.body)).toEqual(['error']);
  });

  it('lists locations (at least 8 regions with zones) and sizes like the real vmSizes sample', async () => {
    const locs = (await arm('GET', '/locations', undefined, '2022-12-01')).body.value as Array<{ name: string; availabilityZoneMappings?: unknown[] }>;
    expect(locs.map((l) => l.name)).toEqual(expect.arrayContaining(['koreacentral', 'japaneast', 'eastus', 'westus2', 'westeurope', 'northeurope', 'southeastasia', 'australiaeast']));
    expect(locs.filter((l) => l.availabilityZoneMappings?.length).length).toBeGreaterThanOrEqual(8);
    const sizes = (await arm('GET', '/providers/Microsoft.Compute/locations/koreacentral/vmSizes')).body as { value: Array<{ name: string }> };
    expect(sizes.value.map((s) => s.name)).toEqual(expect.arrayContaining(['Standard_B1s', 'Standard_B2s', 'Standard_D2s_v5']));
    expect(missing(sample('_subscriptions_99999999_providers_Microsoft_Compute_locations_eastus_vmSizes.json').value, sizes.value)).toEqual([]);
  });

  it('pages listings with nextLink', async () => {
    for (const n of ['p1', 'p2', 'p3']) await arm('PUT', rg(n), { location: 'eastus' });
    const first = await arm('GET', '/resourcegroups');
    const names = (first.body.value as { name: string }[]).map((g) => g.name);
    expect(names).toHaveLength(2);
    const next = String(first.body.nextLink);
    expect(next).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\$skiptoken=/);
    const second = await call('GET', next);
    names.push(...(second.body.value as { name: string }[]).map((g) => g.name));
    expect(names.slice(0, 3)).toEqual(['p1', 'p2', 'p3']);
    for (const n of ['p1', 'p2', 'p3']) expect((await arm('DELETE', rg(n))).status).toBe(202);
  });
});

describe('security rules', () => {
  it('take sourceAddressPrefixes and destinationPortRanges, not together with the singular forms', async () => {
    await plumbing('rules');
    const url = `${NET('rules')}/networkSecurityGroups/nsg/securityRules/k8s`;
    const body = (extra: Record<string, unknown> = {}) => ({ properties: { protocol: 'Tcp', sourcePortRange: '*', destinationAddressPrefix: '*', access: 'Allow', priority: 900, direction: 'Inbound', sourceAddressPrefixes: ['198.51.100.7/32', '198.51.100.8/32'], destinationPortRanges: ['6443', '2379-2380'], ...extra } });
    expect((await arm('PUT', url, body())).status).toBe(201);
    const got = await arm('GET', url);
    expect(got.body).toMatchObject({ properties: { sourceAddressPrefixes: ['198.51.100.7/32', '198.51.100.8/32'], destinationPortRanges: ['6443', '2379-2380'] } });
    expect((got.body as { properties: Record<string, unknown> }).properties).not.toHaveProperty('sourceAddressPrefix');
    expect((await arm('PUT', url, body({ sourceAddressPrefix: '*' }))).status).toBe(400);
    expect((await arm('DELETE', url)).status).toBeLessThan(300);
  });
});

describe('a VM through its life', () => {
  let nicId = '';
  let vmUrl = '';

  it('is created as a long-running operation: 201 Creating, Azure-AsyncOperation, then Succeeded and running', async () => {
    nicId = await plumbing('life');
    const refused = await arm('PUT', `${VMS('life')}/vm1`, vmBody(nicId, 'admin'));
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'InvalidParameter', target: 'adminUsername' } } });
    const put = await arm('PUT', `${VMS('life')}/vm1`, vmBody(nicId));
    expect(put.status).toBe(201);
    expect((put.body.properties as { provisioningState: string }).provisioningState).toBe('Creating');
    const op = String(put.headers['azure-asyncoperation']);
    expect(op).toMatch(/\/providers\/Microsoft\.Compute\/locations\/koreacentral\/operations\/[0-9a-f-]{36}\?api-version=/);
    await waitFor('create to succeed', async () => ((await opStatus(op)) === 'Succeeded' ? true : undefined));
    vmUrl = `${VMS('life')}/vm1`;
    const got = await arm('GET', `${vmUrl}?$expand=instanceView`);
    const props = got.body.properties as { provisioningState: string; instanceView: { statuses: { code: string }[] } };
    expect(props.provisioningState).toBe('Succeeded');
    expect(props.instanceView.statuses.map((s) => s.code)).toEqual(['ProvisioningState/succeeded', 'PowerState/running']);
    // Every field Libcloud's real samples have, the twin has too.
    const listed = (await arm('GET', '/providers/Microsoft.Compute/virtualMachines')).body.value as unknown[];
    expect(missing((sample('_subscriptions_99999999_providers_Microsoft_Compute_virtualMachines.json').value as unknown[])[0], listed[0])).toEqual([]);
    const view = await arm('GET', `${vmUrl}/instanceView`);
    expect(missing(sample('_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Compute_virtualMachines_test_node_1_InstanceView.json'), view.body)).toEqual([]);
    const nic = await arm('GET', `${NET('life')}/networkInterfaces/nic`);
    expect(missing(sample('_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Network_networkInterfaces_test_node_1_nic.json'), nic.body)).toEqual([]);
    const vnets = (await arm('GET', '/providers/Microsoft.Network/virtualNetworks')).body.value as unknown[];
    const vnetSample = (sample('_subscriptions_99999999_providers_Microsoft_Network_virtualnetworks.json').value as Record<string, unknown>[])[0]!;
    // Less the sample's own tags and its custom DNS servers (a choice of that network, not a field ARM always has).
    expect(missing({ ...vnetSample, tags: {} }, vnets[0]).filter((k) => !k.includes('dhcpOptions'))).toEqual([]);
  });

  it('serves SSH on its public IP with exactly the osProfile keys, as the admin user', async () => {
    const pip = await arm('GET', `${NET('life')}/publicIPAddresses/ip`);
    const ip = String((pip.body.properties as { ipAddress: string }).ipAddress);
    expect(ip).toMatch(/^127\./);
    expect(missing(sample('_subscriptions_99999999_resourceGroups_REVIZOR_providers_Microsoft_Network_publicIPAddresses_test_public_ip.json'), pip.body)).toEqual([]);
    const r = await sshExec(ip, SSH_PORT, 'azureuser', key.privateKey, 'echo hi $USER');
    expect(r.stdout.trim()).toBe('hi azureuser');
    // The admin API lists it beside EC2 and GCE instances.
    const listed = (await (await admin(t.twin, '/instances?region=koreacentral')).json()) as Array<Record<string, unknown>>;
    expect(listed.find((i) => i.instanceId === 'vm1')).toMatchObject({ provider: 'azure', state: 'running', publicIp: ip, sshUser: 'azureuser', privateIp: expect.stringMatching(/^10\./) as unknown });
    await expect(sshExec(ip, SSH_PORT, 'azureuser', userKey().privateKey, 'true')).rejects.toThrow();
  });

  it('refuses deletes of what is in use, with ARM codes', async () => {
    expect((await arm('DELETE', `${NET('life')}/networkInterfaces/nic`)).body).toMatchObject({ error: { code: 'NicInUse' } });
    expect((await arm('DELETE', `${NET('life')}/publicIPAddresses/ip`)).body).toMatchObject({ error: { code: 'PublicIPAddressCannotBeDeleted' } });
    expect((await arm('DELETE', `${NET('life')}/virtualNetworks/vnet`)).body).toMatchObject({ error: { code: 'InUseSubnetCannotBeDeleted' } });
    expect((await arm('DELETE', `${NET('life')}/networkSecurityGroups/nsg`)).body).toMatchObject({ error: { code: 'InUseNetworkSecurityGroupCannotBeDeleted' } });
  });

  it('powerOff leaves it stopped (still billed); deallocate makes it deallocated; restart needs it running', async () => {
    const off = await arm('POST', `${vmUrl}/powerOff`);
    expect(off.status).toBe(202);
    expect(off.headers.location).toMatch(/monitor=true/);
    await waitFor('stopped', async () => ((await opStatus(String(off.headers['azure-asyncoperation']))) === 'Succeeded' ? true : undefined));
    const codes = async () => ((await arm('GET', `${vmUrl}/instanceView`)).body.statuses as { code: string }[]).map((s) => s.code);
    expect(await codes()).toContain('PowerState/stopped');
    expect((await arm('POST', `${vmUrl}/deallocate`)).status).toBe(202);
    expect(await codes()).toContain('PowerState/deallocated');
    expect((await arm('POST', `${vmUrl}/restart`)).body).toMatchObject({ error: { code: 'OperationNotAllowed' } });
    const start = await arm('POST', `${vmUrl}/start`);
    await waitFor('running', async () => ((await opStatus(String(start.headers['azure-asyncoperation']))) === 'Succeeded' ? true : undefined));
    expect(await codes()).toContain('PowerState/running');
  });
});

describe('restart', () => {
  it('keeps groups, VMs (running again, same address), the CA a connection trusts, its credentials and the tokens it issued', async () => {
    const s = await startTestTwin({ bootDelayMs: 50, stopDelayMs: 20, sshPort: SSH_PORT + 1 });
    const base = () => s.twin.endpoints.azure;
    const caPem = readFileSync(s.twin.caFile, 'utf8');
    const sToken = await azureToken(s.twin);
    const a = (method: string, path: string, body?: unknown) => call(method, `/subscriptions/${SUB}${path}?api-version=2024-07-01`, { body, base: base(), ca: caPem, token: sToken });
    try {
      await a('PUT', rg('keep'), { location: 'japaneast' });
      const nsg = await a('PUT', `${NET('keep')}/networkSecurityGroups/n`, { location: 'japaneast' });
      expect(nsg.status).toBe(201);
      await s.twin.close();
      const again = await startTwin({ stateDir: s.stateDir, bootDelayMs: 50, stopDelayMs: 20, sshPort: SSH_PORT + 1, log: () => {} });
      try {
        expect(readFileSync(again.caFile, 'utf8')).toBe(caPem);
        expect(again.credentials).toEqual(s.twin.credentials);
        const got = await call('GET', `/subscriptions/${SUB}${NET('keep')}/networkSecurityGroups/n?api-version=2024-07-01`, { base: again.endpoints.azure, ca: caPem, token: sToken });
        expect(got.status).toBe(200);
      } finally {
        await again.close();
      }
    } finally {
      await s.cleanup();
    }
  });
});
