/**
 * The Azure driver against real ARM response samples (Apache Libcloud's fixtures, copied into
 * test/fixtures/azure_arm with their LICENSE and NOTICE), fed through the real SDK by a replaying
 * HttpClient. Shapes Libcloud has no sample of are written inline, marked as such.
 */
import { describe, expect, it } from 'vitest';
import { ProviderError, UsageError, VM_STATUSES } from '@cloud-barista/core';
import { classifyAzureCode, nativeStateOf, POWER_TO_STATUS, PROVISIONING_TO_STATUS, toVmStatus } from '../src/azure/index.js';
import { archOfSize, compareVersions } from '../src/azure/catalog.js';
import { describeNative } from '../src/azure/states.js';
import { fixtureJson, replayDriver, SUB, type Routes } from './azure-replay.js';
import { expectCodeClasses } from './code-classes.js';

const VM_LIST = /\/resourcegroups\/000000\/providers\/microsoft\.compute\/virtualmachines$/;
const VM_LIST_ALL = /^\/subscriptions\/[^/]+\/providers\/microsoft\.compute\/virtualmachines$/;
const NIC_LIST = /\/resourcegroups\/000000\/providers\/microsoft\.network\/networkinterfaces$/;
const PIP_LIST = /\/resourcegroups\/000000\/providers\/microsoft\.network\/publicipaddresses$/;
const VIEW_1 = '_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Compute_virtualMachines_test_node_1_InstanceView.json';
const VIEW_2 = '_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Compute_virtualMachines_test_node_2_InstanceView.json';
const PAGE_1 = '_subscriptions_99999999_providers_Microsoft_Compute_virtualMachines.json';
const PAGE_2 = '_subscriptions_99999999_providers_Microsoft_Compute_virtualMachines_1.json';

/** Inline (no sample): ARM's error body. */
const armError = (status: number, code: string, headers: Record<string, string> = {}) => ({ status, body: { error: { code, message: `${code} (replayed)` } }, headers });

/** The two list pages with each VM's instance view from the samples, as `statusOnly=true` adds them. */
function withViews(page: string, statuses: unknown[][]): Record<string, unknown> {
  const p = fixtureJson(page) as { value: Array<{ properties: Record<string, unknown> }> };
  p.value.forEach((v, i) => (v.properties.instanceView = { statuses: statuses[i % statuses.length] }));
  return p;
}

const views = [VIEW_1, VIEW_2].map((f) => (fixtureJson(f) as { statuses: unknown[] }).statuses);

/** A VM listing: the two sample pages (the first carries a nextLink), their NICs, no public IPs. */
function listing(statuses: unknown[][] = views): Routes {
  const nics = ['test_node_1', 'test_node_2'].map((n) => fixtureJson(`_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Network_networkInterfaces_${n}_nic.json`));
  return [
    ['GET', VM_LIST, (s) => ({ file: s.url.searchParams.has('$skiptoken') ? PAGE_2 : PAGE_1 })],
    ['GET', VM_LIST_ALL, (s) => ({ body: withViews(s.url.searchParams.has('$skiptoken') ? PAGE_2 : PAGE_1, s.url.searchParams.has('$skiptoken') ? statuses.slice(1) : statuses) })],
    ['GET', NIC_LIST, { body: { value: nics } }],
    ['GET', PIP_LIST, { body: { value: [] } }],
  ];
}

const IDS = ['test-node-1', 'test-node-2'].map((n) => `/subscriptions/${SUB}/resourceGroups/000000/providers/Microsoft.Compute/virtualMachines/${n}`);

describe('state map', () => {
  it('maps provisioning and power states to common statuses, and nothing else', () => {
    expect(PROVISIONING_TO_STATUS).toEqual({ creating: 'Creating', deleting: 'Terminating', failed: 'Failed', canceled: 'Failed' });
    expect(POWER_TO_STATUS).toEqual({ starting: 'Resuming', running: 'Running', stopping: 'Suspending', stopped: 'Suspended', deallocating: 'Suspending', deallocated: 'Suspended' });
    for (const s of [...Object.values(PROVISIONING_TO_STATUS), ...Object.values(POWER_TO_STATUS)]) expect(VM_STATUSES).toContain(s);
  });

  it.each([
    [['ProvisioningState/creating', 'PowerState/starting'], 'Creating', 'creating'],
    [['ProvisioningState/succeeded', 'PowerState/running'], 'Running', 'running'],
    [['ProvisioningState/updating', 'PowerState/running'], 'Running', 'running'],
    [['ProvisioningState/updating', 'PowerState/starting'], 'Resuming', 'starting'],
    [['ProvisioningState/updating', 'PowerState/deallocating'], 'Suspending', 'deallocating'],
    [['ProvisioningState/succeeded', 'PowerState/deallocated'], 'Suspended', 'deallocated'],
    [['ProvisioningState/succeeded', 'PowerState/stopped'], 'Suspended', 'stopped'],
    [['ProvisioningState/deleting', 'PowerState/stopping'], 'Terminating', 'deleting'],
    [['ProvisioningState/failed/AllocationFailed'], 'Failed', 'failed/AllocationFailed'],
    [['ProvisioningState/succeeded', 'PowerState/unknown'], 'Undefined', 'unknown'],
    [[], 'Undefined', 'unknown'],
  ])('%j is %s (%s)', (codes, status, native) => {
    const n = nativeStateOf(codes.map((code) => ({ code })));
    expect(toVmStatus(n)).toBe(status);
    expect(describeNative(n)).toBe(native);
  });

  it('covers every state in the samples’ instance views (updating + running is Running)', () => {
    for (const statuses of views) {
      const n = nativeStateOf(statuses as { code: string }[]);
      expect(n).toEqual({ provisioning: 'updating', power: 'running' });
      expect(toVmStatus(n)).toBe('Running');
    }
  });
});

describe('instances', () => {
  it('describes VMs over both list pages (nextLink), with NIC addresses and instance-view state', async () => {
    const { driver, replay } = replayDriver(listing());
    const vms = await driver.vms.describe([...IDS, IDS[0]!]);
    expect(vms).toEqual([
      {
        providerId: IDS[0],
        status: 'Running',
        nativeState: 'running',
        privateIp: '10.0.0.1',
        spec: 'Standard_A1',
        image: 'OpenLogic:CentOS:7.3:latest',
        tags: {},
      },
      expect.objectContaining({ providerId: IDS[1], status: 'Running', spec: 'Standard_A1' }),
    ]);
    // The sample's nextLink was followed, and every request carried the bearer token and api-version.
    const followed = replay.sent.filter((s) => s.url.searchParams.has('$skiptoken'));
    expect(followed.length).toBeGreaterThan(0);
    expect(followed.every((s) => s.url.host === 'management.azure.com')).toBe(true); // as the sample's nextLink says
    for (const s of replay.sent) expect(s.url.searchParams.get('api-version')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('leaves out ids ARM does not know, and answers in the case it was asked', async () => {
    const { driver } = replayDriver(listing());
    const asked = IDS[1]!.replace('resourceGroups/000000', 'RESOURCEGROUPS/000000');
    const vms = await driver.vms.describe([asked, `/subscriptions/${SUB}/resourceGroups/000000/providers/Microsoft.Compute/virtualMachines/gone`]);
    expect(vms.map((v) => v.providerId)).toEqual([asked]);
  });

  it('a missing resource group means no VMs', async () => {
    const { driver } = replayDriver([
      ['GET', VM_LIST_ALL, { body: { value: [] } }],
      ['GET', /\/virtualmachines$/, armError(404, 'ResourceGroupNotFound')],
      ['GET', /\/(networkinterfaces|publicipaddresses)$/, armError(404, 'ResourceGroupNotFound')],
    ]);
    expect(await driver.vms.findByTags({ 'cb-ns': 'x' })).toEqual([]);
  });

  it('create sends the public IP, NIC and VM the way Azure expects them, tagged, with deleteOption Delete', async () => {
    const vmSample = fixtureJson('_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Compute_virtualMachines_test_node_1.json');
    let created = false;
    const { driver, replay } = replayDriver([
      ['GET', /\/virtualmachines\/[^/]+$/, () => (created ? { body: vmSample } : armError(404, 'ResourceNotFound'))],
      ['PUT', /\/publicipaddresses\//, { file: '_subscriptions_99999999_resourceGroups_REVIZOR_providers_Microsoft_Network_publicIPAddresses_test_public_ip.json' }],
      ['PUT', /\/networkinterfaces\//, { file: '_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Network_networkInterfaces_test_node_1_nic.json' }],
      ['PUT', /\/virtualmachines\//, () => ((created = true), { status: 200, body: vmSample })],
      ['GET', /\/networkinterfaces\/[^/]+$/, { file: '_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Network_networkInterfaces_test_node_1_nic.json' }],
      ['GET', /\/publicipaddresses\/[^/]+$/, { file: '_subscriptions_99999999_resourceGroups_REVIZOR_providers_Microsoft_Network_publicIPAddresses_test_public_ip.json' }],
    ]);
    const tags = { 'cb-managed': 'true', 'cb-vm': 'web-1' };
    const vm = await driver.vms.create({
      name: 'web-1',
      spec: 'Standard_B1s',
      imageId: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:22.04.202405140',
      rootDiskGb: 40,
      network: { networkId: 'v', subnetId: `/subscriptions/${SUB}/resourceGroups/000000/providers/Microsoft.Network/virtualNetworks/v/subnets/s`, securityGroupId: 'n', zone: '2', extra: {} },
      keyName: 'k',
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey cb\n',
      sshUser: 'ubuntu',
      clientToken: 'tok-1',
      tags,
    });
    expect(vm).toMatchObject({ privateIp: '10.0.0.1', spec: 'Standard_A1' });
    expect(vm.providerId).toMatch(/\/virtualMachines\/test_vm$/);
    const [pip] = replay.to('PUT', /publicipaddresses/);
    expect(JSON.parse(pip!.body)).toMatchObject({ location: 'eastus', tags, zones: ['2'], sku: { name: 'Standard' }, properties: { publicIPAllocationMethod: 'Static' } });
    const [nic] = replay.to('PUT', /networkinterfaces/);
    const subnetId = `/subscriptions/${SUB}/resourceGroups/000000/providers/Microsoft.Network/virtualNetworks/v/subnets/s`;
    expect(JSON.parse(nic!.body)).toMatchObject({ tags, properties: { ipConfigurations: [{ name: 'ipconfig1', properties: { primary: true, subnet: { id: subnetId } } }] } });
    const [put] = replay.to('PUT', /virtualmachines/);
    // The VM's name: the manifest name plus a suffix from the client token (stable across retries).
    expect(put!.url.pathname).toMatch(/\/virtualMachines\/web-1-[0-9a-f]{6}$/);
    expect(JSON.parse(put!.body)).toMatchObject({
      location: 'eastus',
      tags,
      zones: ['2'],
      properties: {
        hardwareProfile: { vmSize: 'Standard_B1s' },
        storageProfile: {
          imageReference: { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: '22.04.202405140' },
          osDisk: { createOption: 'FromImage', deleteOption: 'Delete', diskSizeGB: 40 },
        },
        osProfile: {
          adminUsername: 'ubuntu',
          linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: '/home/ubuntu/.ssh/authorized_keys', keyData: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey cb' }] } },
        },
        networkProfile: { networkInterfaces: [{ properties: { primary: true, deleteOption: 'Delete' } }] },
      },
    });
  });

  it('a create refused as SkuNotAvailable is capacity, and removes the NIC and IP it made', async () => {
    const { driver, replay } = replayDriver([
      ['GET', /\/virtualmachines\/[^/]+$/, armError(404, 'ResourceNotFound')],
      ['PUT', /\/publicipaddresses\//, { file: '_subscriptions_99999999_resourceGroups_REVIZOR_providers_Microsoft_Network_publicIPAddresses_test_public_ip.json' }],
      ['PUT', /\/networkinterfaces\//, { file: '_subscriptions_99999999_resourceGroups_000000_providers_Microsoft_Network_networkInterfaces_test_node_1_nic.json' }],
      ['PUT', /\/virtualmachines\//, armError(409, 'SkuNotAvailable')],
      ['DELETE', /./, { status: 204 }],
    ]);
    const err = await driver.vms
      .create({ name: 'w', spec: 'Standard_B1s', imageId: 'a:b:c:1', network: { networkId: 'v', subnetId: 's', securityGroupId: 'n', extra: {} }, keyName: 'k', publicKey: 'ssh-ed25519 AAAA', sshUser: 'ubuntu', clientToken: 't', tags: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ provider: 'azure', code: 'SkuNotAvailable', errorClass: 'capacity', retryable: true, httpStatus: 409 });
    expect(replay.sent.filter((s) => s.method === 'DELETE').map((s) => s.url.pathname.split('/').slice(-2)[0])).toEqual(['networkInterfaces', 'publicIPAddresses', 'disks']);
  });

  it('suspend deallocates (a stopped VM still bills), resume starts, reboot restarts', async () => {
    const accepted = { status: 202, headers: {} };
    const { driver, replay } = replayDriver([['POST', /./, accepted]]);
    await driver.vms.suspend([IDS[0]!]);
    await driver.vms.resume([IDS[0]!]);
    await driver.vms.reboot([IDS[0]!, IDS[0]!]);
    expect(replay.sent.map((s) => `${s.method} ${s.url.pathname.split('/').pop()}`)).toEqual(['POST deallocate', 'POST start', 'POST restart']);
    expect(driver.capabilities.suspendMethod).toMatch(/deallocate/);
  });
});

describe('catalog', () => {
  it('lists regions from the Compute provider’s locations', async () => {
    const { driver } = replayDriver([['GET', /\/providers\/microsoft\.compute$/, { file: '_subscriptions_99999999_providers_Microsoft_Compute.json' }]]);
    const regions = await driver.catalog.listRegions();
    expect(regions.map((r) => r.name)).toEqual(expect.arrayContaining(['eastus', 'eastus2', 'westus', 'centralus', 'southcentralus']));
    expect(regions.every((r) => /^[a-z0-9]+$/.test(r.name))).toBe(true);
  });

  it('lists sizes from vmSizes with GPUs from Resource SKUs of the location, and pings with vmSizes', async () => {
    // Inline (no sample): ResourceSkus_List in ARM's shape, one entry per size and location, with
    // non-VM SKUs the driver must skip. Standard_A2 has no GPUs; a SKU vmSizes lacks is not a spec.
    const cap = (name: string, value: string) => ({ name, value });
    const skus = {
      value: [
        { resourceType: 'disks', name: 'Premium_LRS', tier: 'Premium', size: 'P4', locations: ['eastus'], capabilities: [cap('MaxSizeGiB', '32')], restrictions: [] },
        { resourceType: 'virtualMachines', name: 'Standard_A1', tier: 'Standard', size: 'A1', family: 'standardA0_A7Family', locations: ['eastus'], capabilities: [cap('vCPUs', '1'), cap('CpuArchitectureType', 'x64')], restrictions: [] },
        { resourceType: 'virtualMachines', name: 'Standard_A2', tier: 'Standard', size: 'A2', family: 'standardNCSv3Family', locations: ['eastus'], capabilities: [cap('vCPUs', '2'), cap('GPUs', '2')], restrictions: [] },
        { resourceType: 'virtualMachines', name: 'Standard_NC4as_T4_v3', tier: 'Standard', size: 'NC4as_T4_v3', family: 'standardNCASv3_T4Family', locations: ['eastus'], capabilities: [cap('GPUs', '1')], restrictions: [] },
      ],
    };
    const { driver, replay } = replayDriver([
      ['GET', /\/locations\/eastus\/vmsizes$/, { file: '_subscriptions_99999999_providers_Microsoft_Compute_locations_eastus_vmSizes.json' }],
      ['GET', /\/providers\/microsoft\.compute\/skus$/, { body: skus }],
    ]);
    expect(await driver.catalog.listSpecs()).toEqual([
      { name: 'Standard_A0', vcpu: 1, memoryGiB: 0.75, arch: 'x86_64' },
      { name: 'Standard_A1', vcpu: 1, memoryGiB: 1.75, arch: 'x86_64' },
      { name: 'Standard_A2', vcpu: 2, memoryGiB: 3.5, arch: 'x86_64', gpu: { model: 'NVIDIA V100', count: 2 } },
    ]);
    const [skuCall] = replay.to('GET', /\/skus$/);
    expect(skuCall?.url.searchParams.get('$filter')).toBe("location eq 'eastus'");
    expect(skuCall?.url.searchParams.get('api-version')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await driver.ping()).toMatchObject({ account: SUB, region: 'eastus' });
    expect(archOfSize('Standard_D2ps_v5')).toBe('arm64');
    expect(archOfSize('Standard_D2as_v5')).toBe('x86_64');
  });

  it('resolves aliases to the newest marketplace version; an unknown image is a UsageError', async () => {
    // Inline (no sample): VirtualMachineImages_List answers a bare array of versions.
    const versions = ['22.04.202404230', '22.04.202405140', '22.04.202312060'].map((name) => ({ name, location: 'eastus', id: `/Subscriptions/${SUB}/Providers/Microsoft.Compute/Locations/eastus/Publishers/Canonical/ArtifactTypes/VMImage/Offers/x/Skus/y/Versions/${name}` }));
    const { driver, replay } = replayDriver([['GET', /\/versions$/, { body: versions }]]);
    expect(await driver.catalog.resolveImage('ubuntu-22.04')).toEqual({
      id: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:22.04.202405140',
      name: '0001-com-ubuntu-server-jammy/22_04-lts-gen2/22.04.202405140',
      os: 'Ubuntu 22.04',
      arch: 'x86_64',
      sshUser: 'ubuntu',
    });
    expect(replay.sent[0]?.url.pathname).toMatch(/publishers\/Canonical\/artifacttypes\/vmimage\/offers\/0001-com-ubuntu-server-jammy\/skus\/22_04-lts-gen2\/versions$/);
    expect((await driver.catalog.resolveImage('debian-12')).sshUser).toBe('azureuser'); // Azure refuses "admin"
    await expect(driver.catalog.resolveImage('centos-7')).rejects.toThrow(UsageError);
    expect(compareVersions('0.20240528.1764', '0.20240429.1733')).toBeGreaterThan(0);
  });
});

describe('errors', () => {
  it('retries 429 honouring Retry-After, then succeeds', async () => {
    const ok = { file: '_subscriptions_99999999_providers_Microsoft_Compute_locations_eastus_vmSizes.json' };
    const { driver, replay } = replayDriver([['GET', /vmsizes$/, [armError(429, 'TooManyRequests', { 'retry-after-ms': '20' }), armError(503, 'ServiceUnavailable'), ok]]]);
    await driver.ping();
    expect(replay.sent).toHaveLength(3);
  });

  it('retries a throttle past maxAttempts until the throttling deadline, then is a throttled, retryable ProviderError', async () => {
    const { driver, replay } = replayDriver([['GET', /vmsizes$/, armError(429, 'SubscriptionRequestsThrottled', { 'retry-after-ms': '5' })]], { maxAttempts: 2 });
    await expect(driver.ping()).rejects.toMatchObject({ code: 'SubscriptionRequestsThrottled', errorClass: 'throttled', retryable: true, httpStatus: 429 });
    expect(replay.sent.length).toBeGreaterThan(2);
  });

  it('classifies each code (with the status it came with) as the table says', () => {
    expectCodeClasses(classifyAzureCode, {
      capacity: [['SkuNotAvailable', 409], 'AllocationFailed', 'ZonalAllocationFailed'],
      quota: [['QuotaExceeded', 409]],
      'not-found': [['ResourceNotFound', 404], ['ResourceGroupNotFound', 404]],
      auth: [['AuthorizationFailed', 403], ['InvalidAuthenticationToken', 401]],
      conflict: [['NicInUse', 400]],
      invalid: [['InvalidParameter', 400]],
      unavailable: [['InternalServerError', 500]],
      throttled: [['TooManyRequests', 429]],
    });
  });

  it('OperationNotAllowed is quota only when ARM says it is about quota', () => {
    expect(classifyAzureCode('OperationNotAllowed', 409, 'Operation could not be completed as it results in exceeding approved Total Regional Cores quota.')).toBe('quota');
    expect(classifyAzureCode('OperationNotAllowed', 409, "Operation 'start' is not allowed since the VM is marked for deletion.")).toBe('conflict');
  });
});
