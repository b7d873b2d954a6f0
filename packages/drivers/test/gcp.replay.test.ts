/**
 * The GCP driver against real GCE response samples (Apache Libcloud's fixtures, copied into
 * test/fixtures/gce with their LICENSE and NOTICE), fed through the real SDK by a replaying fetch.
 * A few shapes Libcloud has no sample of are written inline, marked as such.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ProviderError, UsageError } from '@cloud-barista/core';
import { classifyGcpCode, GCE_STATUS_TO_STATUS, toVmStatus } from '../src/gcp/index.js';
import { labelFilter, tagsInDescription, describeWithTags } from '../src/gcp/labels.js';
import { gceName, instanceName, requestIdFor } from '../src/gcp/names.js';
import { gceError, gceFixture, replayDriver, type Reply } from './gcp-replay.js';
import { expectStateMap } from './state-map.js';
import { expectCodeClasses } from './code-classes.js';

const NET = {
  networkId: 'global/networks/cb-net',
  subnetId: 'regions/us-central1/subnetworks/cb-net-subnet',
  securityGroupId: 'global/firewalls/cb-net-allow-ssh',
  zone: 'us-central1-a',
  extra: { region: 'us-central1' },
};
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHdcKaaGHzHFLIA5A5hXDfA5RFFuEi3qnOY2HUe0vNUQ cb';

/** A sample instance with its status replaced. */
function instanceIn(status: string): Reply {
  return { json: { ...gceFixture('zones_us-central1-a_instances_node-name.json'), status } };
}

/** Every instance status that appears in the copied samples. */
function statusesInSamples(): Set<string> {
  const dir = new URL('./fixtures/gce/', import.meta.url);
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.kind === 'compute#instance' && typeof o.status === 'string') out.add(o.status);
      Object.values(o).forEach(walk);
    }
  };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) walk(JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
  return out;
}

// Written out by hand from GCE's documented instance lifecycle, not read from the map under test.
const GCE_BY_STATUS: Record<string, string[]> = {
  Creating: ['PROVISIONING', 'STAGING'],
  Running: ['RUNNING'],
  Suspending: ['STOPPING', 'SUSPENDING'],
  Suspended: ['SUSPENDED', 'TERMINATED'],
  Undefined: ['REPAIRING'],
};

describe('state map', () => {
  it('maps GCE statuses to common ones; TERMINATED is stopped, not gone', () => {
    expectStateMap(GCE_STATUS_TO_STATUS, GCE_BY_STATUS);
    expect(toVmStatus('DELETED')).toBe('Undefined');
    expect(toVmStatus(undefined)).toBe('Undefined');
  });

  it('covers every status found in the samples', () => {
    const seen = statusesInSamples();
    expect([...seen].sort()).toEqual(['RUNNING', 'SUSPENDED', 'TERMINATED']);
    for (const s of seen) expect(toVmStatus(s)).not.toBe('Undefined');
  });

  it.each([...Object.entries(GCE_STATUS_TO_STATUS), ['SOMETHING_NEW', 'Undefined']])('parses %s through the SDK as %s', async (native, status) => {
    const { driver } = replayDriver({ 'GET zones/us-central1-a/instances/node-name': instanceIn(native) });
    const [vm] = await driver.vms.describe(['us-central1-a/node-name']);
    expect([vm?.nativeState, vm?.status]).toEqual([native, status]);
  });
});

describe('instances', () => {
  it('parses an instance sample: id, status, natIP, networkIP, machine type, zone, launch time', async () => {
    const { driver, replay } = replayDriver({ 'GET zones/us-central1-a/instances/node-name': { file: 'zones_us-central1-a_instances_node-name.json' } });
    expect(await driver.vms.describe(['us-central1-a/node-name', 'us-central1-a/node-name'])).toEqual([
      {
        providerId: 'us-central1-a/node-name',
        status: 'Running',
        nativeState: 'RUNNING',
        publicIp: '23.236.58.15',
        privateIp: '10.240.72.75',
        spec: 'n1-standard-1',
        zone: 'us-central1-a',
        tags: {},
        launchedAt: '2013-12-13T18:45:23.351Z',
      },
    ]);
    // One call for the deduplicated id; the bearer token came from the (replayed) token server.
    expect(replay.callsTo('GET zones/us-central1-a/instances/node-name')).toHaveLength(1);
    expect(replay.calls.some((c) => c.url.href === 'https://oauth2.googleapis.com/token')).toBe(true);
    expect(replay.callsTo('GET zones/us-central1-a/instances/node-name')[0]?.headers.get('authorization')).toBe('Bearer ya29.replayed');
    expect(replay.callsTo('GET zones/us-central1-a/instances/node-name')[0]?.url.origin).toBe('https://compute.googleapis.com');
  });

  it('reads a stopped (TERMINATED) sample as Suspended; unknown ids are left out', async () => {
    const { driver } = replayDriver({
      'GET zones/us-central1-a/instances/stopped-node': { file: 'zones_us_central1_a_instances_stopped_node.json' },
      'GET zones/us-central1-a/instances/gone': gceError(404, 'notFound'),
    });
    const vms = await driver.vms.describe(['us-central1-a/stopped-node', 'us-central1-a/gone', 'i-0123456789']);
    expect(vms.map((v) => [v.providerId, v.status, v.nativeState])).toEqual([['us-central1-a/stopped-node', 'Suspended', 'TERMINATED']]);
  });

  it('lists a zone once when many ids are asked for', async () => {
    const { driver, replay } = replayDriver({ 'GET zones/us-central1-a/instances': { file: 'zones_us-central1-a_instances.json' } });
    const ids = ['node-name', ...Array.from({ length: 9 }, (_, i) => `other-${i}`)].map((n) => `us-central1-a/${n}`);
    expect((await driver.vms.describe(ids)).map((v) => v.providerId)).toEqual(['us-central1-a/node-name']);
    expect(replay.callsTo('GET zones/us-central1-a/instances')).toHaveLength(1);
  });

  it('finds by labels through aggregatedList: every zone’s instances, a label filter on the wire', async () => {
    const { driver, replay } = replayDriver({ 'GET aggregated/instances': { file: 'aggregated_instances.json' } });
    const vms = await driver.vms.findByTags({ 'cb-ns': 'default', 'cb-managed': 'true' });
    expect(vms.map((v) => [v.providerId, v.status])).toEqual([
      ['europe-west1-a/libcloud-demo-europe-multiple-nodes-000', 'Running'],
      ['europe-west1-a/libcloud-demo-europe-persist-node', 'Running'],
      ['europe-west1-a/libcloud-demo-europe-np-node', 'Running'],
      ['us-central1-a/node-name', 'Running'],
      ['us-central2-a/libcloud-demo-persist-node', 'Running'],
      ['us-central2-a/libcloud-demo-np-node', 'Running'],
      ['us-central2-a/libcloud-demo-multiple-nodes-000', 'Running'],
      ['us-central2-a/libcloud-demo-multiple-nodes-001', 'Suspended'],
    ]);
    const sent = replay.callsTo('GET aggregated/instances')[0]?.url.searchParams;
    expect(sent?.get('filter')).toBe('(labels.cb-ns = "default") (labels.cb-managed = "true")');
    expect(sent?.get('maxResults')).toBe('500');
  });

  it('creates: insert with a request id, waits for the zone operation, no read-back', async () => {
    const { driver, replay } = replayDriver({
      'POST zones/us-central1-a/instances': { file: 'zones_us-central1-a_instances_post.json' },
      'POST zones/us-central1-a/operations/operation-zones_us-central1-a_instances_post/wait': { file: 'operations_operation_zones_us-central1-a_instances_post.json' },
    });
    const vm = await driver.vms.create({
      name: 'web-1',
      spec: 'e2-small',
      imageId: 'projects/debian-cloud/global/images/debian-12-bookworm-v20240312',
      rootDiskGb: 30,
      network: NET,
      keyName: 'k',
      publicKey: `${PUBLIC_KEY}\n`,
      sshUser: 'admin',
      clientToken: '2b1f0c58-3a4e-4c2d-9f51-0e7d6a8b9c10',
      tags: { 'cb-managed': 'true', 'cb-ns': 'default', 'cb-mcis': 'web', 'cb-vm': 'web-1' },
    });
    // The operation done, the instance exists: its addresses come with the next describe.
    const name = instanceName('web-1', '2b1f0c58-3a4e-4c2d-9f51-0e7d6a8b9c10');
    expect(vm).toEqual({ providerId: `us-central1-a/${name}`, status: 'Creating', nativeState: 'PROVISIONING', spec: 'e2-small', zone: 'us-central1-a', tags: { 'cb-managed': 'true', 'cb-ns': 'default', 'cb-mcis': 'web', 'cb-vm': 'web-1' } });
    expect(replay.callsTo('GET zones/us-central1-a/instances/web-1-[0-9a-f]{8}')).toEqual([]);
    const insert = replay.callsTo('POST zones/us-central1-a/instances')[0]!;
    expect(insert.url.searchParams.get('requestId')).toBe(requestIdFor('2b1f0c58-3a4e-4c2d-9f51-0e7d6a8b9c10'));
    const body = JSON.parse(insert.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      name: instanceName('web-1', '2b1f0c58-3a4e-4c2d-9f51-0e7d6a8b9c10'),
      machineType: 'zones/us-central1-a/machineTypes/e2-small',
      disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/debian-12-bookworm-v20240312', diskSizeGb: '30' } }],
      networkInterfaces: [{ subnetwork: 'projects/project_name/regions/us-central1/subnetworks/cb-net-subnet', accessConfigs: [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT' }] }],
      metadata: { items: [{ key: 'ssh-keys', value: `admin:${PUBLIC_KEY}` }] },
      labels: { 'cb-managed': 'true', 'cb-ns': 'default', 'cb-mcis': 'web', 'cb-vm': 'web-1' },
    });
  });

  it('an operation that ends in ZONE_RESOURCE_POOL_EXHAUSTED is a capacity error (inline: Libcloud has no sample)', async () => {
    const failed = {
      ...gceFixture('operations_operation_zones_us-central1-a_instances_post.json'),
      error: { errors: [{ code: 'ZONE_RESOURCE_POOL_EXHAUSTED', message: "The zone 'projects/project_name/zones/us-central1-a' does not have enough resources available to fulfill the request." }] },
      httpErrorStatusCode: 503,
      httpErrorMessage: 'SERVICE UNAVAILABLE',
    };
    const { driver } = replayDriver({
      'POST zones/us-central1-a/instances': { file: 'zones_us-central1-a_instances_post.json' },
      'POST zones/us-central1-a/operations/.*/wait': { json: failed },
    });
    const err = await driver.vms
      .create({ name: 'web-1', spec: 'e2-small', imageId: 'x', network: NET, keyName: 'k', publicKey: PUBLIC_KEY, sshUser: 'ubuntu', clientToken: 't', tags: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ provider: 'gcp', code: 'ZONE_RESOURCE_POOL_EXHAUSTED', errorClass: 'capacity', retryable: true, httpStatus: 503 });
  });

  it.each([
    ['suspend', 'POST zones/us-central1-a/instances/node-name/stop', 'zones_us_central1_a_instances_node_name_stop.json', 'zones_us_central1_a_operations_operation_stopnode.json'],
    ['resume', 'POST zones/us-central1-a/instances/node-name/start', 'zones_us_central1_a_instances_stopped_node_start.json', 'zones_us_central1_a_operations_operation_startnode.json'],
    ['reboot', 'POST zones/us-central1-a/instances/node-name/reset', 'zones_us-central1-a_instances_node-name_reset_post.json', 'operations_operation_zones_us-central1-a_instances_node-name_reset_post.json'],
    ['terminate', 'DELETE zones/us-central1-a/instances/node-name', 'zones_us-central1-a_instances_node-name_delete.json', 'operations_operation_zones_us-central1-a_instances_node-name_delete.json'],
  ] as const)('%s calls %s and waits for its operation', async (action, route, posted, done) => {
    const op = gceFixture(posted);
    const { driver, replay } = replayDriver({
      [route]: { file: posted },
      'POST zones/us-central1-a/operations/[^/]+/wait': { file: done },
    });
    await driver.vms[action](['us-central1-a/node-name']);
    expect(replay.callsTo(route)).toHaveLength(1);
    // A sample already DONE needs no wait.
    expect(replay.callsTo('POST zones/us-central1-a/operations/[^/]+/wait')).toHaveLength(op.status === 'DONE' ? 0 : 1);
  });

  it('terminating what is already gone is done', async () => {
    const { driver } = replayDriver({ 'DELETE zones/us-central1-a/instances/node-name': gceError(404, 'notFound') });
    await driver.vms.terminate(['us-central1-a/node-name']);
  });
});

describe('catalog', () => {
  it('lists regions with their zones', async () => {
    const { driver } = replayDriver({ 'GET regions': { file: 'regions.json' } });
    const regions = await driver.catalog.listRegions();
    expect(regions.map((r) => r.name)).toEqual(['europe-west1', 'us-central1', 'us-central2']);
    expect(regions.find((r) => r.name === 'us-central1')?.zones).toEqual(['us-central1-a', 'us-central1-b']);
    expect(regions.find((r) => r.name === 'europe-west1')?.zones).toEqual(['europe-west1-a', 'europe-west1-b']);
  });

  it('lists the zone’s machine types with vCPU and memory', async () => {
    const { driver, replay } = replayDriver({ 'GET zones/us-central1-a/machineTypes': { file: 'zones_us-central1-a_machineTypes.json' } });
    const specs = await driver.catalog.listSpecs();
    expect(specs.find((s) => s.name === 'f1-micro')).toEqual({ name: 'f1-micro', vcpu: 1, memoryGiB: 0.599609375, arch: 'x86_64' });
    expect(specs.find((s) => s.name === 'n1-standard-1')).toMatchObject({ vcpu: 1, memoryGiB: 3.75 });
    // The sample's GPU type carries `accelerators`; the others have no such field and no gpu.
    expect(specs.find((s) => s.name === 'a2-highgpu-1g')).toEqual({ name: 'a2-highgpu-1g', vcpu: 12, memoryGiB: 85, arch: 'x86_64', gpu: { model: 'NVIDIA V100', count: 1 } });
    expect(specs.filter((s) => s.gpu).map((s) => s.name)).toEqual(['a2-highgpu-1g']);
    expect(replay.callsTo('GET zones/us-central1-a/machineTypes')).toHaveLength(1);
  });

  it('resolves aliases through image families, to a specific image', async () => {
    const debian = (gceFixture('projects_debian-cloud_global_images.json').items as unknown[]).at(-1);
    const { driver, replay } = replayDriver({ 'GET global/images/family/debian-12': { json: debian } });
    const img = await driver.catalog.resolveImage('debian-12');
    expect(img).toMatchObject({ id: 'projects/debian-cloud/global/images/debian-7-wheezy-v20131120', os: 'Debian 12', sshUser: 'admin', arch: 'x86_64' });
    expect(replay.calls.find((c) => c.path.endsWith('family/debian-12'))?.url.pathname).toBe('/compute/v1/projects/debian-cloud/global/images/family/debian-12');
  });

  it('an alias whose family is empty, or an unknown image, is a UsageError', async () => {
    const { driver } = replayDriver({ 'GET global/images/family/.*': { status: 404, file: 'global_images_family_notfound.json' }, 'GET global/images/.*': gceError(404, 'notFound') });
    await expect(driver.catalog.resolveImage('ubuntu-24.04')).rejects.toThrow(UsageError);
    await expect(driver.catalog.resolveImage('projects/debian-cloud/global/images/nope')).rejects.toThrow(UsageError);
    await expect(driver.catalog.resolveImage('Not An Image!')).rejects.toThrow(UsageError);
  });
});

describe('network', () => {
  it('creates network, subnetwork and SSH firewall when missing, waiting on global and region operations', async () => {
    const { driver, replay } = replayDriver({
      'GET global/networks/cb-default-x': gceError(404, 'notFound'),
      'POST global/networks': { file: 'global_networks_post.json' },
      'POST global/operations/operation-global_networks_post/wait': { file: 'operations_operation_global_networks_post.json' },
      'GET regions/us-central1/subnetworks/cb-default-x-subnet': gceError(404, 'notFound'),
      'POST regions/us-central1/subnetworks': { file: 'regions_us-central1_subnetworks_post.json' },
      'POST regions/us-central1/operations/.*/wait': { file: 'operations_operation_regions_us-central1_subnetworks_post.json' },
      'GET global/firewalls/cb-default-x-allow-ssh': gceError(404, 'notFound'),
      'POST global/firewalls': { file: 'global_firewalls_post.json' },
      'POST global/operations/operation-global_firewalls_post/wait': { file: 'operations_operation_global_firewalls_post.json' },
    });
    const net = await driver.network.ensureDefault({ name: 'cb-default-x', tags: { 'cb-managed': 'true', 'cb-connection': 'x' } });
    expect(net).toEqual({
      networkId: 'global/networks/cb-default-x',
      subnetId: 'regions/us-central1/subnetworks/cb-default-x-subnet',
      securityGroupId: 'global/firewalls/cb-default-x-allow-ssh',
      zone: 'us-central1-a',
      extra: { region: 'us-central1' },
    });
    const netBody = JSON.parse(replay.callsTo('POST global/networks')[0]!.body) as Record<string, unknown>;
    expect(netBody).toMatchObject({ name: 'cb-default-x', autoCreateSubnetworks: false, routingConfig: { routingMode: 'REGIONAL' } });
    expect(tagsInDescription(netBody.description as string)).toEqual({ 'cb-managed': 'true', 'cb-connection': 'x' });
    expect(JSON.parse(replay.callsTo('POST regions/us-central1/subnetworks')[0]!.body)).toMatchObject({ network: 'projects/project_name/global/networks/cb-default-x', ipCidrRange: '10.0.1.0/24' });
    expect(JSON.parse(replay.callsTo('POST global/firewalls')[0]!.body)).toMatchObject({
      network: 'projects/project_name/global/networks/cb-default-x',
      direction: 'INGRESS',
      allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
      sourceRanges: ['0.0.0.0/0'],
    });
  });

  it('adopts what exists without creating anything', async () => {
    const { driver, replay } = replayDriver({
      'GET global/networks/.*': { file: 'global_networks_custom_network.json' },
      'GET regions/us-central1/subnetworks/.*': { file: 'regions_us-central1_subnetworks_subnet_1.json' },
      'GET global/firewalls/.*': { file: 'global_firewalls_lcfirewall.json' },
    });
    await driver.network.ensureDefault({ name: 'cb-default-x', tags: {} });
    expect(replay.calls.filter((c) => c.method === 'POST' && c.url.pathname !== '/token')).toEqual([]);
  });

  it('deletes firewall, subnetwork, network in that order, retrying while the subnetwork is in use', async () => {
    const { driver, replay } = replayDriver(
      {
        // The network's cluster port rules go first; this project's firewalls are all on other networks.
        'GET global/firewalls': { file: 'global_firewalls.json' },
        'DELETE global/firewalls/cb-default-x-allow-ssh': { file: 'global_firewalls_lcfirewall_delete.json' },
        'POST global/operations/operation-global_firewalls_lcfirewall_delete/wait': { file: 'operations_operation_global_firewalls_lcfirewall_delete.json' },
        'DELETE regions/us-central1/subnetworks/cb-default-x-subnet': [gceError(400, 'resourceInUseByAnotherResource'), { file: 'regions_us-central1_subnetworks_post.json' }],
        'POST regions/us-central1/operations/.*/wait': { file: 'operations_operation_regions_us-central1_subnetworks_post.json' },
        'DELETE global/networks/cb-default-x': gceError(404, 'notFound'),
      },
      { internals: { tuning: { dependencyWaitMs: 5_000 } } },
    );
    await driver.network.deleteDefault({
      networkId: 'global/networks/cb-default-x',
      subnetId: 'regions/us-central1/subnetworks/cb-default-x-subnet',
      securityGroupId: 'global/firewalls/cb-default-x-allow-ssh',
      extra: {},
    });
    expect(replay.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      'global/firewalls/cb-default-x-allow-ssh',
      'regions/us-central1/subnetworks/cb-default-x-subnet',
      'regions/us-central1/subnetworks/cb-default-x-subnet',
      'global/networks/cb-default-x',
    ]);
  });
});

describe('errors and retries', () => {
  it('classifies each code (with the status it came with) as the table says', () => {
    expectCodeClasses(classifyGcpCode, {
      throttled: [['rateLimitExceeded', 429], ['userRateLimitExceeded', 403]],
      capacity: ['ZONE_RESOURCE_POOL_EXHAUSTED'],
      quota: ['QUOTA_EXCEEDED', ['quotaExceeded', 403]],
      'not-found': [['notFound', 404]],
      conflict: [['alreadyExists', 409], ['resourceInUseByAnotherResource', 400]],
      auth: [['forbidden', 403], ['required', 401], ['invalid_grant', 400]],
      invalid: [['invalid', 400]],
      unavailable: [['backendError', 503], 'ECONNREFUSED', ['somethingNew', 500]],
      other: ['somethingNew'],
    });
  });

  it('retries 429 and 503 (inline: Libcloud has no sample), then succeeds', async () => {
    const { driver, replay } = replayDriver({
      'GET zones/us-central1-a/instances/node-name': [
        { ...gceError(429, 'rateLimitExceeded', 'Rate Limit Exceeded'), headers: { 'retry-after': '0' } },
        gceError(503, 'backendError', 'Backend Error'),
        { file: 'zones_us-central1-a_instances_node-name.json' },
      ],
    });
    expect(await driver.vms.describe(['us-central1-a/node-name'])).toHaveLength(1);
    expect(replay.callsTo('GET zones/us-central1-a/instances/node-name')).toHaveLength(3);
  });

  it('does not retry a 400, and keeps the reason as the code', async () => {
    const { driver, replay } = replayDriver({ 'POST zones/us-central1-a/instances/node-name/reset': gceError(400, 'resourceNotReady', "The resource 'node-name' is not ready") });
    const err = await driver.vms.reboot(['us-central1-a/node-name']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'resourceNotReady', errorClass: 'conflict', httpStatus: 400, message: expect.stringContaining('is not ready') as unknown });
    expect(replay.calls.filter((c) => c.method === 'POST' && c.path.endsWith('reset'))).toHaveLength(1);
    expect(inspect(err)).not.toContain('PRIVATE KEY');
  });
});

describe('names and labels', () => {
  it('derives valid, distinct GCE names', () => {
    expect(instanceName('web-1', 'tok')).toMatch(/^web-1-[0-9a-f]{8}$/);
    expect(instanceName('web-1', 'tok')).toBe(instanceName('web-1', 'tok'));
    expect(instanceName('web-1', 'tok')).not.toBe(instanceName('web-1', 'tok2'));
    expect(instanceName('1st', 'tok')).toMatch(/^cb-1st-/);
    const long = gceName('cb-default-'.padEnd(80, 'x'), '-allow-ssh');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(long).not.toBe(gceName('cb-default-'.padEnd(81, 'x'), '-allow-ssh'));
    expect(requestIdFor('x')).toBe(requestIdFor('x'));
  });

  it('writes tags as a label filter and into descriptions, and reads them back', () => {
    expect(labelFilter({ 'cb-ns': 'prod', 'CB Weird': 'Value!' })).toBe('(labels.cb-ns = "prod") (labels.cb_weird = "value_")');
    const d = describeWithTags('Cloud-Barista default network', { 'cb-managed': 'true', 'cb-connection': 'gcp-seoul' });
    expect(tagsInDescription(d)).toEqual({ 'cb-managed': 'true', 'cb-connection': 'gcp-seoul' });
  });
});
