/**
 * Cloud-Twin's ECS RPC API: Apache Libcloud's ECS driver (a client written elsewhere, signature v1,
 * XML) builds a network and instances and lists them, moves one between security groups; raw v1-signed calls check the wire rules
 * (JSON answers with RequestId, error JSON with Code/Message/Recommend and ECS's statuses, expired
 * timestamps, reused nonces, DryRun, faults, RAM denials, paging) and a restart keeps instances.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHmac, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../../test-support/tools.js';
import { startTestTwin, type TestTwin } from '../../test/helpers.js';
import { percentEncode } from './signature.js';

const REGION = 'ap-northeast-2';
const SCRIPT = fileURLToPath(new URL('../../test/libcloud-ecs.py', import.meta.url));

/** /usr/bin/python3 with python3-libcloud, by the optionalTool rule (skip locally, fail under CI). */
function libcloudPython(): string | undefined {
  const py = optionalTool('/usr/bin/python3', 'apt-get install -y python3 python3-libcloud');
  if (!py) return undefined;
  if (spawnSync(py, ['-c', 'import libcloud.compute.drivers.ecs'], { stdio: 'ignore' }).status === 0) return py;
  if (process.env.CI === 'true') throw new Error('CI=true and python3-libcloud is missing (apt-get install -y python3-libcloud)');
  process.stderr.write('SKIP checks that need Apache Libcloud: apt-get install -y python3-libcloud\n');
  return undefined;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

let t: TestTwin;

/** One ECS call signed with signature v1, as the aliyun CLI and older SDKs send it. */
async function ecs(action: string, params: Record<string, string> = {}, o: { secret?: string; timestamp?: string; nonce?: string; format?: string } = {}): Promise<Answer> {
  const { accessKeyId, accessKeySecret } = t.twin.credentials.alibaba;
  const all: Record<string, string> = {
    Action: action,
    Version: '2014-05-26',
    Format: o.format ?? 'JSON',
    AccessKeyId: accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: o.nonce ?? randomUUID(),
    Timestamp: o.timestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(action === 'DescribeRegions' ? {} : { RegionId: REGION }),
    ...params,
  };
  const canonical = Object.keys(all)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(all[k]!)}`)
    .join('&');
  const signature = createHmac('sha1', `${o.secret ?? accessKeySecret}&`).update(`GET&%2F&${percentEncode(canonical)}`).digest('base64');
  const res = await fetch(`${t.twin.endpoints.alibaba}/?${canonical}&Signature=${percentEncode(signature)}`);
  const text = await res.text();
  return { status: res.status, text, body: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function network(): Promise<{ vpc: string; vsw: string; sg: string }> {
  const vpc = (await ecs('CreateVpc', { CidrBlock: '10.10.0.0/16' })).body.VpcId as string;
  const vsw = (await ecs('CreateVSwitch', { VpcId: vpc, ZoneId: `${REGION}-a`, CidrBlock: '10.10.1.0/24' })).body.VSwitchId as string;
  const sg = (await ecs('CreateSecurityGroup', { VpcId: vpc })).body.SecurityGroupId as string;
  return { vpc, vsw, sg };
}

beforeAll(async () => {
  // Long enough that an instance is still Pending a few calls after its launch, on a busy machine too.
  t = await startTestTwin({ bootDelayMs: 400 });
});

afterAll(async () => {
  await t?.cleanup();
});

describe('ECS RPC API', () => {
  it('Apache Libcloud lists the regions, sizes and the nodes the twin runs; a wrong secret is SignatureDoesNotMatch', async () => {
    const py = libcloudPython();
    if (!py) return;
    const u = new URL(t.twin.endpoints.alibaba);
    const env = { ...process.env, ECS_HOST: u.hostname, ECS_PORT: u.port, ECS_KEY: t.twin.credentials.alibaba.accessKeyId, ECS_SECRET: t.twin.credentials.alibaba.accessKeySecret, ECS_REGION: REGION };
    // Asynchronously: the twin answers from this very process.
    const run = await promisify(execFile)(py, [SCRIPT], { env, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { ids: string[]; idempotent: boolean; sizes: string[]; locations: string[]; zones: string[]; nodes: { id: string; state: string; public_ips: string[] }[]; after_stop: string[]; attributes: string[][]; joined: boolean; left: boolean; groups: boolean; last: string | null };
    expect(out.ids).toHaveLength(2);
    expect(out.idempotent).toBe(true);
    expect(out.locations.length).toBeGreaterThanOrEqual(6);
    expect(out.sizes).toContain('ecs.g7.large');
    expect(out.zones).toEqual([`${REGION}-a`]);
    const running = t.twin.instances(REGION).filter((i) => i.provider === 'alibaba');
    expect(out.nodes.map((n) => n.id).sort()).toEqual(running.map((i) => i.instanceId).sort());
    for (const n of out.nodes) {
      expect(n.state).toBe('running');
      expect(n.public_ips[0]).toMatch(/^127\./);
    }
    // The second node still runs (the script stopped the first): same address as the twin's VM.
    expect(out.nodes[1]?.public_ips).toEqual([running.find((i) => i.instanceId === out.nodes[1]?.id)?.publicIp]);
    // Security groups after launch: a port rule read back, join and leave, never the last group.
    expect(out.attributes).toEqual([['TCP', '8080/8090', 'Accept']]);
    expect([out.joined, out.left, out.groups]).toEqual([true, true, true]);
    expect(out.last).toContain('InstanceLastSecurityGroup');
    // Libcloud's map: ECS Stopping → pending, Stopped → stopped.
    expect(['pending', 'stopped']).toContain(out.after_stop[0]);
    const wrong = await promisify(execFile)(py, [SCRIPT], { env: { ...env, ECS_WRONG: '1' }, encoding: 'utf8', timeout: 30_000 });
    expect((JSON.parse(wrong.stdout) as { error: string }).error).toContain('SignatureDoesNotMatch');
  }, 90_000);

  it('answers JSON with a RequestId, and ECS error JSON with its statuses', async () => {
    const regions = await ecs('DescribeRegions', { AcceptLanguage: 'en-US' });
    expect(regions.status).toBe(200);
    expect(regions.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    const list = (regions.body.Regions as { Region: { RegionId: string; LocalName: string }[] }).Region;
    expect(list.find((r) => r.RegionId === 'ap-southeast-1')?.LocalName).toBe('Singapore');
    const zones = await ecs('DescribeZones', {}, { format: 'XML' });
    expect(zones.text).toMatch(/^<\?xml version='1.0' encoding='UTF-8'\?><DescribeZonesResponse><RequestId>/);

    const wrong = await ecs('DescribeInstances', {}, { secret: 'wrong' });
    expect([wrong.status, wrong.body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
    expect(wrong.body.Recommend).toMatch(/^https:\/\/api\.aliyun\.com\/troubleshoot\?q=SignatureDoesNotMatch/);
    expect(wrong.body.HostId).toBe('ecs.aliyuncs.com');
    const old = await ecs('DescribeInstances', {}, { timestamp: '2020-01-01T00:00:00Z' });
    expect(old.body.Code).toBe('InvalidTimeStamp.Expired');
    const nonce = randomUUID();
    expect((await ecs('DescribeInstances', {}, { nonce })).status).toBe(200);
    expect((await ecs('DescribeInstances', {}, { nonce })).body.Code).toBe('SignatureNonceUsed');
    const gone = await ecs('DescribeInstances', { InstanceIds: '["i-mjnosuchinstance0000"]' });
    expect(gone.body.TotalCount).toBe(0);
    const missing = await ecs('StopInstances', { 'InstanceId.1': 'i-mjnosuchinstance0000' });
    expect([missing.status, missing.body.Code]).toEqual([404, 'InvalidInstanceId.NotFound']);
    expect((await ecs('NoSuchAction')).body.Code).toBe('InvalidAction.NotFound');
  });

  it('prices instance types per region, and refuses types a zone does not sell', async () => {
    const seoul = await ecs('DescribePrice', { InstanceType: 'ecs.g7.large', ZoneId: `${REGION}-a` });
    const price = (seoul.body.PriceInfo as { Price: { TradePrice: number; Currency: string } }).Price;
    expect(price.Currency).toBe('USD');
    expect(price.TradePrice).toBeGreaterThan(0.1);
    const types = (await ecs('DescribeInstanceTypes', { 'InstanceTypes.1': 'ecs.gn6i-c4g1.xlarge' })).body.InstanceTypes as { InstanceType: Record<string, unknown>[] };
    expect(types.InstanceType[0]).toMatchObject({ CpuCoreCount: 4, MemorySize: 15, GPUAmount: 1, GPUSpec: 'NVIDIA T4' });
    const notSold = await ecs('DescribePrice', { RegionId: 'cn-hangzhou', InstanceType: 'ecs.gn6i-c4g1.xlarge', ZoneId: 'cn-hangzhou-k' });
    expect(notSold.body.Code).toBe('InvalidInstanceType.ValueNotSupported');
  });

  it('launches idempotently by ClientToken, pages DescribeInstances, and releases a running instance only with Force, a pending one not at all', async () => {
    const n = await network();
    const run = { ImageId: 'debian_12_7_x64_20G_alibase_20241008.vhd', InstanceType: 'ecs.c7.large', VSwitchId: n.vsw, SecurityGroupId: n.sg, Amount: '3', ClientToken: 'tok-1', 'Tag.1.Key': 'suite', 'Tag.1.Value': 'paging' };
    const a = (await ecs('RunInstances', run)).body.InstanceIdSets as { InstanceIdSet: string[] };
    const b = (await ecs('RunInstances', run)).body.InstanceIdSets as { InstanceIdSet: string[] };
    expect(b.InstanceIdSet).toEqual(a.InstanceIdSet);
    expect((await ecs('RunInstances', { ...run, InstanceType: 'ecs.g7.large' })).body.Code).toBe('IdempotentParameterMismatch');
    const page1 = await ecs('DescribeInstances', { PageSize: '2', 'Tag.1.Key': 'suite', 'Tag.1.Value': 'paging' });
    const page2 = await ecs('DescribeInstances', { PageSize: '2', PageNumber: '2', 'Tag.1.Key': 'suite', 'Tag.1.Value': 'paging' });
    expect(page1.body.TotalCount).toBe(3);
    const ids = [page1, page2].flatMap((p) => (p.body.Instances as { Instance: { InstanceId: string }[] }).Instance.map((i) => i.InstanceId));
    expect(ids.sort()).toEqual([...a.InstanceIdSet].sort());
    // No InternetMaxBandwidthOut: no public IP, and the VM is not reachable from outside.
    const first = (page1.body.Instances as { Instance: { PublicIpAddress: { IpAddress: string[] }; VpcAttributes: { PrivateIpAddress: { IpAddress: string[] } } }[] }).Instance[0]!;
    expect(first.PublicIpAddress.IpAddress).toEqual([]);
    expect(first.VpcAttributes.PrivateIpAddress.IpAddress[0]).toMatch(/^10\.10\.1\.\d+$/);
    const dry = await ecs('RunInstances', { ...run, ClientToken: 'tok-dry', DryRun: 'true' });
    expect([dry.status, dry.body.Code]).toEqual([400, 'DryRunOperation']);
    // Still Pending: not even Force releases it.
    const all = Object.fromEntries(a.InstanceIdSet.map((id, i) => [`InstanceId.${i + 1}`, id]));
    expect((await ecs('DeleteInstances', { ...all, Force: 'true' })).body.Code).toBe('IncorrectInstanceStatus');
    for (let i = 0; i < 100 && (await ecs('DescribeInstances', { Status: 'Running', 'Tag.1.Key': 'suite', 'Tag.1.Value': 'paging' })).body.TotalCount !== 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const refused = await ecs('DeleteInstances', { 'InstanceId.1': a.InstanceIdSet[0]! });
    expect([refused.status, refused.body.Code]).toEqual([403, 'IncorrectInstanceStatus']);
    expect((await ecs('DeleteVSwitch', { VSwitchId: n.vsw })).body.Code).toBe('DependencyViolation.Instance');
    expect((await ecs('DeleteInstances', { ...all, Force: 'true' })).status).toBe(200);
    expect((await ecs('DescribeInstances', { 'Tag.1.Key': 'suite', 'Tag.1.Value': 'paging' })).body.TotalCount).toBe(0);
  });

  it('injects faults (alibaba:RunInstances:OperationDenied.NoStock) and RAM denials (twin iam ecs:…)', async () => {
    const n = await network();
    const run = { ImageId: 'ubuntu_22_04_x64_20G_alibase_20240926.vhd', InstanceType: 'ecs.t6-c1m1.large', VSwitchId: n.vsw, SecurityGroupId: n.sg };
    t.twin.faults.set(['alibaba:RunInstances:OperationDenied.NoStock:1@ap-northeast-2#1']);
    const noStock = await ecs('RunInstances', run);
    expect([noStock.status, noStock.body.Code]).toEqual([403, 'OperationDenied.NoStock']);
    t.twin.faults.iam.set(['ecs:RunInstances']);
    const denied = await ecs('RunInstances', { ...run, DryRun: 'true' });
    expect([denied.status, denied.body.Code]).toEqual([403, 'Forbidden.RAM']);
    expect(JSON.parse(denied.body.AccessDeniedDetail as string)).toMatchObject({ AuthAction: 'ecs:RunInstances' });
    t.twin.faults.iam.set([]);
    t.twin.faults.set(['alibaba:*:Throttling:1#1']);
    expect((await ecs('DescribeVpcs')).status).toBe(503);
    expect((await ecs('DescribeVpcs')).status).toBe(200);
    expect(t.twin.status().endpoints.alibaba).toBe(t.twin.endpoints.alibaba);
  });

  it('keeps networks, key pairs and instances across a restart; a running instance gets SSH again', async () => {
    const n = await network();
    const run = (await ecs('RunInstances', { ImageId: 'ubuntu_24_04_x64_20G_alibase_20241115.vhd', InstanceType: 'ecs.g7.large', VSwitchId: n.vsw, SecurityGroupId: n.sg, InternetMaxBandwidthOut: '10', ClientToken: 'restart-1' })).body;
    const id = (run.InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet[0]!;
    const running = async () => {
      for (let i = 0; i < 100; i++) {
        const inst = ((await ecs('DescribeInstances', { InstanceIds: JSON.stringify([id]) })).body.Instances as { Instance: { Status: string; PublicIpAddress: { IpAddress: string[] } }[] }).Instance[0];
        if (inst?.Status === 'Running' && inst.PublicIpAddress.IpAddress[0]) return inst.PublicIpAddress.IpAddress[0];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${id} never ran`);
    };
    const ip = await running();
    const stateDir = t.stateDir;
    await t.twin.close();
    t = await startTestTwin({ stateDir, sshPort: t.twin.sshPort });
    expect(await running()).toBe(ip);
    expect(t.twin.status().alibaba.instances.Running).toBeGreaterThanOrEqual(1);
    // The same ClientToken still answers the same instance.
    const again = (await ecs('RunInstances', { ImageId: 'ubuntu_24_04_x64_20G_alibase_20241115.vhd', InstanceType: 'ecs.g7.large', VSwitchId: n.vsw, SecurityGroupId: n.sg, InternetMaxBandwidthOut: '10', ClientToken: 'restart-1' })).body;
    expect((again.InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet).toEqual([id]);
    expect(t.twin.instances(REGION).find((i) => i.instanceId === id)).toMatchObject({ provider: 'alibaba', sshUser: 'root', publicIp: ip });
  });
});
