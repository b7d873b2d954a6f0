/**
 * Denied permissions (`PUT /_twin/iam`) on each API: EC2 DryRun and real calls, Resource Manager
 * testIamPermissions and GCE calls, ARM Microsoft.Authorization/permissions and ARM calls.
 */
import { CreateVpcCommand, DescribeVpcsCommand, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gceToken } from '../test/gce.js';
import { admin, azureCall, azureToken, ec2Client, ec2Error, startTestTwin, type TestTwin } from '../test/helpers.js';

let t: TestTwin;
const SUB = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';

beforeAll(async () => {
  t = await startTestTwin({ bootDelayMs: 0, stopDelayMs: 0 });
});
afterAll(() => t.cleanup());

const deny = (body: unknown) => admin(t.twin, '/iam', { method: 'PUT', body: JSON.stringify(body) });

async function arm(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = { authorization: `Bearer ${await azureToken(t.twin)}`, 'content-type': 'application/json' };
  const r = await azureCall(t.twin, method, path, { headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, json: r.body };
}

describe('the admin route', () => {
  it('sets, lists and validates the deny list', async () => {
    expect(await (await deny({ deny: ['ec2:RunInstances', 'compute.instances.*', 'Microsoft.Compute/virtualMachines/write'] })).json()).toEqual({
      deny: ['ec2:RunInstances', 'compute.instances.*', 'Microsoft.Compute/virtualMachines/write'],
    });
    expect(((await (await admin(t.twin, '/iam')).json()) as { deny: string[] }).deny).toContain('ec2:RunInstances');
    const bad = await deny({ deny: ['rm -rf'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/permission names like ec2:RunInstances/);
  });
});

describe('EC2', () => {
  it('DryRun: DryRunOperation when allowed, UnauthorizedOperation naming the action when denied; MissingParameter first', async () => {
    await deny({ deny: ['ec2:StopInstances'] });
    const c = ec2Client(t.twin, 'ap-northeast-2');
    expect(await ec2Error(c.send(new CreateVpcCommand({ DryRun: true, CidrBlock: '10.0.0.0/16' })))).toMatchObject({ name: 'DryRunOperation', status: 412 });
    const denied = await ec2Error(c.send(new StopInstancesCommand({ DryRun: true, InstanceIds: ['i-0123456789abcdef0'] })));
    expect(denied).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });
    expect(denied.message).toMatch(/^You are not authorized to perform this operation\. User: arn:aws:iam::\d{12}:user\/\S+ is not authorized to perform: ec2:StopInstances on resource: arn:aws:ec2:ap-northeast-2:\d{12}:instance\/i-0123456789abcdef0 .*Encoded authorization failure message: \S+$/);
    expect(await ec2Error(c.send(new RunInstancesCommand({ DryRun: true, MinCount: 1, MaxCount: 1 })))).toMatchObject({ name: 'MissingParameter' });
    c.destroy();
  });

  it('a real call that tags on create needs ec2:CreateTags too, and a denied call changes nothing', async () => {
    await deny({ deny: ['ec2:CreateTags'] });
    const c = ec2Client(t.twin, 'eu-west-1');
    const e = await ec2Error(c.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'k', Value: 'v' }] }] })));
    expect(e.name).toBe('UnauthorizedOperation');
    expect(e.message).toContain('perform: ec2:CreateTags');
    const vpcs = await c.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr-block', Values: ['10.9.0.0/16'] }] }));
    expect(vpcs.Vpcs ?? []).toEqual([]);
    c.destroy();
  });
});

describe('GCP', () => {
  const test = async (body: unknown, auth?: string) =>
    fetch(`${t.twin.endpoints.gcp}/v1/projects/cb-twin-project:testIamPermissions`, { method: 'POST', headers: { authorization: auth ?? `Bearer ${await gceToken(t.twin)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('testIamPermissions answers the subset held; refuses wildcards and anonymous callers', async () => {
    await deny({ deny: ['compute.instances.create'] });
    expect(await (await test({ permissions: ['compute.instances.create', 'compute.instances.delete'] })).json()).toEqual({ permissions: ['compute.instances.delete'] });
    expect(await (await test({ permissions: ['compute.instances.create'] })).json()).toEqual({});
    expect((await test({ permissions: ['compute.*'] })).status).toBe(400);
    expect((await test({ permissions: [] }, '')).status).toBe(401);
    expect(await (await test({ permissions: [] }, 'Bearer ya29.not-from-the-twin')).json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'authError' }] } });
  });

  it("a denied GCE call is 403 forbidden: Required '…' permission for the resource", async () => {
    await deny({ deny: ['compute.networks.create'] });
    const res = await fetch(`${t.twin.endpoints.gcp}/compute/v1/projects/cb-twin-project/global/networks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await gceToken(t.twin)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'net-1', autoCreateSubnetworks: false }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        code: 403,
        message: "Required 'compute.networks.create' permission for 'projects/cb-twin-project/global/networks/net-1'",
        errors: [{ message: "Required 'compute.networks.create' permission for 'projects/cb-twin-project/global/networks/net-1'", domain: 'global', reason: 'forbidden' }],
      },
    });
  });
});

describe('Azure', () => {
  it('permissions per resource group: actions * minus the denied as notActions; 404 for a group that does not exist', async () => {
    await deny({ deny: ['Microsoft.Compute/virtualMachines/write'] });
    expect((await arm('PUT', `/subscriptions/${SUB}/resourcegroups/rg1?api-version=2021-04-01`, { location: 'koreacentral' })).status).toBe(201);
    const p = await arm('GET', `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`);
    expect(p).toEqual({ status: 200, json: { value: [{ actions: ['*'], notActions: ['Microsoft.Compute/virtualMachines/write'], dataActions: [], notDataActions: [] }] } });
    const missing = await arm('GET', `/subscriptions/${SUB}/resourceGroups/nope/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`);
    expect(missing).toMatchObject({ status: 404, json: { error: { code: 'ResourceGroupNotFound' } } });
  });

  it('a denied ARM call is 403 AuthorizationFailed naming the action and scope', async () => {
    await deny({ deny: ['Microsoft.Network/virtualNetworks/write'] });
    const path = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet1`;
    const r = await arm('PUT', `${path}?api-version=2024-05-01`, { location: 'koreacentral', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } } });
    expect(r.status).toBe(403);
    const error = r.json.error as { code: string; message: string };
    expect(error.code).toBe('AuthorizationFailed');
    expect(error.message).toContain(`perform action 'Microsoft.Network/virtualNetworks/write' over scope '${path}'`);
  });
});
