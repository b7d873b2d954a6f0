/**
 * The Alibaba driver against real ECS response samples (Apache Libcloud's fixtures, copied into
 * test/fixtures/ecs with their LICENSE and NOTICE), fed through the real SDK by a replaying server.
 * Error bodies Libcloud has no sample of are written inline from ECS's error reference, marked so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '@cloud-barista/core';
import { classifyAlibabaCode, ECS_STATUS_TO_STATUS, toVmStatus } from '../src/alibaba/index.js';
import { ecsFixture, type Replay, replayDriver } from './alibaba-replay.js';
import { expectStateMap } from './state-map.js';

// Written out by hand from ECS's documented instance lifecycle, not read from the map under test.
const ECS_BY_STATUS: Record<string, string[]> = {
  Creating: ['Pending', 'Starting'],
  Running: ['Running'],
  Suspending: ['Stopping'],
  Suspended: ['Expired', 'Stopped'],
  Terminated: ['Deleted'],
};

/** Every instance Status in the copied samples. */
function statusesInSamples(): Set<string> {
  const dir = new URL('./fixtures/ecs/', import.meta.url);
  const out = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('instances.xml'))) {
    for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/<Status>([A-Za-z]+)<\/Status>/g)) out.add(m[1]!);
  }
  return out;
}

/** An ECS error body (inline: Libcloud has no error sample), as ECS's error reference shows it. */
function ecsError(code: string, message: string) {
  return { RequestId: '7C0F7A5B-8D2B-4E1B-9B0A-4C6E5D4A3B21', HostId: 'ecs.aliyuncs.com', Code: code, Message: message, Recommend: `https://api.aliyun.com/troubleshoot?q=${code}&product=Ecs` };
}

let replay: Replay | undefined;
afterEach(async () => {
  await replay?.close();
  replay = undefined;
});

describe('state map', () => {
  it('maps ECS statuses to common ones', () => {
    expectStateMap(ECS_STATUS_TO_STATUS, ECS_BY_STATUS);
    expect(toVmStatus('Rebuilding')).toBe('Undefined');
  });

  it('knows every status in the recorded samples', () => {
    const seen = statusesInSamples();
    expect([...seen].sort()).toEqual(['Running', 'Starting', 'Stopped']);
    for (const s of seen) expect(toVmStatus(s)).not.toBe('Undefined');
  });
});

describe('replayed samples through the SDK', () => {
  it('reads instances: status, addresses, type, zone, launch time', async () => {
    replay = await replayDriver({
      DescribeInstances: [{ json: ecsFixture('describe_instances.xml') }, { json: ecsFixture('stop_node_describe_instances.xml') }, { json: ecsFixture('create_node_describe_instances.xml') }],
    });
    const [starting] = await replay.driver.vms.describe(['i-28n7dkvov']);
    expect(starting).toMatchObject({ providerId: 'i-28n7dkvov', status: 'Creating', nativeState: 'Starting', spec: 'ecs.t1.small', zone: 'cn-qingdao-b', publicIp: '114.215.124.73' });
    expect(starting?.launchedAt).toBe('2015-12-27T07:35:00.000Z');
    const [stopped] = await replay.driver.vms.describe(['i-28n7dkvov']);
    expect([stopped?.status, stopped?.nativeState]).toEqual(['Suspended', 'Stopped']);
    const [running] = await replay.driver.vms.describe(['i-28n7dkvov']);
    expect(running?.status).toBe('Running');
  });

  it('lists the specs the zone sells (DescribeZones ∩ DescribeInstanceTypes) and the regions', async () => {
    replay = await replayDriver({
      DescribeZones: [{ json: ecsFixture('describe_zones.xml') }],
      DescribeInstanceTypes: [{ json: ecsFixture('describe_instance_types.xml') }],
      DescribeRegions: [{ json: ecsFixture('describe_regions.xml') }],
    });
    const specs = await replay.driver.catalog.listSpecs();
    expect(specs.map((s) => s.name)).toEqual(['ecs.s2.small', 'ecs.t1.xsmall']);
    expect(specs.find((s) => s.name === 'ecs.t1.xsmall')).toMatchObject({ vcpu: 1, memoryGiB: 0.5, arch: 'x86_64' });
    const regions = await replay.driver.catalog.listRegions();
    expect(regions.map((r) => r.name)).toContain('cn-qingdao');
    expect(regions.find((r) => r.name === 'cn-qingdao')?.zones).toEqual(['cn-qingdao-b']);
  });

  it('retries Throttling until it passes, and maps NoStock to a capacity error with a hint (inline bodies)', async () => {
    replay = await replayDriver({
      DescribeInstances: [{ status: 503, json: ecsError('Throttling', 'Request was denied due to request throttling.') }, { json: ecsFixture('stop_node_describe_instances.xml') }],
      RunInstances: [{ status: 403, json: ecsError('OperationDenied.NoStock', 'Sales of this resource are temporarily suspended in the specified region; please try again later.') }],
    });
    expect((await replay.driver.vms.describe(['i-28n7dkvov']))[0]?.status).toBe('Suspended');
    expect(replay.asked.filter((a) => a === 'DescribeInstances')).toHaveLength(2);
    const net = { networkId: 'vpc-1', subnetId: 'vsw-1', securityGroupId: 'sg-1', extra: {} };
    const err = await replay.driver.vms
      .create({ name: 'web-1', spec: 'ecs.g7.large', imageId: 'ubuntu', network: net, keyName: 'k', publicKey: 'ssh-ed25519 AAAA', sshUser: 'root', clientToken: 'tok', tags: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'OperationDenied.NoStock', errorClass: 'capacity', retryable: true, httpStatus: 403 });
    expect((err as ProviderError).hint).toMatch(/another zone or spec/);
    expect((err as ProviderError).message).not.toContain('replay-secret-not-real');
  });

  it('waits while ECS refuses to release an instance that is still starting (inline bodies)', async () => {
    replay = await replayDriver({
      DeleteInstances: [{ status: 403, json: ecsError('IncorrectInstanceStatus', 'The current status of the resource does not support this operation.') }, { json: { RequestId: 'replay' } }],
    });
    await replay.driver.vms.terminate(['i-28n7dkvov']);
    expect(replay.asked).toEqual(['DeleteInstances', 'DeleteInstances']);
  });

  it('classifies ECS error codes', () => {
    const table: [string, number | undefined, string][] = [
      ['OperationDenied.NoStock', 403, 'capacity'],
      ['InvalidInstanceType.NotSupported', 400, 'capacity'],
      ['Throttling', 503, 'throttled'],
      ['Throttling.User', 400, 'throttled'],
      ['IncorrectInstanceStatus', 403, 'conflict'],
      ['DependencyViolation.VSwitch', 400, 'conflict'],
      ['Forbidden.RAM', 403, 'auth'],
      ['SignatureDoesNotMatch', 400, 'auth'],
      ['InvalidAccessKeyId.NotFound', 404, 'auth'],
      ['InvalidInstanceId.NotFound', 404, 'not-found'],
      ['QuotaExceed.PostPaidInstance', 403, 'quota'],
      ['ServiceUnavailable', 503, 'unavailable'],
      ['InvalidParameter', 400, 'invalid'],
      ['SomethingNew', 500, 'unavailable'],
    ];
    for (const [code, status, cls] of table) expect([code, classifyAlibabaCode(code, status)]).toEqual([code, cls]);
  });
});
