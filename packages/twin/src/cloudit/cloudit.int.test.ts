/**
 * The twin's Cloudit over HTTP, called the way CB-Spider's Cloudit client calls it: an IAM token
 * from id/password/tenant, security groups, a subnet, a server from a spec and template with a key,
 * an adaptive IP from the tenant's free IPs that brings real SSH up, shutdown/start/reboot, the
 * ordering Cloudit enforces (adaptive IP before server), its error bodies, and faults per cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, sshExec, startTestTwin, type TestTwin, userKey, waitFor } from '../../test/helpers.js';
import { CLOUDIT_CLUSTERS, CLOUDIT_SPECS, CLOUDIT_TEMPLATES } from './catalog.js';

let t: TestTwin;
let token = '';
const key = userKey();

const base = (svc: 'iam' | 'ace' | 'dna') => `${t.twin.endpoints.cloudit}/cloudit/v5.0/${svc}/v1.0/${t.twin.credentials.cloudit.tenantId}`;

/** The members of Cloudit answers these tests read; a list answer is typed as both. */
type Fields = Partial<Record<'token' | 'id' | 'code' | 'message' | 'state' | 'adaptiveIp' | 'rootPassword' | 'name' | 'addr' | 'port', string>>;
type Answer = Fields & Fields[];

async function call(method: string, url: string, body?: unknown, tok = token): Promise<{ status: number; body: Answer }> {
  const res = await fetch(url, { method, headers: { 'x-auth-token': tok, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Answer };
}

const auth = (o: Record<string, string>) => call('POST', `${t.twin.endpoints.cloudit}/cloudit/v5.0/iam/v1.0/auth`, o, '');

beforeAll(async () => {
  t = await startTestTwin();
});
afterAll(async () => {
  await t?.cleanup();
});

describe('Cloudit IAM tokens', () => {
  it('issues a token for the right id/password/tenant only, and every call needs one', async () => {
    const c = t.twin.credentials.cloudit;
    const wrong = await auth({ id: c.id, password: `${c.password}x`, tenant: c.tenantId });
    expect([wrong.status, Object.keys(wrong.body).sort(), wrong.body.code]).toEqual([401, ['code', 'message', 'status'], 'AUTHENTICATION_FAILED']);
    expect((await auth({ id: c.id, tenant: c.tenantId })).body.message).toContain("'password' is required");
    const ok = await auth({ id: c.id, password: c.password, tenant: c.tenantId });
    expect(ok.status).toBe(200);
    token = ok.body.token!;
    expect((await call('GET', `${base('ace')}/specs`, undefined, 'forged.token')).body.code).toBe('INVALID_TOKEN');
    expect((await call('GET', `${base('ace')}/specs`, undefined, '')).status).toBe(401);
    const other = await call('GET', `${t.twin.endpoints.cloudit}/cloudit/v5.0/ace/v1.0/someone-else/specs`);
    expect(other.status).toBe(403);
  });
});

describe('Cloudit servers', () => {
  let sg = '';
  const subnetAddr = '10.10.1.0';

  it('lists the catalog: clusters (zones), specs, templates', async () => {
    expect((await call('GET', `${base('ace')}/clusters`)).body.map((c) => c.name)).toEqual(CLOUDIT_CLUSTERS.map((c) => c.name));
    expect((await call('GET', `${base('ace')}/specs`)).body[0]).toMatchObject({ id: CLOUDIT_SPECS[0]!.id, name: 'micro-1', cpu: 1, mem: 1024 });
    expect((await call('GET', `${base('ace')}/templates`)).body.length).toBe(CLOUDIT_TEMPLATES.length);
  });

  it('makes a security group with rules and a subnet', async () => {
    const g = await call('POST', `${base('iam')}/securitygroups`, { name: 'cb-ssh', description: 'cb-managed', rules: [{ name: 'ssh', type: 'inbound', port: '22', target: '0.0.0.0/0', protocol: 'tcp' }] });
    expect(g.status).toBe(201);
    sg = g.body.id!;
    const bad = await call('POST', `${base('iam')}/securitygroups/${sg}/rules`, { type: 'sideways', protocol: 'tcp', port: '80' });
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_PARAMETER']);
    expect(bad.body.message).toContain("'type'");
    const r = await call('POST', `${base('iam')}/securitygroups/${sg}/rules`, { type: 'inbound', protocol: 'tcp', port: '8000-8080', target: '10.0.0.0/8' });
    expect((await call('GET', `${base('iam')}/securitygroups/${sg}`)).body.map((x) => x.port)).toEqual(['22', '8000-8080']);
    expect((await call('DELETE', `${base('iam')}/securitygroups/${sg}/rules/${r.body.id!}`)).status).toBe(204);
    const creatable = (await call('GET', `${base('dna')}/subnets/creatable`)).body;
    expect(creatable[0]).toEqual({ addr: subnetAddr, prefix: '24' });
    expect((await call('POST', `${base('dna')}/subnets`, { name: 'cb-net', addr: subnetAddr, prefix: '24' })).status).toBe(201);
    expect((await call('POST', `${base('dna')}/subnets`, { name: 'cb-net2', addr: '10.10.1.128', prefix: '25' })).body.code).toBe('SUBNET_OVERLAP');
  });

  it('creates a server with a key, maps an adaptive IP and runs a command over real SSH; shutdown, start, reboot, delete', async () => {
    const req = { templateId: CLOUDIT_TEMPLATES[0]!.id, specId: CLOUDIT_SPECS[0]!.id, name: 'vm-1', hostName: 'vm-1', rootPassword: 'weak', subnetAddr, secgroups: [{ id: sg }], description: '{"cb-vm":"vm-1"}', clusterId: CLOUDIT_CLUSTERS[1]!.id, sshKeyName: 'cb', sshPublicKey: key.publicKey };
    expect((await call('POST', `${base('ace')}/servers`, req)).body.code).toBe('INVALID_PASSWORD');
    const made = await call('POST', `${base('ace')}/servers`, { ...req, rootPassword: 'S3cret!pass' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'vm-1', state: 'Creating', clusterName: CLOUDIT_CLUSTERS[1]!.name, privateIp: '10.10.1.2', adaptiveIp: '', secgroups: [{ id: sg, name: 'cb-ssh' }] });
    expect(made.body.rootPassword).toBeUndefined();
    expect((await call('POST', `${base('ace')}/servers`, { ...req, rootPassword: 'S3cret!pass' })).body.code).toBe('DUPLICATE_NAME');
    const id = made.body.id!;
    await waitFor('Running', async () => ((await call('GET', `${base('ace')}/servers/${id}`)).body.state === 'Running' ? true : undefined));
    const [free] = (await call('GET', `${base('dna')}/ips`)).body;
    const aip = await call('POST', `${base('dna')}/adaptive-ips`, { ip: free!.addr!, name: 'vm-1', privateIp: '10.10.1.2' });
    expect(aip.body).toMatchObject({ ip: free!.addr!, privateIp: '10.10.1.2', vmName: 'vm-1' });
    expect((await call('GET', `${base('ace')}/servers/${id}`)).body.adaptiveIp).toBe(free!.addr!);
    const out = await waitFor('ssh', async () => sshExec(free!.addr!, t.twin.sshPort, 'root', key.privateKey, 'echo hello-$CB_TWIN_INSTANCE_ID').catch(() => undefined));
    expect(out.stdout.trim()).toBe(`hello-${id}`);

    expect((await call('POST', `${base('ace')}/servers/${id}/start`)).body).toMatchObject({ status: 409, code: 'INVALID_SERVER_STATE' });
    expect((await call('POST', `${base('ace')}/servers/${id}/shutdown`)).status).toBe(202);
    await waitFor('Stopped', async () => ((await call('GET', `${base('ace')}/servers/${id}`)).body.state === 'Stopped' ? true : undefined));
    expect((await call('POST', `${base('ace')}/servers/${id}/start`)).status).toBe(202);
    await waitFor('Running again', async () => ((await call('GET', `${base('ace')}/servers/${id}`)).body.state === 'Running' ? true : undefined));
    expect((await waitFor('ssh again', async () => sshExec(free!.addr!, t.twin.sshPort, 'root', key.privateKey, 'echo back').catch(() => undefined))).stdout.trim()).toBe('back');
    expect((await call('POST', `${base('ace')}/servers/${id}/reboot`)).status).toBe(202);
    expect(t.twin.instances().find((i) => i.instanceId === id)).toMatchObject({ provider: 'cloudit', region: CLOUDIT_CLUSTERS[1]!.name, publicIp: free!.addr!, sshUser: 'root' });

    expect((await call('DELETE', `${base('ace')}/servers/${id}`)).body.code).toBe('ADAPTIVE_IP_ATTACHED');
    expect((await call('DELETE', `${base('iam')}/securitygroups/${sg}`)).body.code).toBe('SECURITY_GROUP_IN_USE');
    expect((await call('DELETE', `${base('dna')}/adaptive-ips/${free!.addr!}`)).status).toBe(204);
    expect((await call('DELETE', `${base('ace')}/servers/${id}`)).status).toBe(204);
    await waitFor('gone', async () => ((await call('GET', `${base('ace')}/servers`)).body.length === 0 ? true : undefined));
    expect((await call('GET', `${base('ace')}/servers/${id}`)).body.code).toBe('SERVER_NOT_FOUND');
  });

  it('injects faults per cluster: a placement failure leaves a Failed server, other codes answer with their status', async () => {
    const set = await admin(t.twin, '/faults', { method: 'PUT', body: JSON.stringify([`cloudit:servers.create:NO_AVAILABLE_HOST:1@${CLOUDIT_CLUSTERS[0]!.name}#1`, 'cloudit:specs.list:TOO_MANY_REQUESTS:1#1']) });
    expect(set.status).toBe(200);
    const req = { templateId: CLOUDIT_TEMPLATES[0]!.id, specId: CLOUDIT_SPECS[0]!.id, name: 'vm-f', rootPassword: 'S3cret!pass', subnetAddr, secgroups: [{ id: sg }], clusterId: CLOUDIT_CLUSTERS[0]!.id };
    const made = await call('POST', `${base('ace')}/servers`, req);
    expect(made.body.state).toBe('Failed');
    expect((await call('GET', `${base('ace')}/specs`)).body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect((await call('DELETE', `${base('ace')}/servers/${made.body.id!}`)).status).toBe(204);
    expect((await call('GET', `${base('ace')}/servers`)).body).toEqual([]);
    expect((await admin(t.twin, '/iam', { method: 'PUT', body: JSON.stringify({ deny: ['cloudit:servers.*'] }) })).status).toBe(200);
    const denied = await call('POST', `${base('ace')}/servers`, { ...req, name: 'vm-d' });
    expect([denied.status, denied.body.code]).toEqual([403, 'PERMISSION_DENIED']);
    expect((await call('GET', `${base('ace')}/specs`)).status).toBe(200);
    await admin(t.twin, '/iam', { method: 'PUT', body: JSON.stringify({ deny: [] }) });
    expect((await call('GET', `${base('ace')}/servers`)).body).toEqual([]);
    const status = t.twin.status();
    expect(status.endpoints.cloudit).toBe(t.twin.endpoints.aws);
    expect(status.cloudit.zones).toEqual(CLOUDIT_CLUSTERS.map((c) => c.name));
  });

  it('keeps servers and adaptive IPs across a restart, with SSH back on the adaptive IP', async () => {
    const req = { templateId: CLOUDIT_TEMPLATES[0]!.id, specId: CLOUDIT_SPECS[0]!.id, name: 'vm-r', rootPassword: 'S3cret!pass', subnetAddr, secgroups: [{ id: sg }], sshPublicKey: key.publicKey };
    const id = (await call('POST', `${base('ace')}/servers`, req)).body.id!;
    const [free] = (await call('GET', `${base('dna')}/ips`)).body;
    const made = await call('GET', `${base('ace')}/servers/${id}`);
    await call('POST', `${base('dna')}/adaptive-ips`, { ip: free!.addr!, name: 'vm-r', privateIp: (made.body as { privateIp?: string }).privateIp });
    await waitFor('Running', async () => ((await call('GET', `${base('ace')}/servers/${id}`)).body.state === 'Running' ? true : undefined));
    const sshPort = t.twin.sshPort;
    await t.twin.close();
    t = await startTestTwin({ stateDir: t.stateDir, sshPort });
    const c = t.twin.credentials.cloudit;
    token = (await auth({ id: c.id, password: c.password, tenant: c.tenantId })).body.token!;
    const after = await waitFor('Running again', async () => {
      const s = (await call('GET', `${base('ace')}/servers/${id}`)).body;
      return s.state === 'Running' ? s : undefined;
    });
    expect(after.adaptiveIp).toBe(free!.addr);
    const out = await waitFor('ssh after restart', async () => sshExec(free!.addr!, sshPort, 'root', key.privateKey, 'echo again').catch(() => undefined));
    expect(out.stdout.trim()).toBe('again');
  });
});
