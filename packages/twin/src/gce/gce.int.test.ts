/**
 * GCE REST on the twin over loopback: the token endpoint, catalog, networks, firewalls, instances
 * with real SSH, operations, errors, paging, filters, faults and snapshot/restore. Shapes are
 * checked against Libcloud's real GCE samples in test/fixtures/gce.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gce, gceDone, gceToken, fixtureJson, jwtAssertion, PROJECT } from '../../test/gce.js';
import { admin, sshExec, startTestTwin, tcpOpen, userKey, waitFor, type TestTwin } from '../../test/helpers.js';
import { freePort } from '../../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();
const ZONE = 'asia-northeast3-a';
const REGION = 'asia-northeast3';

type Json = Record<string, unknown>;

/** Every key of the real sample is present in ours (ours may have more: newer API fields). */
function expectKeysOf(ours: Json, sample: Json, ignore: string[] = []): void {
  const missing = Object.keys(sample).filter((k) => !(k in ours) && !ignore.includes(k));
  expect(missing).toEqual([]);
}

describe('GCE on Cloud-Twin', () => {
  let t: TestTwin;
  const key = userKey();
  const key2 = userKey();

  beforeAll(async () => {
    t = await startTestTwin({ sshPort: SSH_PORT, bootDelayMs: 150, stopDelayMs: 50 });
  });

  afterAll(async () => {
    await t?.cleanup();
  });

  describe('token endpoint and auth', () => {
    const form = (f: Record<string, string>) =>
      fetch(`${t.twin.endpoints.gcp}/token`, { method: 'POST', body: new URLSearchParams(f) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
    const now = () => Math.floor(Date.now() / 1000);

    const grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    const claims = () => ({ iss: t.twin.credentials.gcp.clientEmail, scope: 'https://www.googleapis.com/auth/compute', aud: 'https://oauth2.googleapis.com/token', iat: now(), exp: now() + 3600 });

    it('issues a bearer token for a JWT-bearer grant signed with the service account key', async () => {
      const r = await form({ grant_type: grant, assertion: jwtAssertion(claims(), t.twin.credentials.gcp) });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
      expect(String(r.body.access_token)).toMatch(/^ya29\./);
      expect((await gce(t.twin, 'GET', 'regions', undefined, { token: String(r.body.access_token) })).status).toBe(200);
    });

    it('refuses an assertion signed by another key, or from an account it does not know (invalid_grant)', async () => {
      const forged = await form({ grant_type: grant, assertion: jwtAssertion(claims()) });
      expect(forged).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
      const otherKid = await form({ grant_type: grant, assertion: jwtAssertion(claims(), { ...t.twin.credentials.gcp, privateKeyId: 'f'.repeat(40) }) });
      expect(otherKid).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const stranger = await form({ grant_type: grant, assertion: jwtAssertion({ ...claims(), iss: 'sa@other.iam.gserviceaccount.com' }, t.twin.credentials.gcp) });
      expect(stranger).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('answers 401 UNAUTHENTICATED (authError) for a bearer token it did not issue', async () => {
      const real = await gceToken(t.twin);
      const [head = '', body = ''] = real.slice('ya29.'.length).split('.');
      // A self-signed JWT (what Google's libraries may send instead of exchanging it) counts only if the account's key signed it.
      expect((await gce(t.twin, 'GET', 'regions', undefined, { token: jwtAssertion(claims(), t.twin.credentials.gcp) })).status).toBe(200);
      for (const token of ['ya29.forged', `ya29.${head}.${body}.${'A'.repeat(43)}`, real.slice('ya29.'.length), jwtAssertion(claims())]) {
        const r = await gce(t.twin, 'GET', 'regions', undefined, { token });
        expect(r.status).toBe(401);
        expect(r.body).toEqual({
          error: {
            code: 401,
            message: expect.stringMatching(/^Request had invalid authentication credentials\./) as unknown,
            errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
            status: 'UNAUTHENTICATED',
          },
        });
      }
    });

    it('refuses expired assertions and unknown grants with OAuth errors', async () => {
      const expired = jwtAssertion({ ...claims(), iat: now() - 7200, exp: now() - 3600 }, t.twin.credentials.gcp);
      expect(await form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: expired })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect(await form({ grant_type: 'password' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    });

    it('answers 401 in Google error JSON without a bearer token', async () => {
      const r = await gce(t.twin, 'GET', 'regions', undefined, { token: null });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: { code: 401, errors: [{ reason: 'required', location: 'Authorization' }], status: 'UNAUTHENTICATED' } });
    });
  });

  it('takes the empty-string body Google’s REST clients send for calls without one', async () => {
    const op = await gce(t.twin, 'POST', 'global/networks', { name: 'net-empty', autoCreateSubnetworks: false });
    const res = await fetch(`${t.twin.endpoints.gcp}/compute/v1/projects/${PROJECT}/global/operations/${String(op.body.name)}/wait`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await gceToken(t.twin)}`, 'content-type': 'application/json' },
      body: '""',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).status).toBe('DONE');
    await gceDone(t.twin, 'DELETE', 'global/networks/net-empty');
  });

  describe('catalog', () => {
    it('lists real regions with their zones, shaped like Google’s', async () => {
      const r = await gce<{ items: Json[] }>(t.twin, 'GET', 'regions');
      const names = r.body.items.map((i) => i.name);
      for (const n of ['asia-northeast3', 'asia-northeast1', 'us-central1', 'us-east1', 'europe-west1', 'europe-west3', 'asia-southeast1', 'australia-southeast1']) {
        expect(names).toContain(n);
      }
      const sample = (fixtureJson('regions.json').items as Json[])[0]!;
      const usc1 = r.body.items.find((i) => i.name === 'us-central1')!;
      expectKeysOf(usc1, sample);
      expect((usc1.zones as string[]).map((z) => z.split('/').pop())).toEqual(['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f']);
      expect(String(usc1.selfLink)).toBe(`${t.twin.endpoints.gcp}/compute/v1/projects/${PROJECT}/regions/us-central1`);
      const eu1 = await gce(t.twin, 'GET', 'regions/europe-west1');
      expect((eu1.body.zones as string[]).map((z) => z.split('/').pop())).toEqual(['europe-west1-b', 'europe-west1-c', 'europe-west1-d']);
    });

    it('lists zones and machine types with real sizes', async () => {
      const zones = await gce<{ items: Json[] }>(t.twin, 'GET', 'zones');
      expect(zones.body.items.some((z) => z.name === ZONE && String(z.region).endsWith(`/regions/${REGION}`))).toBe(true);
      const mt = await gce(t.twin, 'GET', `zones/${ZONE}/machineTypes/n1-standard-1`);
      expectKeysOf(mt.body, fixtureJson('zones_us-central1-a_machineTypes_n1-standard-1.json'));
      expect(mt.body).toMatchObject({ kind: 'compute#machineType', guestCpus: 1, memoryMb: 3840, zone: ZONE });
      const all = await gce<{ items: Json[] }>(t.twin, 'GET', `zones/${ZONE}/machineTypes`);
      expect(all.body.items.find((m) => m.name === 'e2-micro')).toMatchObject({ guestCpus: 2, memoryMb: 1024, isSharedCpu: true });
      // t2a (ARM) exists only in some regions.
      expect((await gce(t.twin, 'GET', `zones/${ZONE}/machineTypes/t2a-standard-1`)).status).toBe(404);
    });

    it('serves public images by family (newest not deprecated) and Google’s 404 for unknown families', async () => {
      const fam = await gce(t.twin, 'GET', 'global/images/family/ubuntu-2204-lts', undefined, { project: 'ubuntu-os-cloud' });
      expect(fam.body).toMatchObject({ kind: 'compute#image', name: 'ubuntu-2204-jammy-v20240319', family: 'ubuntu-2204-lts', status: 'READY' });
      const sample = (fixtureJson('projects_debian-cloud_global_images.json').items as Json[])[0]!;
      expectKeysOf(fam.body, sample);
      const deb = await gce(t.twin, 'GET', 'global/images/family/debian-12', undefined, { project: 'debian-cloud' });
      expect(deb.body.name).toBe('debian-12-bookworm-v20240312');
      const list = await gce<{ items: Json[] }>(t.twin, 'GET', 'global/images', undefined, { project: 'debian-cloud' });
      expect(list.body.items.find((i) => i.name === 'debian-12-bookworm-v20240110')?.deprecated).toMatchObject({ state: 'DEPRECATED' });
      const missing = await gce(t.twin, 'GET', 'global/images/family/coreos-stable', undefined, { project: 'ubuntu-os-cloud' });
      expect(missing.status).toBe(404);
      const real = fixtureJson('global_images_family_notfound.json') as { error: Json };
      expect(Object.keys(missing.body.error as Json).sort()).toEqual(Object.keys(real.error).sort());
      expect(missing.body).toMatchObject({ error: { code: 404, errors: [{ domain: 'global', reason: 'notFound' }] } });
    });

    it('pages with maxResults / pageToken and filters', async () => {
      const first = await gce<{ items: Json[]; nextPageToken?: string }>(t.twin, 'GET', 'regions?maxResults=5');
      expect(first.body.items).toHaveLength(5);
      const second = await gce<{ items: Json[] }>(t.twin, 'GET', `regions?maxResults=5&pageToken=${first.body.nextPageToken ?? ''}`);
      expect(second.body.items[0]?.name).not.toBe(first.body.items[0]?.name);
      const asia = await gce<{ items: Json[] }>(t.twin, 'GET', `regions?filter=${encodeURIComponent('name = asia-*')}`);
      expect(asia.body.items.every((r) => String(r.name).startsWith('asia-'))).toBe(true);
      expect((await gce(t.twin, 'GET', 'regions?maxResults=501')).status).toBe(400);
      expect((await gce(t.twin, 'GET', 'regions?pageToken=junk')).status).toBe(400);
    });
  });

  describe('networks, subnetworks, firewalls', () => {
    it('starts every project with the default network and its firewall rules', async () => {
      const fw = await gce<{ items: Json[] }>(t.twin, 'GET', 'global/firewalls');
      expect(fw.body.items.map((f) => f.name)).toContain('default-allow-ssh');
      const def = await gce(t.twin, 'GET', 'global/networks/default');
      expect(def.body).toMatchObject({ autoCreateSubnetworks: true });
    });

    it('creates a custom-mode network, a regional subnetwork and an SSH firewall rule', async () => {
      const op = await gceDone(t.twin, 'POST', 'global/networks', { name: 'net-a', autoCreateSubnetworks: false, routingConfig: { routingMode: 'REGIONAL' } });
      expectKeysOf(op, fixtureJson('operations_operation_zones_us-central1-a_instances_post.json'), ['zone']);
      expect(op).toMatchObject({ kind: 'compute#operation', operationType: 'insert', status: 'DONE', progress: 100 });
      const net = await gce(t.twin, 'GET', 'global/networks/net-a');
      expectKeysOf(net.body, fixtureJson('global_networks_custom_network.json'));
      await gceDone(t.twin, 'POST', `regions/${REGION}/subnetworks`, { name: 'net-a-sub', network: 'global/networks/net-a', ipCidrRange: '10.0.1.0/24' });
      const sub = await gce(t.twin, 'GET', `regions/${REGION}/subnetworks/net-a-sub`);
      expectKeysOf(sub.body, fixtureJson('regions_us-central1_subnetworks_subnet_1.json'));
      expect(sub.body).toMatchObject({ gatewayAddress: '10.0.1.1', ipCidrRange: '10.0.1.0/24' });
      const overlap = await gce(t.twin, 'POST', `regions/${REGION}/subnetworks`, { name: 'other', network: `projects/${PROJECT}/global/networks/net-a`, ipCidrRange: '10.0.1.128/25' });
      expect(overlap).toMatchObject({ status: 400, body: { error: { errors: [{ reason: 'invalid' }] } } });
      await gceDone(t.twin, 'POST', 'global/firewalls', {
        name: 'net-a-ssh',
        network: `${t.twin.endpoints.gcp}/compute/v1/projects/${PROJECT}/global/networks/net-a`,
        direction: 'INGRESS',
        allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
        sourceRanges: ['0.0.0.0/0'],
      });
      const fw = await gce(t.twin, 'GET', 'global/firewalls/net-a-ssh');
      expectKeysOf(fw.body, fixtureJson('global_firewalls_lcfirewall.json'), ['sourceServiceAccounts', 'targetTags', 'description']);
      expect((await gce(t.twin, 'POST', 'global/firewalls', { name: 'net-a-ssh', network: 'global/networks/net-a', allowed: [{ IPProtocol: 'tcp' }] })).status).toBe(409);
      const patched = await gceDone(t.twin, 'PATCH', 'global/firewalls/net-a-ssh', { sourceRanges: ['198.51.100.7/32'], allowed: [{ IPProtocol: 'tcp', ports: ['22', '6443'] }] });
      expect(patched).toMatchObject({ operationType: 'patch', status: 'DONE' });
      expect((await gce(t.twin, 'GET', 'global/firewalls/net-a-ssh')).body).toMatchObject({ direction: 'INGRESS', priority: 1000, sourceRanges: ['198.51.100.7/32'], allowed: [{ IPProtocol: 'tcp', ports: ['22', '6443'] }] });
      expect((await gce(t.twin, 'PATCH', 'global/firewalls/net-a-ssh', { direction: 'EGRESS' })).status).toBe(400);
      expect((await gce(t.twin, 'PATCH', 'global/firewalls/nope', { sourceRanges: ['10.0.0.0/8'] })).status).toBe(404);
      const inUse = await gce(t.twin, 'DELETE', 'global/networks/net-a');
      expect(inUse).toMatchObject({ status: 400, body: { error: { errors: [{ reason: 'resourceInUseByAnotherResource' }] } } });
    });
  });

  describe('instances', () => {
    const sshKeys = (user: string, k: string) => ({ items: [{ key: 'ssh-keys', value: `${user}:${k} someone@laptop\nbroken:not-a-key` }] });
    const body = (name: string, extra: Json = {}) => ({
      name,
      machineType: `zones/${ZONE}/machineTypes/e2-micro`,
      disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts', diskSizeGb: '20' } }],
      networkInterfaces: [{ subnetwork: `regions/${REGION}/subnetworks/net-a-sub`, accessConfigs: [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT' }] }],
      metadata: sshKeys('ubuntu', key.publicKey),
      labels: { 'cb-managed': 'true', 'cb-vm': name },
      ...extra,
    });
    const get = (name: string) => gce(t.twin, 'GET', `zones/${ZONE}/instances/${name}`);

    it('inserts an instance: PROVISIONING/STAGING → RUNNING with a loopback natIP whose SSH server takes the ssh-keys key', async () => {
      const r = await gce(t.twin, 'POST', `zones/${ZONE}/instances?requestId=6f1c9a52-0d3e-4a8f-9b17-3c5e2d4f6a70`, body('vm-1'));
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ kind: 'compute#operation', operationType: 'insert', status: 'PENDING' });
      expectKeysOf(r.body, fixtureJson('zones_us-central1-a_instances_post.json'));
      const early = await get('vm-1');
      expect(['PROVISIONING', 'STAGING']).toContain(early.body.status);
      // The same request id returns the same operation instead of inserting again.
      const again = await gce(t.twin, 'POST', `zones/${ZONE}/instances?requestId=6f1c9a52-0d3e-4a8f-9b17-3c5e2d4f6a70`, body('vm-1'));
      expect(again.body.name).toBe(r.body.name);
      const done = (await gce(t.twin, 'POST', `zones/${ZONE}/operations/${String(r.body.name)}/wait`)).body;
      expect(done.status).toBe('DONE');
      expect(String(done.targetLink)).toMatch(/\/zones\/asia-northeast3-a\/instances\/vm-1$/);
      const inst = await get('vm-1');
      expectKeysOf(inst.body, fixtureJson('zones_us-central1-a_instances_node-name.json'));
      expect(inst.body).toMatchObject({ status: 'RUNNING', labels: { 'cb-managed': 'true', 'cb-vm': 'vm-1' } });
      const nic = (inst.body.networkInterfaces as Json[])[0]!;
      const natIP = String(((nic.accessConfigs as Json[])[0] ?? {}).natIP);
      expect(natIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(nic.networkIP).toBe('10.0.1.2');
      expect(String((inst.body.disks as Json[])[0]?.diskSizeGb)).toBe('20');
      // The boot disk the instance names exists, made from the image.
      const disk = await fetch(String((inst.body.disks as Json[])[0]?.source), { headers: { authorization: `Bearer ${await gceToken(t.twin)}` } }).then(async (res) => (await res.json()) as Json);
      expect(disk).toMatchObject({ kind: 'compute#disk', name: 'vm-1', sizeGb: '20', status: 'READY', sourceImage: expect.stringMatching(/ubuntu-2204-jammy-v20240319$/) as unknown });
      const ssh = await sshExec(natIP, SSH_PORT, 'ubuntu', key.privateKey, 'echo hello from $CB_TWIN_INSTANCE_ID');
      expect(ssh.stdout).toMatch(/^hello from gce-\d+/);
      await expect(sshExec(natIP, SSH_PORT, 'ubuntu', key2.privateKey, 'true')).rejects.toThrow();
    });

    it('refuses a second instance of the same name, bad machine types and images, custom networks without a subnetwork', async () => {
      expect((await gce(t.twin, 'POST', `zones/${ZONE}/instances`, body('vm-1'))).body).toMatchObject({ error: { code: 409, errors: [{ reason: 'alreadyExists' }] } });
      expect((await gce(t.twin, 'POST', `zones/${ZONE}/instances`, body('vm-x', { machineType: `zones/${ZONE}/machineTypes/z9-huge` }))).status).toBe(400);
      const img = await gce(t.twin, 'POST', `zones/${ZONE}/instances`, body('vm-x', { disks: [{ boot: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-99' } }] }));
      expect(img.status).toBe(404);
      const net = await gce(t.twin, 'POST', `zones/${ZONE}/instances`, body('vm-x', { networkInterfaces: [{ network: 'global/networks/net-a' }] }));
      expect(net.status).toBe(400);
      expect(JSON.stringify(net.body)).toContain('Subnetwork should be specified');
      expect((await gce(t.twin, 'POST', `zones/${ZONE}/instances?requestId=not-a-uuid`, body('vm-x'))).status).toBe(400);
      // A GPU machine type cannot live-migrate: refused unless host maintenance terminates it.
      const gpu = await gce(t.twin, 'POST', `zones/${ZONE}/instances`, body('vm-x', { machineType: `zones/${ZONE}/machineTypes/g2-standard-4` }));
      expect(gpu.body).toMatchObject({ error: { code: 400, message: 'Instances with guest accelerators do not support live migration.', errors: [{ reason: 'badRequest' }] } });
      const terminate = await gce(t.twin, 'POST', `zones/${ZONE}/instances`, body('vm-g', { machineType: `zones/${ZONE}/machineTypes/g2-standard-4`, scheduling: { onHostMaintenance: 'TERMINATE', automaticRestart: true } }));
      expect(terminate.status).toBe(200);
      await gce(t.twin, 'POST', `zones/${ZONE}/operations/${String(terminate.body.name)}/wait`);
      expect((await gce(t.twin, 'DELETE', `zones/${ZONE}/instances/vm-g`)).status).toBe(200);
    });

    it('lists by zone and aggregated, with label filters and paging', async () => {
      await gceDone(t.twin, 'POST', `zones/${ZONE}/instances`, body('vm-2', { labels: { 'cb-managed': 'true', 'cb-vm': 'vm-2', 'cb-ns': 'other' } }));
      const filtered = await gce<{ items: Json[] }>(t.twin, 'GET', `zones/${ZONE}/instances?filter=${encodeURIComponent('labels.cb-ns = other')}`);
      expect(filtered.body.items.map((i) => i.name)).toEqual(['vm-2']);
      // The twin's admin API lists GCE instances too, by the zone's region.
      const listed = t.twin.instances(ZONE.replace(/-[a-z]$/, '')).filter((i) => i.provider === 'gcp');
      expect(listed.map((i) => [i.instanceId, i.state])).toEqual(expect.arrayContaining([['vm-2', 'running']]) as unknown);
      const p1 = await gce<{ items: Json[]; nextPageToken?: string }>(t.twin, 'GET', `zones/${ZONE}/instances?maxResults=1`);
      expect(p1.body.items.map((i) => i.name)).toEqual(['vm-1']);
      const p2 = await gce<{ items: Json[]; nextPageToken?: string }>(t.twin, 'GET', `zones/${ZONE}/instances?maxResults=1&pageToken=${p1.body.nextPageToken ?? ''}`);
      expect(p2.body.items.map((i) => i.name)).toEqual(['vm-2']);
      expect(p2.body.nextPageToken).toBeUndefined();
      const agg = await gce<{ kind: string; items: Record<string, Json> }>(t.twin, 'GET', `aggregated/instances?filter=${encodeURIComponent('(labels.cb-managed = true) AND (labels.cb-vm = vm-1)')}`);
      const sample = fixtureJson('aggregated_instances.json');
      expectKeysOf(agg.body, sample);
      expect(agg.body.kind).toBe(sample.kind);
      expect((agg.body.items[`zones/${ZONE}`]?.instances as Json[]).map((i) => i.name)).toEqual(['vm-1']);
      expect(agg.body.items['zones/us-central1-b']).toMatchObject({ warning: { code: 'NO_RESULTS_ON_PAGE', data: [{ key: 'scope', value: 'zones/us-central1-b' }] } });
    });

    it('sets labels only with the current fingerprint', async () => {
      const cur = (await get('vm-2')).body;
      const stale = await gce(t.twin, 'POST', `zones/${ZONE}/instances/vm-2/setLabels`, { labels: { a: 'b' }, labelFingerprint: 'AAAAAAAAAAA=' });
      expect(stale).toMatchObject({ status: 412, body: { error: { errors: [{ reason: 'conditionNotMet' }] } } });
      await gceDone(t.twin, 'POST', `zones/${ZONE}/instances/vm-2/setLabels`, { labels: { ...(cur.labels as Json), team: 'sre' }, labelFingerprint: cur.labelFingerprint });
      expect((await get('vm-2')).body.labels).toMatchObject({ team: 'sre', 'cb-ns': 'other' });
      const bad = await gce(t.twin, 'POST', `zones/${ZONE}/instances/vm-2/setLabels`, { labels: { Team: 'x' }, labelFingerprint: (await get('vm-2')).body.labelFingerprint });
      expect(bad.status).toBe(400);
    });

    it('stops to TERMINATED (no natIP, SSH closed), starts to RUNNING with a new address, resets', async () => {
      const before = (await get('vm-1')).body;
      const ip = String(((before.networkInterfaces as Json[])[0]?.accessConfigs as Json[])[0]?.natIP);
      const stopOp = await gce(t.twin, 'POST', `zones/${ZONE}/instances/vm-1/stop`);
      expect(stopOp.body).toMatchObject({ operationType: 'stop' });
      expect(['STOPPING', 'TERMINATED']).toContain((await get('vm-1')).body.status);
      await gce(t.twin, 'POST', `zones/${ZONE}/operations/${String(stopOp.body.name)}/wait`);
      const stopped = (await get('vm-1')).body;
      expect(stopped.status).toBe('TERMINATED');
      expect(((stopped.networkInterfaces as Json[])[0]?.accessConfigs as Json[])[0]?.natIP).toBeUndefined();
      expect(await tcpOpen(ip, SSH_PORT)).toBe(false);
      expect((await gce(t.twin, 'POST', `zones/${ZONE}/instances/vm-1/reset`)).status).toBe(400);
      await gceDone(t.twin, 'POST', `zones/${ZONE}/instances/vm-1/start`);
      const running = (await get('vm-1')).body;
      expect(running.status).toBe('RUNNING');
      const ip2 = String(((running.networkInterfaces as Json[])[0]?.accessConfigs as Json[])[0]?.natIP);
      expect(ip2).not.toBe(ip);
      await gceDone(t.twin, 'POST', `zones/${ZONE}/instances/vm-1/reset`);
      const r = await waitFor('ssh after reset', async () => sshExec(ip2, SSH_PORT, 'ubuntu', key.privateKey, 'echo up').catch(() => undefined));
      expect(r.stdout.trim()).toBe('up');
    });

    it('takes new ssh-keys through setMetadata (in effect from the next reset)', async () => {
      const cur = (await get('vm-1')).body.metadata as Json;
      await gceDone(t.twin, 'POST', `zones/${ZONE}/instances/vm-1/setMetadata`, { fingerprint: cur.fingerprint, ...sshKeys('admin', key2.publicKey) });
      await gceDone(t.twin, 'POST', `zones/${ZONE}/instances/vm-1/reset`);
      const ip = String((((await get('vm-1')).body.networkInterfaces as Json[])[0]?.accessConfigs as Json[])[0]?.natIP);
      const r = await waitFor('ssh as admin', async () => sshExec(ip, SSH_PORT, 'admin', key2.privateKey, 'echo $HOME').catch(() => undefined));
      expect(r.code).toBe(0);
    });

    it('deletes: STOPPING, then gone (404); the subnetwork is in use until then', async () => {
      const op = await gce(t.twin, 'DELETE', `zones/${ZONE}/instances/vm-2`);
      expect(op.body).toMatchObject({ operationType: 'delete' });
      const sub = await gce(t.twin, 'DELETE', `regions/${REGION}/subnetworks/net-a-sub`);
      expect(sub.body).toMatchObject({ error: { errors: [{ reason: 'resourceInUseByAnotherResource' }] } });
      await gce(t.twin, 'POST', `zones/${ZONE}/operations/${String(op.body.name)}/wait`);
      expect((await get('vm-2')).body).toMatchObject({ error: { code: 404, errors: [{ reason: 'notFound' }] } });
    });
  });

  describe('faults', () => {
    it('fails an insert operation with ZONE_RESOURCE_POOL_EXHAUSTED (rule set through the admin API), creating nothing', async () => {
      const put = await admin(t.twin, '/faults', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ provider: 'gcp', action: 'instances.insert', code: 'ZONE_RESOURCE_POOL_EXHAUSTED', rate: 1, count: 1 }]),
      });
      expect(put.status).toBe(200);
      try {
        const op = await gceDone(t.twin, 'POST', `zones/${ZONE}/instances`, { name: 'vm-full' });
        expect(op).toMatchObject({
          status: 'DONE',
          error: { errors: [{ code: 'ZONE_RESOURCE_POOL_EXHAUSTED' }] },
          httpErrorStatusCode: 503,
          httpErrorMessage: 'SERVICE UNAVAILABLE',
        });
        expect((await gce(t.twin, 'GET', `zones/${ZONE}/instances/vm-full`)).status).toBe(404);
      } finally {
        t.twin.faults.set([]);
      }
    });

    it('answers 429 rateLimitExceeded with Retry-After, per region; EC2 rules do not touch GCE', async () => {
      t.twin.faults.set([`gcp:*:rateLimitExceeded:1@${REGION}`, '*:RequestLimitExceeded:1']);
      try {
        const r = await gce(t.twin, 'GET', `zones/${ZONE}/instances`);
        expect(r.status).toBe(429);
        expect(r.headers.get('retry-after')).toBe('1');
        expect(r.body).toMatchObject({ error: { code: 429, errors: [{ reason: 'rateLimitExceeded', domain: 'usageLimits' }] } });
        expect((await gce(t.twin, 'GET', 'zones/us-east1-b/instances')).status).toBe(200);
      } finally {
        t.twin.faults.set([]);
      }
    });

    it('reports a region outage as 503', async () => {
      t.twin.faults.setOutage(REGION, true);
      try {
        expect((await gce(t.twin, 'GET', `zones/${ZONE}/instances`)).status).toBe(503);
      } finally {
        t.twin.faults.setOutage(REGION, false);
      }
    });
  });

  it('reports GCE in status: endpoint, instances, projects', () => {
    const s = t.twin.status();
    expect(s.endpoints.gcp).toBe(t.twin.endpoints.gcp);
    expect(s.gce.projects).toContain(PROJECT);
    expect(s.gce.instances.RUNNING).toBe(1);
  });
});

describe('GCE state survives a twin restart', () => {
  it('brings a running instance back with its SSH server, and keeps networks', async () => {
    const key = userKey();
    const first = await startTestTwin({ sshPort: SSH_PORT + 1, bootDelayMs: 50, stopDelayMs: 20 });
    const stateDir = first.stateDir;
    let second: TestTwin | undefined;
    try {
      await gceDone(first.twin, 'POST', 'global/networks', { name: 'keep', autoCreateSubnetworks: true });
      await gceDone(first.twin, 'POST', 'zones/us-east1-b/instances', {
        name: 'survivor',
        machineType: 'zones/us-east1-b/machineTypes/e2-small',
        disks: [{ boot: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12' } }],
        networkInterfaces: [{ network: 'global/networks/keep', accessConfigs: [{}] }],
        metadata: { items: [{ key: 'ssh-keys', value: `admin:${key.publicKey}` }] },
      });
      await first.twin.close();
      second = await startTestTwin({ stateDir, sshPort: SSH_PORT + 1, bootDelayMs: 50, stopDelayMs: 20 });
      const inst = (await gce(second.twin, 'GET', 'zones/us-east1-b/instances/survivor')).body;
      expect(inst.status).toBe('RUNNING');
      const ip = String(((inst.networkInterfaces as Json[])[0]?.accessConfigs as Json[])[0]?.natIP);
      const r = await waitFor('ssh after restart', async () => sshExec(ip, SSH_PORT + 1, 'admin', key.privateKey, 'echo back').catch(() => undefined));
      expect(r.stdout.trim()).toBe('back');
      expect((await gce(second.twin, 'GET', 'global/networks/keep')).status).toBe(200);
    } finally {
      await second?.cleanup();
      if (!second) await first.cleanup();
    }
  });
});
