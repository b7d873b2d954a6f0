/**
 * The Alibaba driver's own checks against Cloud-Twin, through the official SDK (ACS3-HMAC-SHA256):
 * a wrong AccessKey secret is SignatureDoesNotMatch (an auth error), `connection test`'s permission
 * probe (DryRun) reports a RAM denial, a NoStock fault is a capacity error, prices come from
 * DescribePrice, the region list carries zones, and the MCIS firewall (a security group per MCIS)
 * is realised as ECS's own API shows it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '@cloud-barista/core';
import { buildAlibabaDriver } from '../src/alibaba/index.js';
import * as Ecs from '@alicloud/ecs20140526';
import { alibabaConnection, bootTwin, credentialFor, ecsClient, REGION, type Twin } from './alibaba-twin.js';
import { freePort } from '../../../test-support/net.js';

// A port nothing listens on: two runs on one host do not meet.
const SSH_PORT = await freePort();
let twin: Twin;
let close: () => Promise<void>;

const driver = (secret?: string) =>
  buildAlibabaDriver(
    {
      connection: alibabaConnection(twin),
      credentials: secret ? { kind: 'alibaba-access-key', accessKeyId: twin.credentials.alibaba.accessKeyId, accessKeySecret: secret } : credentialFor(twin),
      maxAttempts: 1,
    },
    { backoff: { minDelayMs: 10, maxDelayMs: 50 } },
  );

beforeAll(async () => {
  const t = await bootTwin(SSH_PORT);
  twin = t.twin;
  close = () => t.close();
});

afterAll(async () => {
  await close?.();
});

describe('alibaba driver on Cloud-Twin', () => {
  it('pings with the right AccessKey; a wrong secret is SignatureDoesNotMatch, and the secret is never echoed', async () => {
    expect((await driver().ping()).region).toBe('ap-northeast-2');
    const err = await driver('wrong-secret-value').ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'SignatureDoesNotMatch', errorClass: 'auth' });
    expect((err as Error).message).not.toContain('wrong-secret-value');
  });

  it("uses Alibaba's credential chain: ALIBABA_CLOUD_ACCESS_KEY_* variables, a ~/.alibabacloud/credentials profile, the aliyun CLI's ~/.aliyun/config.json", async () => {
    const { accessKeyId, accessKeySecret } = twin.credentials.alibaba;
    const saved = { ...process.env };
    const dir = mkdtempSync(join(tmpdir(), 'cb-alibaba-chain-'));
    // Nothing outside loopback: no ECS metadata service, no aliyun CLI config of the developer's.
    const isolated = { HOME: dir, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' };
    const chain = () => buildAlibabaDriver({ connection: alibabaConnection(twin), credentials: { kind: 'default-chain' }, maxAttempts: 1 });
    try {
      Object.assign(process.env, isolated, { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret });
      expect((await chain().ping()).region).toBe('ap-northeast-2');
      delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
      delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
      const file = join(dir, 'credentials');
      writeFileSync(file, `[default]\ntype = access_key\naccess_key_id = ${accessKeyId}\naccess_key_secret = ${accessKeySecret}\n`, { mode: 0o600 });
      process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = file;
      expect((await chain().ping()).region).toBe('ap-northeast-2');
      // The aliyun CLI's own profiles (~/.aliyun/config.json), current profile in AK mode.
      delete process.env.ALIBABA_CLOUD_CREDENTIALS_FILE;
      delete process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED;
      mkdirSync(join(dir, '.aliyun'), { mode: 0o700 });
      const profile = { current: 'twin', profiles: [{ name: 'twin', mode: 'AK', access_key_id: accessKeyId, access_key_secret: accessKeySecret, region_id: 'ap-northeast-2' }] };
      writeFileSync(join(dir, '.aliyun', 'config.json'), JSON.stringify(profile), { mode: 0o600 });
      expect((await chain().ping()).region).toBe('ap-northeast-2');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks permissions by dry runs: all allowed, then ecs:RunInstances denied by `twin iam`', async () => {
    const all = await driver().checkPermissions!();
    expect(all.find((p) => p.permission === 'ecs:RunInstances')?.status).toBe('allowed');
    expect(all.find((p) => p.permission === 'ecs:DeleteInstances')?.status).toBe('allowed');
    twin.faults.iam.set(['ecs:RunInstances']);
    try {
      const checks = await driver().checkPermissions!();
      expect(checks.find((p) => p.permission === 'ecs:RunInstances')).toMatchObject({ status: 'denied', why: 'Forbidden.RAM' });
      expect(checks.filter((p) => p.status === 'denied')).toHaveLength(1);
      // The firewall's actions have no dry run: asked about ids no account has, RAM still answers first.
      for (const p of ['ecs:ModifyInstanceAttribute', 'ecs:RevokeSecurityGroup', 'ecs:DescribeSecurityGroupAttribute']) expect(all.find((c) => c.permission === p)?.status, p).toBe('allowed');
      twin.faults.iam.set(['ecs:ModifyInstanceAttribute', 'ecs:RevokeSecurityGroup']);
      const fw = (await driver().checkPermissions!()).filter((p) => p.status === 'denied');
      expect(fw.map((p) => [p.permission, p.why])).toEqual([
        ['ecs:RevokeSecurityGroup', 'Forbidden.RAM'],
        ['ecs:ModifyInstanceAttribute', 'Forbidden.RAM'],
      ]);
    } finally {
      twin.faults.iam.set([]);
    }
  });

  it('reports OperationDenied.NoStock as capacity, with the RAM hint when denied', async () => {
    const d = driver();
    const net = await d.network.ensureDefault({ name: 'cb-twin-int', tags: { 'cb-managed': 'true' } });
    const image = await d.catalog.resolveImage('debian-12');
    expect(image).toMatchObject({ sshUser: 'root', os: 'Debian 12' });
    const req = { name: 'web-1', spec: 'ecs.c7.large', imageId: image.id, network: net, keyName: '', publicKey: '', sshUser: 'root', clientToken: 'tok-nostock', tags: {} };
    twin.faults.set(['alibaba:RunInstances:OperationDenied.NoStock:1#1']);
    await expect(d.vms.create(req)).rejects.toMatchObject({ code: 'OperationDenied.NoStock', errorClass: 'capacity' });
    twin.faults.iam.set(['ecs:Run*']);
    try {
      const denied = await d.vms.create(req).catch((e: unknown) => e);
      expect(denied).toMatchObject({ code: 'Forbidden.RAM', errorClass: 'auth' });
      expect((denied as ProviderError).hint).toContain('ecs:RunInstances');
    } finally {
      twin.faults.iam.set([]);
    }
    await d.network.deleteDefault(net);
  });

  it('keeps an MCIS firewall: its group is the only one of instances launched with it or moved onto it later, holding exactly the rules', async () => {
    const d = driver();
    const ecs = ecsClient(twin);
    const tags = { 'cb-managed': 'true', 'cb-mcis': 'fw' };
    const net = await d.network.ensureDefault({ name: 'cb-twin-fw', tags: { 'cb-managed': 'true' } });
    const fw = await d.firewall!.ensure({ name: 'cb-default-fw', network: net, tags });
    expect(await d.firewall!.ensure({ name: 'cb-default-fw', network: net, tags })).toEqual(fw);
    const image = await d.catalog.resolveImage('debian-12');
    const req = { spec: 'ecs.c7.large', imageId: image.id, network: net, keyName: '', publicKey: '', sshUser: 'root', tags };
    const withIt = await d.vms.create({ ...req, name: 'fw-1', clientToken: 'tok-fw-1', firewall: fw });
    const before = await d.vms.create({ ...req, name: 'fw-2', clientToken: 'tok-fw-2' });
    const groupsOf = async (id: string) => (await ecs.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([id]) }))).body?.instances?.instance?.[0]?.securityGroupIds?.securityGroupId;
    expect(await groupsOf(withIt.providerId)).toEqual([fw.id]);
    expect(await groupsOf(before.providerId)).toEqual([net.securityGroupId]);
    // Attached while still starting: ECS moves it once it runs.
    await d.firewall!.attach(fw, { network: net, providerIds: [before.providerId, 'i-gone0000000000000000'] });
    expect(await groupsOf(before.providerId)).toEqual([fw.id]);
    const rules = [
      { protocol: 'tcp' as const, fromPort: 22, toPort: 22, source: '10.0.0.0/8' },
      { protocol: 'udp' as const, fromPort: 0, toPort: 65535, source: '192.0.2.7/32' },
    ];
    // A rule added outside (ALL from anywhere) is revoked: the group holds exactly the rules.
    await ecs.authorizeSecurityGroup(new Ecs.AuthorizeSecurityGroupRequest({ regionId: REGION, securityGroupId: fw.id, ipProtocol: 'all', portRange: '-1/-1', sourceCidrIp: '0.0.0.0/0' }));
    await d.firewall!.setRules(fw, { network: net, rules, targets: [] });
    const held = (await ecs.describeSecurityGroupAttribute(new Ecs.DescribeSecurityGroupAttributeRequest({ regionId: REGION, securityGroupId: fw.id }))).body?.permissions?.permission ?? [];
    expect(held.map((p) => [p.ipProtocol, p.portRange, p.sourceCidrIp])).toEqual([
      ['TCP', '22/22', '10.0.0.0/8'],
      ['UDP', '1/65535', '192.0.2.7/32'],
    ]);
    expect((await d.firewall!.read(fw, net)).rules).toEqual(rules);
    expect(await d.firewall!.list(net)).toEqual([fw]);
    await d.vms.terminate([withIt.providerId, before.providerId]);
    await d.firewall!.delete({ name: fw.name, network: net });
    expect(await d.firewall!.list(net)).toEqual([]);
    await d.network.deleteDefault(net);
  }, 60_000);

  it('lists regions with zones, GPU specs, and DescribePrice prices', async () => {
    const d = driver();
    const regions = await d.catalog.listRegions();
    expect(regions.length).toBeGreaterThanOrEqual(6);
    expect(regions.find((r) => r.name === 'cn-hangzhou')?.zones).toEqual(['cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k']);
    const specs = await d.catalog.listSpecs();
    expect(specs.find((s) => s.name === 'ecs.gn6i-c4g1.xlarge')?.gpu).toEqual({ model: 'NVIDIA T4', count: 1, memoryGiB: 16 });
    const { prices, source } = await d.catalog.listPrices!();
    expect(source).toMatch(/DescribePrice/);
    const g7 = prices.find((p) => p.spec === 'ecs.g7.large')?.pricePerHour ?? 0;
    expect(g7).toBeGreaterThan(0.05);
    expect(prices.find((p) => p.spec === 'ecs.g7.xlarge')?.pricePerHour).toBeCloseTo(g7 * 2, 2);
  });
});
