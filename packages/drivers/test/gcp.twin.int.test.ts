/**
 * The GCP driver on Cloud-Twin beyond the contract: retries that honour Retry-After, faults as the
 * right ProviderError class, credentials and secrets, what goes on the wire, and the official SDK
 * pointed at the twin seeing the driver's VMs with the right fields.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, ProviderError, UsageError, type Acceptance, type CloudDriver, type CredentialMaterial, type DefaultNetwork, type Connection, type VmInfo } from '@cloud-barista/core';
import type { protos } from '@google-cloud/compute';
import { FirewallsClient, InstancesClient, ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/index.js';
import { firewallName, isClusterFirewall } from '../src/gcp/firewall.js';
import { buildGcpDriver, type GcpDriverInternals } from '../src/gcp/index.js';
import { instanceName, requestIdFor } from '../src/gcp/names.js';
import { bootTwin, credentialFor, gcpConnection, PROJECT, sdkOptions, twinKey, ZONE, type Twin } from './gcp-twin.js';
import { recordingProxy, type RecordingProxy } from './proxy.js';
import { spanMs, waitsAfterThrottle } from './throttle.js';
import { CLUSTER_RULES, NODE_A, NODE_B } from './cluster-ports.js';
import { freePort } from '../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();
const TAGS = { 'cb-managed': 'true', 'cb-ns': 'gcp-int', 'cb-connection': 'twin-gcp' };

describe('gcp driver on Cloud-Twin: retries, errors, credentials, wire, SDK view', () => {
  let t: Awaited<ReturnType<typeof bootTwin>>;
  let twin: Twin;
  let key: { json: string; privateKey: string };
  let cred: CredentialMaterial;
  let net: DefaultNetwork;
  const drivers: CloudDriver[] = [];

  const driverFor = (over: Partial<Connection> = {}, opts: { maxAttempts?: number; throttleWaitMs?: number; credentials?: CredentialMaterial; internals?: GcpDriverInternals } = {}) => {
    const d = buildGcpDriver(
      {
        connection: gcpConnection(twin, over),
        credentials: opts.credentials ?? cred,
        ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
        ...(opts.throttleWaitMs ? { throttleWaitMs: opts.throttleWaitMs } : {}),
      },
      { retry: { minDelayMs: 10, maxDelayMs: 50 }, ...opts.internals },
    );
    drivers.push(d);
    return d;
  };
  const calls = (method: string) => t.requests.filter((r) => r.action === method);

  beforeAll(async () => {
    t = await bootTwin(SSH_PORT, { bootDelayMs: 100, stopDelayMs: 50 });
    twin = t.twin;
    key = twinKey(twin);
    cred = credentialFor(key.json);
    net = await driverFor().network.ensureDefault({ name: 'cb-gcp-int', tags: TAGS });
  });

  afterAll(async () => {
    for (const d of drivers) d.close();
    await t?.close();
  });

  describe('retries and faults', () => {
    it('retries 429 rateLimitExceeded, waiting at least the Retry-After the twin sends', async () => {
      twin.faults.set(['gcp:instances.aggregatedList:rateLimitExceeded:1#2']);
      t.requests.length = 0;
      expect(await driverFor().vms.findByTags({ 'cb-ns': 'nobody' })).toEqual([]);
      const seen = calls('instances.aggregatedList');
      expect(seen.map((r) => r.code ?? 'ok')).toEqual(['rateLimitExceeded', 'rateLimitExceeded', 'ok']);
      // Backoff here is 10-50 ms; the gaps are the server's Retry-After: 1 (second).
      const at = seen.map((r) => Date.parse(r.time));
      expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(950);
      expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(950);
    });

    it('a permanent throttle is retried past maxAttempts until the throttling deadline, then is a retryable throttled ProviderError', async () => {
      twin.faults.set(['gcp:regions.get:rateLimitExceeded:1']);
      try {
        t.requests.length = 0;
        const err = await driverFor({}, { maxAttempts: 2, throttleWaitMs: 2_500 }).ping().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProviderError);
        expect(err).toMatchObject({ provider: 'gcp', code: 'rateLimitExceeded', errorClass: 'throttled', retryable: true, httpStatus: 429 });
        // Retry-After: 1 s between tries; a try is made only while the deadline leaves room to wait.
        const seen = calls('regions.get');
        expect(seen.length).toBe(3);
        expect(waitsAfterThrottle(seen, (r) => r.status === 429).every((ms) => ms >= 990)).toBe(true);
        expect(spanMs(seen)).toBeLessThanOrEqual(2_500);
      } finally {
        twin.faults.set([]);
      }
    });

    it('a quarter of every call throttled: create, describe and suspend complete, each retry after the Retry-After', async () => {
      // One attempt for transient failures: throttling is retried by time, not by attempt count.
      const driver = driverFor({}, { maxAttempts: 1 });
      // Surely the first launch, then a quarter of all calls: each throttle costs a whole second of Retry-After.
      twin.faults.set(['gcp:instances.insert:rateLimitExceeded:1#1', 'gcp:*:rateLimitExceeded:0.25']);
      try {
        t.requests.length = 0;
        const vm = await driver.vms.create(vmRequest('thr-1', 'tok-throttle'));
        const running = await poll(
          () => driver.vms.describe([vm.providerId]),
          (v): Acceptance<VmInfo> => (v[0]?.status === 'Running' ? { state: 'success', value: v[0] } : { state: 'retry' }),
          { maxWaitMs: 60_000, minDelayMs: 50, maxDelayMs: 300, what: 'running' },
        );
        expect(running.providerId).toBe(vm.providerId);
        await driver.vms.suspend([vm.providerId]);
        await poll(
          () => driver.vms.describe([vm.providerId]),
          (v): Acceptance<true> => (v[0]?.status === 'Suspended' ? { state: 'success', value: true } : { state: 'retry' }),
          { maxWaitMs: 60_000, minDelayMs: 50, maxDelayMs: 300, what: 'suspended' },
        );
        const throttled = (r: { status: number }) => r.status === 429;
        expect(t.requests.filter(throttled).length).toBeGreaterThan(0);
        expect(waitsAfterThrottle(t.requests, throttled).every((ms) => ms >= 990)).toBe(true);
        expect(calls('instances.insert').filter((r) => r.status === 200)).toHaveLength(1);
      } finally {
        twin.faults.set([]);
      }
      await driver.vms.terminate([`${ZONE}/${instanceName('thr-1', 'tok-throttle')}`]);
    });

    const vmRequest = (name: string, clientToken: string) => ({
      name,
      spec: 'e2-micro',
      imageId: 'projects/ubuntu-os-cloud/global/images/ubuntu-2204-jammy-v20240319',
      network: net,
      keyName: 'k',
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHdcKaaGHzHFLIA5A5hXDfA5RFFuEi3qnOY2HUe0vNUQ test',
      sshUser: 'ubuntu',
      clientToken,
      tags: { ...TAGS, 'cb-vm': name },
    });

    it('launches a GPU machine type with host maintenance set to terminate (GCE refuses live migration for GPUs)', async () => {
      const driver = driverFor();
      t.requests.length = 0;
      const vm = await driver.vms.create({ ...vmRequest('gpu-1', 'tok-gpu'), spec: 'g2-standard-4' });
      expect(calls('instances.insert').map((r) => r.code ?? 'ok')).toEqual(['ok']);
      await driver.vms.terminate([vm.providerId]);
    });

    it.each([
      ['ZONE_RESOURCE_POOL_EXHAUSTED', 'capacity', true, 503],
      ['QUOTA_EXCEEDED', 'quota', false, 403],
    ])('an insert operation failing with %s is a %s ProviderError, and nothing is left', async (code, errorClass, retryable, httpStatus) => {
      twin.faults.set([`gcp:instances.insert:${code}:1@${ZONE}#1`]);
      const driver = driverFor();
      const err = await driver.vms.create(vmRequest('full-1', `tok-${code}`)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ code, errorClass, retryable, httpStatus });
      expect((err as ProviderError).hint).toBeTruthy();
      expect(await driver.vms.findByTags({ 'cb-vm': 'full-1' })).toEqual([]);
    });

    it('adopts an instance of its name made by an earlier run whose request id GCE has forgotten (409 alreadyExists)', async () => {
      const driver = driverFor();
      const name = instanceName('adopt-1', 'tok-adopt');
      const sdk = new InstancesClient({ ...sdkOptions(twin, key.json) });
      try {
        await sdk.insert({
          project: PROJECT,
          zone: ZONE,
          instanceResource: {
            name,
            machineType: `zones/${ZONE}/machineTypes/e2-micro`,
            disks: [{ boot: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12' } }],
            networkInterfaces: [{ subnetwork: `projects/${PROJECT}/${net.subnetId}` }],
          },
        });
      } finally {
        await sdk.close();
      }
      t.requests.length = 0;
      const vm = await driver.vms.create(vmRequest('adopt-1', 'tok-adopt'));
      expect(vm.providerId).toBe(`${ZONE}/${name}`);
      expect(calls('instances.insert').map((r) => r.code)).toEqual(['alreadyExists']);
      await driver.vms.terminate([vm.providerId]);
    });

    it('a region outage is unavailable after retries', async () => {
      twin.faults.setOutage('asia-northeast3', true);
      try {
        const err = await driverFor({}, { maxAttempts: 2 }).vms.describe([`${ZONE}/x`]).catch((e: unknown) => e);
        expect(err).toMatchObject({ errorClass: 'unavailable', retryable: true, httpStatus: 503 });
      } finally {
        twin.faults.setOutage('asia-northeast3', false);
      }
    });

    it('unknown VMs are left out of describe, deleting them is done, unknown images are a UsageError', async () => {
      const driver = driverFor();
      expect(await driver.vms.describe([`${ZONE}/nope`, 'not-an-id'])).toEqual([]);
      await driver.vms.terminate([`${ZONE}/nope`]);
      await expect(driver.catalog.resolveImage('projects/debian-cloud/global/images/family/debian-99')).rejects.toThrow(UsageError);
      await expect(driver.vms.reboot([`${ZONE}/nope`])).rejects.toMatchObject({ errorClass: 'not-found' });
    });
  });

  describe('credentials', () => {
    it('refuses a key that is not a service-account key, naming the fix', () => {
      expect(() => driverFor({}, { credentials: { kind: 'gcp-service-account', keyJson: '{"type":"service_account"}' } })).toThrow(/no client_email or private_key/);
      expect(() => driverFor({}, { credentials: { kind: 'gcp-service-account', keyJson: JSON.stringify({ client_email: 'a@b', private_key: 'nope' }) } })).toThrow(UsageError);
      expect(() => driverFor({}, { credentials: { kind: 'aws-keys', accessKeyId: 'A', secretAccessKey: 'S' } })).toThrow(/not for GCP/);
    });

    it('without a project in the connection or the key, ping says where to set one', async () => {
      const noProject = JSON.stringify({ ...(JSON.parse(key.json) as object), project_id: undefined });
      const err = await driverFor({}, { credentials: credentialFor(noProject) }).ping().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).hint).toMatch(/--project/);
    });

    it('a token server refusing the key is an auth error, and the private key never shows', async () => {
      const badTokenUri = JSON.stringify({ ...(JSON.parse(key.json) as object), token_uri: `${twin.endpoints.gcp}/compute/v1/no-token-here` });
      const err = await driverFor({}, { credentials: credentialFor(badTokenUri), maxAttempts: 1 }).ping().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ errorClass: 'auth', retryable: false, httpStatus: 401 });
      const pem = key.privateKey.split('\n')[1] ?? 'x';
      expect(inspect(err, { depth: 8 })).not.toContain(pem);
      expect(JSON.stringify(err)).not.toContain(pem);
    });

    it('Application Default Credentials: a key file named by GOOGLE_APPLICATION_CREDENTIALS works (its token_uri too); none is an auth error with the fix', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cb-gcp-adc-'));
      const before = process.env.GOOGLE_APPLICATION_CREDENTIALS;
      try {
        writeFileSync(join(dir, 'key.json'), key.json, { mode: 0o600 });
        process.env.GOOGLE_APPLICATION_CREDENTIALS = join(dir, 'key.json');
        const ok = await driverFor({ project: PROJECT }, { credentials: { kind: 'default-chain' } }).ping();
        expect(ok.region).toBe('asia-northeast3');
        // A missing file fails before any network call (no metadata-server probing).
        process.env.GOOGLE_APPLICATION_CREDENTIALS = join(dir, 'missing.json');
        const err = await driverFor({ project: PROJECT }, { credentials: { kind: 'default-chain' } }).ping().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProviderError);
        expect(err).toMatchObject({ code: 'CredentialsError', errorClass: 'auth', retryable: false });
        expect((err as ProviderError).hint).toMatch(/gcloud auth application-default login/);
      } finally {
        if (before === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
        else process.env.GOOGLE_APPLICATION_CREDENTIALS = before;
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the connection project wins over the key’s', async () => {
      const p = await driverFor({ project: 'another-project' }).ping();
      expect(p.account).toContain('(another-project)');
    });
  });

  describe('on the wire', () => {
    let proxy: RecordingProxy;
    beforeAll(async () => {
      proxy = await recordingProxy(twin.endpoints.gcp);
    });
    afterAll(() => proxy.close());

    it('uses the REST transport with a bearer token from the key’s token_uri, and a request id on insert', async () => {
      const driver = driverFor({ endpoint: proxy.url });
      const imageId = (await driver.catalog.resolveImage('debian-12')).id;
      t.requests.length = 0;
      const vm = await driver.vms.create({
        name: 'wire-1',
        spec: 'e2-micro',
        imageId,
        network: net,
        keyName: 'k',
        publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHdcKaaGHzHFLIA5A5hXDfA5RFFuEi3qnOY2HUe0vNUQ test',
        sshUser: 'admin',
        clientToken: 'wire-token-1',
        tags: { ...TAGS, 'cb-vm': 'wire-1' },
      });
      expect(vm.providerId).toMatch(new RegExp(`^${ZONE}/wire-1-[0-9a-f]{8}$`));
      // The insert operation done is enough: no instances.get per VM (addresses come with describe).
      expect(vm).toMatchObject({ status: 'Creating', spec: 'e2-micro', zone: ZONE });
      expect(calls('instances.get')).toEqual([]);
      expect(proxy.seen.length).toBeGreaterThan(0);
      for (const s of proxy.seen) {
        expect(s.headers.authorization).toMatch(/^Bearer ya29\./);
        expect(String(s.headers['x-goog-api-client'])).toMatch(/\brest\//);
      }
      const insert = proxy.seen.find((s) => s.body.includes('"sourceImage"'));
      expect(insert).toBeDefined();
      const body = JSON.parse(insert!.body) as { machineType: string; metadata: { items: Array<{ key: string; value: string }> }; labels: Record<string, string> };
      expect(body.machineType).toBe(`zones/${ZONE}/machineTypes/e2-micro`);
      expect(body.metadata.items).toEqual([{ key: 'ssh-keys', value: expect.stringMatching(/^admin:ssh-ed25519 AAAA/) as unknown }]);
      expect(body.labels).toMatchObject({ 'cb-vm': 'wire-1', 'cb-managed': 'true' });
      expect(requestIdFor('wire-token-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ops = t.requests.filter((r) => r.action === 'instances.insert');
      expect(ops.length).toBeGreaterThan(0);
      await driver.vms.terminate([vm.providerId]);
    });
  });

  describe('the official SDK pointed at the twin', () => {
    it('lists the driver’s VMs with GCE’s fields: status, natIP, networkIP, labels, machine type, ssh-keys', async () => {
      const driver = driverFor();
      const image = await driver.catalog.resolveImage('ubuntu-22.04');
      const made = await Promise.all(
        ['sdk-1', 'sdk-2'].map((name) =>
          driver.vms.create({
            name,
            spec: 'e2-small',
            imageId: image.id,
            rootDiskGb: 20,
            network: net,
            keyName: 'k',
            publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHdcKaaGHzHFLIA5A5hXDfA5RFFuEi3qnOY2HUe0vNUQ test',
            sshUser: image.sshUser,
            clientToken: `sdk-token-${name}`,
            tags: { ...TAGS, 'cb-mcis': 'sdk', 'cb-vm': name },
          }),
        ),
      );
      const opts = sdkOptions(twin, key.json);
      const instances = new InstancesClient({ ...opts });
      const operations = new ZoneOperationsClient({ ...opts });
      try {
        const found: Array<[string, protos.google.cloud.compute.v1.IInstance]> = [];
        for await (const [scope, list] of instances.aggregatedListAsync({ project: PROJECT, filter: '(labels.cb-mcis = "sdk")' }, { autoPaginate: false })) {
          for (const i of list.instances ?? []) found.push([scope, i]);
        }
        expect(found.map(([scope, i]) => [scope, i.name]).sort()).toEqual(
          made.map((v) => [`zones/${ZONE}`, v.providerId.split('/')[1]]).sort(),
        );
        for (const [, i] of found) {
          expect(i.status).toBe('RUNNING');
          expect(i.machineType).toMatch(new RegExp(`/projects/${PROJECT}/zones/${ZONE}/machineTypes/e2-small$`));
          expect(i.zone).toMatch(new RegExp(`/zones/${ZONE}$`));
          expect(i.labels).toMatchObject({ 'cb-managed': 'true', 'cb-ns': 'gcp-int', 'cb-mcis': 'sdk' });
          const nic = i.networkInterfaces?.[0];
          expect(nic?.accessConfigs?.[0]?.natIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
          expect(nic?.networkIP).toMatch(/^10\.0\.1\.\d+$/);
          expect(nic?.subnetwork).toMatch(/\/regions\/asia-northeast3\/subnetworks\/cb-gcp-int-subnet$/);
          expect(i.disks?.[0]).toMatchObject({ boot: true, autoDelete: true });
          expect(String(i.disks?.[0]?.diskSizeGb)).toBe('20');
          expect(i.metadata?.items?.find((m) => m.key === 'ssh-keys')?.value).toMatch(/^ubuntu:ssh-ed25519 /);
          expect(typeof i.id).toBe('string');
        }
        const [listed] = await instances.list({ project: PROJECT, zone: ZONE, filter: 'labels.cb-vm = sdk-2' });
        expect(listed.map((i) => i.name)).toEqual([made[1]?.providerId.split('/')[1]]);
        const [ops] = await operations.list({ project: PROJECT, zone: ZONE, filter: 'operationType = insert' });
        expect(ops.length).toBeGreaterThanOrEqual(2);
        expect(ops.every((o) => o.status === 'DONE' || o.error)).toBe(true);
      } finally {
        await Promise.all([instances.close(), operations.close()]);
        await driver.vms.terminate(made.map((v) => v.providerId));
      }
    });
  });

  describe('cluster ports', () => {
    it('opens them to the nodes only (one INGRESS rule, merged idempotently) and closes them per node', async () => {
      const driver = driverFor();
      const [rules, a, b] = [CLUSTER_RULES, NODE_A, NODE_B];
      const name = firewallName(net, rules);
      const fw = new FirewallsClient({ ...sdkOptions(twin, key.json) });
      const read = async () => (await fw.get({ project: PROJECT, firewall: name }))[0];
      try {
        await driver.network.allowIngress?.(net, { rules, sources: [a] });
        await driver.network.allowIngress?.(net, { rules, sources: [a, b] });
        await driver.network.allowIngress?.(net, { rules, sources: [b] });
        const got = await read();
        expect(got).toMatchObject({ direction: 'INGRESS', sourceRanges: [a, b], allowed: [{ IPProtocol: 'tcp', ports: ['2379-2380', '6443'] }, { IPProtocol: 'udp', ports: ['8472'] }] });
        expect(got.network).toMatch(/\/global\/networks\/cb-gcp-int$/);
        await driver.network.revokeIngress?.(net, { rules, sources: [a] });
        expect((await read()).sourceRanges).toEqual([b]);
        await driver.network.revokeIngress?.(net, { rules, sources: [b] });
        await expect(read()).rejects.toMatchObject({ code: 404 });
        await driver.network.revokeIngress?.(net, { rules, sources: [a, b] });
      } finally {
        await fw.close();
      }
    });

    it('go with the network: deleting the default network deletes its cluster rules, even with sources left in them', async () => {
      // A node removed without a revoke leaves its address in the rule; GCE refuses to delete a network a firewall names.
      const driver = driverFor({}, { internals: { tuning: { dependencyWaitMs: 2_000 } } });
      const rules = [{ protocol: 'tcp' as const, fromPort: 6443, toPort: 6443, description: 'kube-apiserver' }];
      const own = await driver.network.ensureDefault({ name: 'cb-gcp-fw', tags: TAGS });
      await driver.network.allowIngress?.(own, { rules, sources: ['198.51.100.9/32'] });
      await driver.network.allowIngress?.(net, { rules, sources: ['198.51.100.9/32'] });
      const fw = new FirewallsClient({ ...sdkOptions(twin, key.json) });
      try {
        await driver.network.deleteDefault(own);
        await expect(fw.get({ project: PROJECT, firewall: firewallName(own, rules) })).rejects.toMatchObject({ code: 404 });
        // The other network's rule of the same rule set stays.
        expect((await fw.get({ project: PROJECT, firewall: firewallName(net, rules) }))[0].sourceRanges).toEqual(['198.51.100.9/32']);
        await driver.network.revokeIngress?.(net, { rules, sources: ['198.51.100.9/32'] });
      } finally {
        await fw.close();
      }
    });

    it('names cluster rules so that deleteDefault finds only its own network\'s', () => {
      const rules = [{ protocol: 'tcp' as const, fromPort: 6443, toPort: 6443, description: 'kube-apiserver' }];
      const long = 'cb-default-' + 'x'.repeat(60);
      for (const network of ['cb-default-twin-gcp-asia-northeast1', long]) {
        const name = firewallName({ ...net, networkId: `projects/p/global/networks/${network}` }, rules);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(isClusterFirewall(network, name)).toBe(true);
        expect(isClusterFirewall(`${network}-2`, name)).toBe(false);
        expect(isClusterFirewall(network, `${network}-allow-ssh`)).toBe(false);
      }
    });
  });
});
