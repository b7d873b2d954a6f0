/**
 * The Cloudit driver's own promises against Cloud-Twin, beyond the contract: a create killed after
 * the server was made is adopted on the re-run (one server, now with its adaptive IP); the root
 * password is random, sent once and kept nowhere; IAM tokens are issued again once expired; a
 * wrong password is an auth error that does not show it; prices come from the price table.
 */
import { TAG, generateSshKeyPair, ProviderError } from '@cloud-barista/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClouditDriver } from '../src/cloudit/index.js';
import { TOKEN_KEY, randomRootPassword, serverNameOf } from '../src/cloudit/instances.js';
import { describeTags } from '../src/cloudit/tags.js';
import { bootTwin, clouditConnection, clouditCredential, rawCloudit, type Twin } from './cloudit-twin.js';
import { freePort } from '../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();
let t: Awaited<ReturnType<typeof bootTwin>>;
let twin: Twin;

beforeAll(async () => {
  t = await bootTwin(SSH_PORT, { clouditTokenTtlMs: 1_000 });
  twin = t.twin;
});
afterAll(async () => {
  await t?.cleanup();
});

async function rawPost(path: string, body: unknown): Promise<{ id: string }> {
  const c = twin.credentials.cloudit;
  const base = `${twin.endpoints.cloudit}/cloudit/v5.0`;
  const auth = (await (await fetch(`${base}/iam/v1.0/auth`, { method: 'POST', body: JSON.stringify({ id: c.id, password: c.password, tenant: c.tenantId }) })).json()) as { token: string };
  const r = await fetch(`${base}/ace/v1.0/${c.tenantId}${path}`, { method: 'POST', headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as { id: string };
}

describe('Cloudit driver on the twin', () => {
  it('adopts the server a killed create made, maps its adaptive IP, and makes no second one', async () => {
    const driver = buildClouditDriver({ connection: clouditConnection(twin), credentials: clouditCredential(twin) }, { pollIntervalMs: 50 });
    const tags = { [TAG.managed]: 'true', [TAG.ns]: 'adopt', [TAG.vm]: 'a-1' };
    const net = await driver.network.ensureDefault({ name: 'cb-adopt', tags });
    const image = await driver.catalog.resolveImage('ubuntu-22.04');
    const specs = await rawCloudit<{ id: string; name: string }[]>(twin, 'ace', '/specs');
    const key = generateSshKeyPair('adopt');
    // What the first run got done before it was killed: the server, but no adaptive IP yet.
    const first = await rawPost('/servers', { templateId: image.id, specId: specs[0]!.id, name: serverNameOf('a-1', 'tok-a-1'), rootPassword: randomRootPassword(), subnetAddr: net.subnetId, secgroups: [{ id: net.securityGroupId }], description: describeTags({ ...tags, [TOKEN_KEY]: 'tok-a-1' }), sshPublicKey: key.publicKey });
    const vm = await driver.vms.create({ name: 'a-1', spec: specs[0]!.name, imageId: image.id, network: net, keyName: 'adopt', publicKey: key.publicKey, sshUser: 'root', clientToken: 'tok-a-1', tags });
    expect(vm.providerId).toBe(first.id);
    expect(vm.publicIp).toMatch(/^127\./);
    expect(vm.tags).toEqual(tags);
    const records = await rawCloudit<Record<string, unknown>[]>(twin, 'ace', '/servers');
    expect(records.map((s) => s.name)).toEqual([serverNameOf('a-1', 'tok-a-1')]);
    expect(records.some((s) => 'rootPassword' in s)).toBe(false);
    // Another MCIS's VM of the same name is another server: Cloudit names are unique per tenant, so the token's suffix tells them apart.
    const other = await driver.vms.create({ name: 'a-1', spec: specs[0]!.name, imageId: image.id, network: net, keyName: 'adopt', publicKey: key.publicKey, sshUser: 'root', clientToken: 'tok-other', tags: { ...tags, [TAG.mcis]: 'other' } });
    expect(other.providerId).not.toBe(vm.providerId);
    expect((await rawCloudit(twin, 'ace', '/servers')).map((s) => s.name).sort()).toEqual([serverNameOf('a-1', 'tok-a-1'), serverNameOf('a-1', 'tok-other')].sort());
    await driver.vms.terminate([vm.providerId, other.providerId]);
    await driver.network.deleteDefault(net);
    expect(await rawCloudit(twin, 'dna', '/adaptive-ips')).toEqual([]);
  }, 60_000);

  it('keeps an MCIS firewall as a security group holding exactly the given rules, the VMs\' only group', async () => {
    const driver = buildClouditDriver({ connection: clouditConnection(twin), credentials: clouditCredential(twin) }, { pollIntervalMs: 50 });
    const fwApi = driver.firewall!;
    const tags = { [TAG.managed]: 'true', [TAG.ns]: 'fw', [TAG.connection]: 'twin-cloudit' };
    const net = await driver.network.ensureDefault({ name: 'cb-fw', tags });
    const fw = await fwApi.ensure({ name: 'cb-fw-web', network: net, tags: { ...tags, [TAG.mcis]: 'web' } });
    expect(await fwApi.ensure({ name: 'cb-fw-web', network: net, tags: { ...tags, [TAG.mcis]: 'web' } })).toEqual(fw);
    const ssh = { protocol: 'tcp' as const, fromPort: 22, toPort: 22, source: '203.0.113.0/24' };
    const web = { protocol: 'tcp' as const, fromPort: 8000, toPort: 8080, source: '1.1.1.1/32' };
    await fwApi.setRules(fw, { network: net, rules: [ssh, web], targets: [] });
    await fwApi.setRules(fw, { network: net, rules: [ssh, web], targets: [] });
    expect((await fwApi.read(fw, net)).rules).toEqual([ssh, web]);
    await fwApi.setRules(fw, { network: net, rules: [ssh], targets: [] });
    expect((await fwApi.read(fw, net)).rules).toEqual([ssh]);
    expect(await fwApi.list(net)).toEqual([fw]);

    const image = await driver.catalog.resolveImage('ubuntu-22.04');
    const key = generateSshKeyPair('fw');
    const req = (name: string, firewall?: typeof fw) => ({ name, spec: 'micro-1', imageId: image.id, network: net, keyName: 'fw', publicKey: key.publicKey, sshUser: 'root', clientToken: `tok-${name}`, tags: { ...tags, [TAG.vm]: name }, ...(firewall ? { firewall } : {}) });
    const a = await driver.vms.create(req('fw-1', fw));
    const b = await driver.vms.create(req('fw-2'));
    const groupsOf = async (id: string) => (await rawCloudit<{ secGroups: { id: string }[] }[]>(twin, 'ace', `/servers/${id}/nics`))[0]!.secGroups.map((g) => g.id);
    expect(await groupsOf(a.providerId)).toEqual([fw.id]);
    expect(await groupsOf(b.providerId)).toEqual([net.securityGroupId]);
    await fwApi.attach(fw, { network: net, providerIds: [a.providerId, b.providerId, 'no-such-server'] });
    expect(await groupsOf(b.providerId)).toEqual([fw.id]);

    await driver.vms.terminate([a.providerId, b.providerId]);
    await fwApi.delete({ name: fw.name, network: net });
    await fwApi.delete({ name: fw.name, network: net });
    expect(await fwApi.list(net)).toEqual([]);
    await driver.network.deleteDefault(net);
  }, 60_000);

  it('makes a fresh random root password per server, one Cloudit accepts', async () => {
    const a = randomRootPassword();
    const b = randomRootPassword();
    expect(a).not.toBe(b);
    expect(a).toMatch(/[A-Za-z]/);
    expect(a).toMatch(/\d/);
    expect(a).toMatch(/[^A-Za-z0-9]/);
    expect(a.length).toBeGreaterThanOrEqual(24);
  });

  it('issues a new IAM token once the old one expired', async () => {
    const { CiClient } = await import('../src/cloudit/index.js');
    const c = twin.credentials.cloudit;
    const client = new CiClient({ endpoint: twin.endpoints.cloudit, username: c.id, password: c.password, tenantId: c.tenantId, renewBeforeMs: 0 });
    await client.call('ace', 'GET', '/specs');
    await new Promise((r) => setTimeout(r, 1_100));
    await client.call('ace', 'GET', '/specs');
    expect(client.tokensIssued).toBe(2);
  });

  it('answers a wrong password with an auth error that does not show the password', async () => {
    const bad = { ...clouditCredential(twin), password: 'Wr0ng-and-secret!' };
    const driver = buildClouditDriver({ connection: clouditConnection(twin), credentials: bad, maxAttempts: 1 });
    const e = await driver.ping().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).errorClass).toBe('auth');
    expect(JSON.stringify({ m: (e as Error).message, h: (e as ProviderError).hint })).not.toContain('Wr0ng-and-secret!');
  });

  it('prices specs from the connection price table, and lists the clusters as regions', async () => {
    const driver = buildClouditDriver({ connection: clouditConnection(twin, { prices: { 'micro-1': 0.012 } }), credentials: clouditCredential(twin) });
    const specs = await driver.catalog.listSpecs();
    expect(specs.find((s) => s.name === 'micro-1')).toMatchObject({ vcpu: 1, memoryGiB: 1, pricePerHour: 0.012 });
    expect(specs.find((s) => s.name === 'small-2')?.pricePerHour).toBeUndefined();
    expect((await driver.catalog.listPrices!()).prices).toEqual([{ spec: 'micro-1', pricePerHour: 0.012 }]);
    expect((await driver.catalog.listRegions()).map((r) => r.name)).toEqual(['kr-seoul-1', 'kr-daejeon-1']);
    const wrong = buildClouditDriver({ connection: clouditConnection(twin, { region: 'kr-busan-9' }), credentials: clouditCredential(twin) });
    await expect(wrong.ping()).rejects.toThrow(/no cluster 'kr-busan-9'/);
  });
});
