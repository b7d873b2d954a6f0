import { generateSshKeyPair } from '@cloud-barista/core';
/**
 * The Azure driver and the official Azure SDK against Cloud-Twin, beyond the shared contract: what
 * the SDK lists, faults as ProviderError classes, TLS really verified, credentials.
 */
import { get } from 'node:https';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, ProviderError, UsageError, type Acceptance, type CloudDriver, type Connection, type CredentialMaterial, type DefaultNetwork, type VmInfo } from '@cloud-barista/core';
import { all } from '../src/azure/context.js';
import { agentFor } from '../src/azure/client.js';
import { ruleSets } from '../src/azure/firewall.js';
import { buildAzureDriver } from '../src/azure/index.js';
import { azureConnection, bootTwin, CLIENT_SECRET, sdkClients, SUBSCRIPTION, type Twin } from './azure-twin.js';
import { spanMs, waitsAfterThrottle } from './throttle.js';
import { CLUSTER_RULES, NODE_A, NODE_B } from './cluster-ports.js';
import { freePort } from '../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();

let t: Awaited<ReturnType<typeof bootTwin>>;
let twin: Twin;
let driver: CloudDriver;
let net: DefaultNetwork;
const keyPair = generateSshKeyPair('azure-twin-test');
const key = { public: keyPair.publicKey, private: keyPair.privateKey };
const tags = { 'cb-managed': 'true', 'cb-ns': 'sdk' };

const driverFor = (over: Partial<Connection> = {}, credentials: CredentialMaterial = CLIENT_SECRET, maxAttempts?: number, throttleWaitMs?: number) =>
  buildAzureDriver(
    { connection: azureConnection(twin, over), credentials, ...(maxAttempts ? { maxAttempts } : {}), ...(throttleWaitMs ? { throttleWaitMs } : {}) },
    { tuning: { pollIntervalMs: 50 }, retryDelayMs: 50, maxRetryDelayMs: 200 },
  );

async function setFaults(rules: unknown[]): Promise<void> {
  const res = await fetch(`${twin.adminUrl}/faults`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${twin.credentials.admin}` }, body: JSON.stringify(rules) });
  expect(res.status).toBe(200);
}

const request = (name: string, token: string, spec = 'Standard_B1s') => ({
  name,
  spec,
  imageId: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest',
  network: net,
  keyName: 'k',
  publicKey: key.public,
  sshUser: 'ubuntu',
  clientToken: token,
  tags: { ...tags, 'cb-vm': name },
});

const waitStatus = (d: CloudDriver, id: string, want: VmInfo['status']) =>
  poll(
    () => d.vms.describe([id]),
    (v): Acceptance<VmInfo> => (v[0]?.status === want ? { state: 'success', value: v[0] } : { state: 'retry' }),
    { maxWaitMs: 15_000, minDelayMs: 50, maxDelayMs: 300, what: `${id} ${want}` },
  );

beforeAll(async () => {
  t = await bootTwin(SSH_PORT, { bootDelayMs: 100, stopDelayMs: 50 });
  twin = t.twin;
  driver = driverFor();
  net = await driver.network.ensureDefault({ name: 'cb-sdk', tags });
});

afterAll(async () => {
  await setFaults([]).catch(() => undefined);
  driver?.close();
  await t?.cleanup();
});

describe('the official Azure SDK pointed at the twin', () => {
  it('lists the VMs the driver made, with ARM fields, NIC and public IP', async () => {
    t.requests.length = 0;
    const vm = await driver.vms.create(request('sdk-1', 'sdk-token-1'));
    // ARM's answer to the PUT, with the NIC and IP just made, is the VmInfo: no read-back per VM.
    expect(vm).toMatchObject({ status: 'Creating', spec: 'Standard_B1s', zone: '1', publicIp: expect.stringMatching(/^127\./) as unknown, privateIp: expect.stringMatching(/^10\./) as unknown });
    const afterPut = t.requests.slice(t.requests.findIndex((r) => r.action === 'VirtualMachines_CreateOrUpdate') + 1);
    expect(afterPut.filter((r) => /^(VirtualMachines|NetworkInterfaces|PublicIPAddresses)_Get$/.test(r.action ?? '')).map((r) => r.action)).toEqual([]);
    await waitStatus(driver, vm.providerId, 'Running');
    const sdk = sdkClients(twin);
    try {
      const listed = await all(sdk.compute.virtualMachines.listAll());
      const mine = listed.find((v) => v.id === vm.providerId);
      expect(mine).toMatchObject({
        type: 'Microsoft.Compute/virtualMachines',
        location: 'koreacentral',
        zones: ['1'],
        tags: { ...tags, 'cb-vm': 'sdk-1' },
        hardwareProfile: { vmSize: 'Standard_B1s' },
        provisioningState: 'Succeeded',
        storageProfile: {
          imageReference: { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest', exactVersion: '22.04.202405140' },
          osDisk: { osType: 'Linux', createOption: 'FromImage', deleteOption: 'Delete' },
        },
        osProfile: { adminUsername: 'ubuntu', linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: '/home/ubuntu/.ssh/authorized_keys', keyData: key.public.trim() }] } } },
      });
      expect(mine?.name).toMatch(/^sdk-1-[0-9a-f]{6}$/);
      expect(mine?.vmId).toMatch(/^[0-9a-f-]{36}$/);
      const name = mine?.name ?? '';
      const view = await sdk.compute.virtualMachines.instanceView('cb-twin-azure', name);
      expect(view.statuses?.map((s) => s.code)).toEqual(['ProvisioningState/succeeded', 'PowerState/running']);
      const nic = await sdk.network.networkInterfaces.get('cb-twin-azure', `${name}-nic`);
      expect(nic.virtualMachine?.id).toBe(vm.providerId);
      expect(nic.ipConfigurations?.[0]?.privateIPAddress).toMatch(/^10\.0\.1\.\d+$/);
      const pip = await sdk.network.publicIPAddresses.get('cb-twin-azure', `${name}-ip`);
      expect(pip.ipAddress).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(pip).toMatchObject({ publicIPAllocationMethod: 'Static', sku: { name: 'Standard' } });
      expect(pip.ipConfiguration?.id).toBe(`${nic.id}/ipConfigurations/ipconfig1`);
      // A deallocated VM reads as such through the SDK too (and the driver calls it Suspended).
      await driver.vms.suspend([vm.providerId]);
      const suspended = await waitStatus(driver, vm.providerId, 'Suspended');
      expect(suspended.nativeState).toBe('deallocated');
      const after = await sdk.compute.virtualMachines.get('cb-twin-azure', name, { expand: 'instanceView' });
      expect(after.instanceView?.statuses?.map((s) => s.code)).toEqual(['ProvisioningState/succeeded', 'PowerState/deallocated']);
      await driver.vms.terminate([vm.providerId]);
      expect(await driver.vms.describe([vm.providerId])).toEqual([]);
      const left = await all(sdk.resources.resources.listByResourceGroup('cb-twin-azure'));
      expect(left.map((r) => r.type).sort()).toEqual(['Microsoft.Network/networkSecurityGroups', 'Microsoft.Network/virtualNetworks']);
    } finally {
      sdk.close();
    }
  });
});

describe('faults surface as ProviderError classes', () => {
  it('SkuNotAvailable on create is capacity, retryable, and leaves no NIC or IP behind', async () => {
    await setFaults(['azure:VirtualMachines_CreateOrUpdate:SkuNotAvailable:1@koreacentral']);
    try {
      const err = await driver.vms.create(request('cap-1', 'cap-token')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ provider: 'azure', code: 'SkuNotAvailable', errorClass: 'capacity', retryable: true, httpStatus: 409 });
      const sdk = sdkClients(twin);
      const left = await all(sdk.resources.resources.listByResourceGroup('cb-twin-azure'));
      sdk.close();
      expect(left.map((r) => r.type).sort()).toEqual(['Microsoft.Network/networkSecurityGroups', 'Microsoft.Network/virtualNetworks']);
    } finally {
      await setFaults([]);
    }
  });

  it('a size the region does not offer is SkuNotAvailable from the twin itself', async () => {
    const d = driverFor({ region: 'westus', zone: undefined, resourceGroup: 'cb-westus' });
    try {
      const n = await d.network.ensureDefault({ name: 'cb-w', tags });
      const err = await d.vms.create({ ...request('arm-1', 'arm-token', 'Standard_D2ps_v5'), network: n }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SkuNotAvailable', errorClass: 'capacity' });
      await d.network.deleteDefault(n);
    } finally {
      d.close();
    }
  });

  it('429 with Retry-After is waited out and retried', async () => {
    await setFaults(['azure:VirtualMachineSizes_List:TooManyRequests:1#1']);
    t.requests.length = 0;
    await driver.ping();
    const seen = t.requests.filter((r) => r.action === 'VirtualMachineSizes_List');
    expect(seen.map((r) => r.status)).toEqual([429, 200]);
    expect(waitsAfterThrottle(seen, (r) => r.status === 429)[0]).toBeGreaterThanOrEqual(990); // Retry-After: 1 (seconds)
  });

  it('a permanent throttle is retried past maxAttempts until the throttling deadline, then is a retryable throttled ProviderError', async () => {
    await setFaults(['azure:VirtualMachineSizes_List:TooManyRequests:1']);
    const d = driverFor({}, CLIENT_SECRET, 1, 2_500);
    try {
      t.requests.length = 0;
      const err = await d.ping().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TooManyRequests', errorClass: 'throttled', retryable: true, httpStatus: 429 });
      const seen = t.requests.filter((r) => r.action === 'VirtualMachineSizes_List');
      // One SDK attempt each round; Retry-After: 1 s between rounds while the deadline leaves room.
      expect(seen.length).toBe(3);
      expect(waitsAfterThrottle(seen, (r) => r.status === 429).every((ms) => ms >= 990)).toBe(true);
      expect(spanMs(seen)).toBeLessThanOrEqual(2_500);
    } finally {
      d.close();
      await setFaults([]);
    }
  });

  it('a quarter of every call throttled: create, describe and suspend complete, each retry after the Retry-After', async () => {
    // One SDK attempt: throttling is retried by time, not by attempt count.
    const d = driverFor({}, CLIENT_SECRET, 1);
    // Surely the first launch, then a quarter of all calls: each throttle costs a whole second of Retry-After.
    await setFaults(['azure:VirtualMachines_CreateOrUpdate:TooManyRequests:1#1', 'azure:*:TooManyRequests:0.25']);
    try {
      t.requests.length = 0;
      const vm = await d.vms.create(request('thr-1', 'thr-token'));
      await waitStatus(d, vm.providerId, 'Running');
      await d.vms.suspend([vm.providerId]);
      await waitStatus(d, vm.providerId, 'Suspended');
      const throttled = (r: { status: number }) => r.status === 429;
      expect(t.requests.filter(throttled).length).toBeGreaterThan(0);
      expect(waitsAfterThrottle(t.requests, throttled).every((ms) => ms >= 990)).toBe(true);
      await setFaults([]);
      await d.vms.terminate([vm.providerId]);
    } finally {
      d.close();
      await setFaults([]);
    }
  });

  it.each([
    ['QuotaExceeded', 'quota', false],
    ['OperationNotAllowed', 'quota', false], // ARM's regional cores quota error
    ['AuthorizationFailed', 'auth', false],
    ['ResourceGroupNotFound', 'not-found', false],
  ])('%s is %s', async (code, errorClass, retryable) => {
    await setFaults([`azure:VirtualMachines_CreateOrUpdate:${code}:1`]);
    try {
      const err = await driver.vms.create(request('f-1', `fault-${code}`)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code, errorClass, retryable });
    } finally {
      await setFaults([]);
    }
  });

  it('AllocationFailed fails the accepted create: capacity, and the VM reads Failed with the reason', async () => {
    await setFaults(['azure:VirtualMachines_CreateOrUpdate:AllocationFailed:1#1']);
    const err = await driver.vms.create(request('alloc-1', 'alloc-token')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AllocationFailed', errorClass: 'capacity', retryable: true });
    // The VM exists (as on Azure), Failed, until it is terminated.
    const [vm] = (await driver.vms.findByTags({ 'cb-vm': 'alloc-1' })) as [VmInfo];
    expect(vm).toMatchObject({ status: 'Failed', nativeState: 'failed/AllocationFailed' });
    await driver.vms.terminate([vm.providerId]);
    expect(await driver.vms.describe([vm.providerId])).toEqual([]);
  });

  it('a region outage is unavailable and retryable', async () => {
    const set = (down: boolean) => fetch(`${twin.adminUrl}/outage`, { method: 'POST', headers: { authorization: `Bearer ${twin.credentials.admin}` }, body: JSON.stringify({ region: 'koreacentral', down }) });
    expect((await set(true)).status).toBe(200);
    const d = driverFor({}, CLIENT_SECRET, 1);
    try {
      await expect(d.ping()).rejects.toMatchObject({ code: 'ServiceUnavailable', errorClass: 'unavailable', retryable: true });
    } finally {
      d.close();
      await set(false);
    }
  });
});

describe('TLS is verified', () => {
  it('a connection without the twin CA is refused, as auth with a hint', async () => {
    const d = driverFor({ caFile: undefined }, CLIENT_SECRET, 1);
    try {
      t.requests.length = 0;
      const err = await d.ping().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      // The authority's metadata request is the first to meet the twin's certificate: MSAL reports
      // it as an endpoint it could not resolve, so no token, and no ARM request reached the twin.
      expect(err).toMatchObject({ code: 'CredentialUnavailableError', errorClass: 'auth', retryable: false });
      expect((err as ProviderError).hint).toContain('caFile');
      expect(t.requests).toEqual([]);
    } finally {
      d.close();
    }
  });

  it('a plain HTTPS client without the CA is refused; with it, the twin answers', async () => {
    const fetchWith = (ca?: string) =>
      new Promise<number>((resolve, reject) => {
        get(`${twin.endpoints.azure}/${CLIENT_SECRET.tenantId}/v2.0/.well-known/openid-configuration`, ca ? { ca } : {}, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
    const refused = (await fetchWith().catch((e: unknown) => e)) as { code?: string };
    expect(refused.code).toMatch(/CERT|SIGNATURE|ISSUER/);
    const { readFileSync } = await import('node:fs');
    expect(await fetchWith(readFileSync(twin.caFile, 'utf8'))).toBe(200);
  });

  it('an unreadable caFile is a UsageError naming it', () => {
    expect(() => driverFor({ caFile: '/nonexistent/ca.pem' })).toThrow(UsageError);
  });
});

describe('credentials', () => {
  it("trusts the connection's CA file through one TLS context shared by every socket", async () => {
    const agent = agentFor(azureConnection(twin));
    try {
      // An Agent given `ca` builds a context (parsing the system roots) per new socket and keys each request by the roots' text.
      expect(agent?.options).toMatchObject({ keepAlive: true, secureContext: expect.anything() as unknown });
      expect(agent?.options.ca).toBeUndefined();
      const res = await new Promise<number | undefined>((resolve, reject) => {
        get(`${twin.endpoints.azure}/subscriptions/${SUBSCRIPTION}?api-version=2022-12-01`, { agent }, (r) => {
          r.resume();
          resolve(r.statusCode);
        }).on('error', reject);
      });
      expect(res).toBe(401); // TLS accepted; no token sent.
    } finally {
      agent?.destroy();
    }
  });

  it('the client secret never shows in errors', async () => {
    await setFaults(['azure:VirtualMachines_Get:AuthorizationFailed:1']);
    try {
      const err = await driver.vms.create(request('s-1', 'secret-token')).catch((e: unknown) => e);
      expect(err).toMatchObject({ errorClass: 'auth' });
      for (const text of [String(err), JSON.stringify(err), inspect(err, { depth: 6 })]) expect(text).not.toContain(CLIENT_SECRET.clientSecret);
    } finally {
      await setFaults([]);
    }
  });

  it('default-chain: the SDK finds a service principal in the environment', async () => {
    const vars = { AZURE_TENANT_ID: CLIENT_SECRET.tenantId, AZURE_CLIENT_ID: CLIENT_SECRET.clientId, AZURE_CLIENT_SECRET: CLIENT_SECRET.clientSecret };
    const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    const d = driverFor({}, { kind: 'default-chain' });
    try {
      expect((await d.ping()).account).toBe(SUBSCRIPTION);
    } finally {
      d.close();
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a malformed tenant, a missing subscription or an AWS credential is a UsageError; an unknown tenant is auth', async () => {
    expect(() => driverFor({}, { ...CLIENT_SECRET, tenantId: 'not a tenant!' })).toThrow(UsageError);
    const d = driverFor({}, { ...CLIENT_SECRET, tenantId: 'no-such-tenant' }, 1);
    try {
      await expect(d.ping()).rejects.toMatchObject({ errorClass: 'auth' });
    } finally {
      d.close();
    }
    const saved = process.env.AZURE_SUBSCRIPTION_ID;
    delete process.env.AZURE_SUBSCRIPTION_ID;
    try {
      expect(() => driverFor({ subscription: undefined })).toThrow(/names no Azure subscription/);
    } finally {
      if (saved !== undefined) process.env.AZURE_SUBSCRIPTION_ID = saved;
    }
    expect(() => driverFor({}, { kind: 'aws-keys', accessKeyId: 'a', secretAccessKey: 'b' })).toThrow(UsageError);
  });
});

describe('cluster ports', () => {
  it('opens them to the nodes only (a rule per protocol, merged idempotently, below SSH) and closes them per node', async () => {
    const [rules, a, b] = [CLUSTER_RULES, NODE_A, NODE_B];
    const [tcp, udp] = ruleSets(rules);
    const sdk = sdkClients(twin);
    const nsg = net.securityGroupId.split('/').pop() ?? '';
    const group = 'cb-sdk';
    const mine = async () => (await all(sdk.network.securityRules.list(net.extra.resourceGroup ?? group, nsg))).filter((r) => r.name?.startsWith('cb-k8s-'));
    try {
      await driver.network.allowIngress?.(net, { rules, sources: [a] });
      await driver.network.allowIngress?.(net, { rules, sources: [a, b] });
      await driver.network.allowIngress?.(net, { rules, sources: [b] });
      const got = await mine();
      expect(got.map((r) => r.name).sort()).toEqual([tcp?.name, udp?.name].sort());
      const t1 = got.find((r) => r.name === tcp?.name);
      expect(t1).toMatchObject({ protocol: 'Tcp', direction: 'Inbound', access: 'Allow', sourceAddressPrefixes: [a, b], destinationPortRanges: ['2379-2380', '6443'] });
      const priorities = got.map((r) => r.priority ?? 0);
      expect(new Set(priorities).size).toBe(2);
      for (const p of priorities) expect(p).toBeLessThan(1000);
      await driver.network.revokeIngress?.(net, { rules, sources: [a] });
      expect((await mine()).map((r) => r.sourceAddressPrefixes)).toEqual([[b], [b]]);
      await driver.network.revokeIngress?.(net, { rules, sources: [b] });
      expect(await mine()).toEqual([]);
      await driver.network.revokeIngress?.(net, { rules, sources: [a, b] });
    } finally {
      sdk.close();
    }
  });
});
