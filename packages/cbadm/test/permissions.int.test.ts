/**
 * End to end: `cbadm connection test` names the permissions a credential lacks. One permission per
 * cloud is denied on the twin (`cbadm twin iam`, i.e. `PUT /_twin/iam`); the built CLI reports it under
 * `missing` with the fix and exits 3 (partial: the connection works, not everything is allowed);
 * a mutating command then fails with the cloud's own authorization error naming the permission.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureToken, twinAdminFetch } from './twin-ec2.js';
import { Cli, manifestYaml } from './harness.js';

const cli = new Cli();
let adminUrl = '';
let azureEndpoint = '';
let caFile = '';

interface Check {
  permission: string;
  neededFor: string;
  status: 'allowed' | 'denied' | 'unknown';
  why?: string;
}
interface TestResult {
  connection: string;
  permissions: Check[];
  missing: string[];
  unverified: string[];
}
interface Conn {
  name: string;
  provider: string;
  subscription?: string;
}

/** Through `cbadm twin iam` (PUT /_twin/iam); the admin API then lists exactly what was denied. */
const deny = async (permissions: string[]) => {
  const set = await cli.json<{ deny: string[] }>(['twin', 'iam', ...(permissions.length ? permissions : ['--clear'])]);
  expect(set.deny).toEqual(permissions);
  expect(((await (await twinAdminFetch(cli.twinDir, adminUrl, '/iam')).json()) as { deny: string[] }).deny).toEqual(permissions);
};

/** Creates an Azure resource group on the twin (ARM answers permission queries per group). */
async function createGroup(subscription: string, group: string): Promise<number> {
  const url = new URL(`/subscriptions/${subscription}/resourcegroups/${group}?api-version=2021-04-01`, azureEndpoint);
  const token = await azureToken(cli.twinDir, azureEndpoint, caFile);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', ca: readFileSync(caFile), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ location: 'koreacentral' }));
  });
}

async function testJson(name: string): Promise<{ code: number | null; result: TestResult; error?: { kind: string; message: string; hint?: string } }> {
  const r = await cli.run(['connection', 'test', name, '--json']);
  const out = JSON.parse(r.stdout) as TestResult | { error: { kind: string; message: string; hint?: string }; result: TestResult };
  return 'error' in out ? { code: r.code, result: out.result, error: out.error } : { code: r.code, result: out };
}

beforeAll(async () => {
  const up = await cli.json<{ adminUrl: string; endpoints: { azure: string }; caFile: string }>(['twin', 'up', '--boot-delay', '200ms']);
  adminUrl = up.adminUrl;
  azureEndpoint = up.endpoints.azure;
  caFile = up.caFile;
  await cli.json(['twin', 'connect']);
});
afterAll(() => cli.dispose());

describe('cbadm connection test names missing permissions', () => {
  it('twin iam refuses what is not a permission, and permissions together with --clear (exit 2, nothing changed)', async () => {
    await deny(['ec2:RunInstances']);
    const bad = await cli.run(['twin', 'iam', 'run instances', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/Cloud-Twin refused: deny entries must be permission names like ec2:RunInstances/);
    const both = await cli.run(['twin', 'iam', 'ec2:StopInstances', '--clear', '--json']);
    expect(both.code).toBe(2);
    expect(both.stdout).toMatch(/not both/);
    expect((await cli.json<{ deny: string[] }>(['twin', 'iam'])).deny).toEqual(['ec2:RunInstances']);
    await deny([]);
  });

  it('everything allowed: exit 0, every permission listed as allowed', async () => {
    await deny([]);
    const t = await testJson('twin-aws-ap-northeast-2');
    expect(t.code).toBe(0);
    expect(t.result.missing).toEqual([]);
    expect(t.result.permissions.length).toBeGreaterThan(10);
    expect(t.result.permissions.every((p) => p.status === 'allowed')).toBe(true);
    const table = await cli.run(['connection', 'test', 'twin-aws-ap-northeast-2']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Permissions: (\d+) of \1 allowed, 0 missing/);
  });

  it('one denied action per cloud: named under missing with the fix, exit 3', async () => {
    const conns = await cli.json<Conn[]>(['connection', 'list']);
    const az = conns.find((c) => c.provider === 'azure' && c.name === 'twin-azure-koreacentral') ?? conns.find((c) => c.provider === 'azure');
    expect(az?.subscription).toBeTruthy();
    expect(await createGroup(az!.subscription!, `cb-${az!.name}`)).toBe(201);
    // OpenStack: Keystone then issues tokens without the member role (the default policies' writer).
    await deny(['ec2:RunInstances', 'compute.instances.create', 'Microsoft.Compute/virtualMachines/write', 'ecs:RunInstances', 'role:member']);

    for (const [name, permission, neededFor] of [
      ['twin-aws-ap-northeast-2', 'ec2:RunInstances', 'create VMs'],
      ['twin-gcp-asia-northeast3', 'compute.instances.create', 'create VMs'],
      [az!.name, 'Microsoft.Compute/virtualMachines/write', 'create VMs'],
      ['twin-alibaba-ap-northeast-2', 'ecs:RunInstances', 'create VMs'],
      ['twin-openstack-regionone', 'role:member', 'create and delete VMs, networks, security groups and key pairs'],
    ] as const) {
      const t = await testJson(name);
      expect(t.code, name).toBe(3);
      expect(t.result.missing).toEqual([permission]);
      expect(t.result.permissions.find((p) => p.permission === permission)).toMatchObject({ status: 'denied', neededFor });
      expect(t.error).toMatchObject({ kind: 'partial' });
      expect(t.error?.hint).toContain(`grant ${permission}`);
    }

    // For people: the table names it and what to grant; stdout still carries the result.
    const table = await cli.run(['connection', 'test', 'twin-gcp-asia-northeast3']);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/compute\.instances\.create\s*│\s*denied\s*│\s*create VMs/);
    expect(table.stdout).toContain('Grant: compute.instances.create');
    expect(table.stderr).toContain('lacks 1 permission(s) cbadm needs: compute.instances.create');
    // Secrets never travel in the result.
    for (const out of [table.stdout, table.stderr]) expect(out).not.toMatch(/PRIVATE KEY|twin-secret/);
  });

  it('a mutating command with the permission denied fails with the cloud error naming it', async () => {
    await deny(['ec2:RunInstances']);
    const file = join(cli.home, 'denied.yaml');
    writeFileSync(file, manifestYaml('denied', [{ name: 'seoul', connection: 'twin-aws-ap-northeast-2', count: 1 }]));
    const r = await cli.run(['mcis', 'create', '-f', file, '--json']);
    expect(r.code).toBe(3); // every VM failed under the continue policy: the record stays, a partial result
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toContain('UnauthorizedOperation');
    expect(out).toContain('ec2:RunInstances');
    await deny([]);
    await cli.run(['mcis', 'delete', 'denied', '--yes', '--force']);
  });
});
