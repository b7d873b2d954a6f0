/**
 * Each driver's permission check against Cloud-Twin, through the real SDKs: with nothing denied
 * everything is allowed; with one permission denied over the admin API (`PUT /_twin/iam`) exactly
 * that one is reported missing, and the driver's real call fails with the cloud's own authorization
 * error and a hint naming the permission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type CloudDriver, type PermissionCheck } from '@cloud-barista/core';
import { createAwsDriver } from '../src/aws/index.js';
import { dryRunVerdict } from '../src/aws/permissions.js';
import { buildAzureDriver } from '../src/azure/index.js';
import { isAllowed } from '../src/azure/permissions.js';
import { buildGcpDriver } from '../src/gcp/index.js';
import { azureConnection, bootTwin, CLIENT_SECRET, sdkClients, type Twin } from './azure-twin.js';
import { credentialFor, gcpConnection, twinKey } from './gcp-twin.js';

let twin: Twin;
let cleanup: () => Promise<void>;
const drivers: CloudDriver[] = [];

async function deny(permissions: string[]): Promise<void> {
  const res = await fetch(`${twin.adminUrl}/iam`, { method: 'PUT', headers: { authorization: `Bearer ${twin.credentials.admin}` }, body: JSON.stringify({ deny: permissions }) });
  expect(res.status).toBe(200);
}

function aws(): CloudDriver {
  const d = createAwsDriver({
    connection: { name: 'twin-aws', provider: 'aws', region: 'ap-northeast-2', endpoint: twin.endpoints.aws, sshPort: twin.sshPort, labels: {}, createdAt: new Date().toISOString() },
    credentials: { kind: 'aws-keys', ...twin.credentials.aws },
    maxAttempts: 1,
  });
  drivers.push(d);
  return d;
}

function gcp(): CloudDriver {
  const d = buildGcpDriver({ connection: gcpConnection(twin), credentials: credentialFor(twinKey(twin).json), maxAttempts: 1 });
  drivers.push(d);
  return d;
}

function azure(rg = 'cb-perm-rg'): CloudDriver {
  const d = buildAzureDriver({ connection: azureConnection(twin, { resourceGroup: rg }), credentials: CLIENT_SECRET, maxAttempts: 1 }, { retryDelayMs: 10 });
  drivers.push(d);
  return d;
}

const denied = (checks: PermissionCheck[]) => checks.filter((c) => c.status === 'denied').map((c) => c.permission);
const unknown = (checks: PermissionCheck[]) => checks.filter((c) => c.status === 'unknown');

async function providerError(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

beforeAll(async () => {
  const booted = await bootTwin(20_000 + Math.floor(Math.random() * 40_000));
  twin = booted.twin;
  cleanup = () => booted.cleanup();
  // ARM answers permission queries per resource group: make the group the Azure checks ask about.
  const sdk = sdkClients(twin);
  await sdk.resources.resourceGroups.createOrUpdate('cb-perm-rg', { location: 'koreacentral' });
  sdk.close();
});

afterAll(async () => {
  for (const d of drivers) d.close();
  await cleanup();
});

describe('permission checks against Cloud-Twin', () => {
  it('with nothing denied, every permission of every driver is allowed', async () => {
    await deny([]);
    for (const d of [aws(), gcp(), azure()]) {
      const checks = await d.checkPermissions!();
      expect(checks.length).toBeGreaterThan(10);
      expect(checks.filter((c) => c.status !== 'allowed')).toEqual([]);
    }
  });

  it('AWS: a denied action is the one DryRun reports UnauthorizedOperation for; the real call names it', async () => {
    await deny(['ec2:RunInstances']);
    const d = aws();
    const checks = await d.checkPermissions!();
    expect(denied(checks)).toEqual(['ec2:RunInstances']);
    expect(checks.find((c) => c.permission === 'ec2:RunInstances')).toMatchObject({ status: 'denied', why: 'UnauthorizedOperation', neededFor: 'create VMs' });
    expect(unknown(checks)).toEqual([]);
    // Tag-on-create needs ec2:CreateTags too: a denied CreateTags fails the create that tags.
    await deny(['ec2:CreateTags']);
    const net = await providerError(d.network.ensureDefault({ name: 'perm', tags: { 'cb-managed': 'true', 'cb-test': 'perm' } }));
    expect(net.code).toBe('UnauthorizedOperation');
    expect(net.message).toContain('not authorized to perform: ec2:CreateTags');
    expect(net.hint).toContain('lacks ec2:CreateTags');
  });

  it('AWS: what a dry-run answer means', () => {
    const err = (code: string) => new ProviderError({ provider: 'aws', code, message: 'm', errorClass: 'other', retryable: false });
    expect(dryRunVerdict(err('DryRunOperation'))).toEqual({ status: 'allowed' });
    expect(dryRunVerdict(err('UnauthorizedOperation')).status).toBe('denied');
    const notFound = dryRunVerdict(err('InvalidInstanceID.NotFound'));
    expect(notFound.status).toBe('unknown');
    expect(notFound.why).toContain('InvalidInstanceID.NotFound');
  });

  it('GCP: testIamPermissions leaves out the denied permission; the real call fails naming it', async () => {
    await deny(['compute.firewalls.create']);
    const d = gcp();
    const checks = await d.checkPermissions!();
    expect(denied(checks)).toEqual(['compute.firewalls.create']);
    expect(unknown(checks)).toEqual([]);
    const e = await providerError(d.network.ensureDefault({ name: 'perm', tags: { 'cb-managed': 'true', 'cb-test': 'perm' } }));
    expect(e).toMatchObject({ code: 'forbidden', errorClass: 'auth', httpStatus: 403 });
    expect(e.message).toMatch(/Required 'compute\.firewalls\.create' permission for 'projects\/cb-twin-project\/global\/firewalls\//);
    expect(e.hint).toContain('compute.firewalls.create');
  });

  it('Azure: the permissions API lists the denial as a notAction; the real call is AuthorizationFailed naming it', async () => {
    await deny(['Microsoft.Network/virtualNetworks/write']);
    const d = azure();
    const checks = await d.checkPermissions!();
    expect(denied(checks)).toEqual(['Microsoft.Network/virtualNetworks/write']);
    const e = await providerError(d.network.ensureDefault({ name: 'perm', tags: { 'cb-managed': 'true', 'cb-test': 'perm' } }));
    expect(e).toMatchObject({ code: 'AuthorizationFailed', errorClass: 'auth', httpStatus: 403 });
    expect(e.message).toContain("perform action 'Microsoft.Network/virtualNetworks/write' over scope '/subscriptions/");
    expect(e.hint).toContain('Microsoft.Network/virtualNetworks/write');
  });

  it('Azure: before the resource group exists, every action is unknown and says why', async () => {
    await deny([]);
    const checks = await azure('cb-no-such-group').checkPermissions!();
    expect(checks.every((c) => c.status === 'unknown' && /cb-no-such-group does not exist yet/.test(c.why ?? ''))).toBe(true);
  });

  it("Azure: ARM's actions / notActions rule, with wildcards, case-insensitive", () => {
    const contributor = [{ actions: ['*'], notActions: ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/*/Delete'] }];
    expect(isAllowed('Microsoft.Compute/virtualMachines/write', contributor)).toBe(true);
    expect(isAllowed('Microsoft.Authorization/roleAssignments/write', contributor)).toBe(false);
    const vmOnly = [{ actions: ['Microsoft.Compute/virtualMachines/*'] }, { actions: ['microsoft.network/*/read'] }];
    expect(isAllowed('Microsoft.Compute/virtualMachines/start/action', vmOnly)).toBe(true);
    expect(isAllowed('Microsoft.Network/virtualNetworks/read', vmOnly)).toBe(true);
    expect(isAllowed('Microsoft.Network/virtualNetworks/write', vmOnly)).toBe(false);
  });
});
