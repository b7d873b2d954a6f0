/**
 * The AWS driver against real EC2 response samples (Apache Libcloud's fixtures, copied into
 * test/fixtures/ec2 with their LICENSE and NOTICE), fed through the real SDK by a replaying
 * requestHandler. A few shapes Libcloud has no sample of are written inline, marked as such.
 */
import { inspect } from 'node:util';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '@cloud-barista/core';
import { classifyAwsCode, EC2_STATE_TO_STATUS, toVmStatus } from '../src/aws/index.js';
import { ec2Error, fixture, REPLAY_NET as NET, REPLAY_TAGS as TAGS, replayDriver, TEST_KEYS } from './replay.js';
import { expectStateMap } from './state-map.js';


/** describe_instances.xml with every instance put into `state`. */
function describeInState(state: string): string {
  return fixture('describe_instances.xml').replace(
    /<instanceState>\s*<code>\d+<\/code>\s*<name>[a-z-]+<\/name>/g,
    `<instanceState><code>0</code><name>${state}</name>`,
  );
}

/** Every instance state name that appears anywhere in the copied samples. */
function statesInSamples(): Set<string> {
  const dir = new URL('./fixtures/ec2/', import.meta.url);
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
    const xml = fixture(f);
    for (const m of xml.matchAll(
      /<(?:instanceState|currentState|previousState|shutdownState)>\s*<code>\d+<\/code>\s*<name>([a-z-]+)<\/name>/g,
    )) {
      if (m[1]) names.add(m[1]);
    }
  }
  return names;
}

// Written out by hand from EC2's documented instance states, not read from the map under test.
const EC2_BY_STATUS: Record<string, string[]> = { Creating: ['pending'], Running: ['running'], Suspending: ['stopping'], Suspended: ['stopped'], Terminating: ['shutting-down'], Terminated: ['terminated'] };

describe('state map', () => {
  it('maps every native EC2 state, and nothing else, to a common status', () => {
    expectStateMap(EC2_STATE_TO_STATUS, EC2_BY_STATUS);
    expect(toVmStatus('rebooting')).toBe('Undefined'); // not an EC2 state: rebooting stays "running"
    expect(toVmStatus(undefined)).toBe('Undefined');
  });

  it('covers every state found in the samples', () => {
    const seen = statesInSamples();
    expect([...seen].sort()).toEqual(['pending', 'running', 'shutting-down', 'stopped', 'stopping']);
    for (const s of seen) expect(toVmStatus(s)).not.toBe('Undefined');
  });

  it.each([...Object.entries(EC2_STATE_TO_STATUS), ['unknown-state', 'Undefined']])(
    'parses %s through the SDK as %s',
    async (native, status) => {
      const { driver } = replayDriver({ DescribeInstances: { body: describeInState(native) } });
      const vms = await driver.vms.describe(['i-4382922a', 'i-8474834a']);
      expect(vms.map((v) => [v.nativeState, v.status])).toEqual([
        [native, status],
        [native, status],
      ]);
    },
  );
});

describe('instances', () => {
  it('parses describe_instances: ids, state, ips, spec, zone, tags, launch time', async () => {
    const { driver, replay } = replayDriver({ DescribeInstances: { file: 'describe_instances.xml' } });
    const vms = await driver.vms.describe(['i-4382922a', 'i-8474834a', 'i-4382922a']);
    expect(vms).toEqual([
      {
        providerId: 'i-4382922a',
        status: 'Suspended',
        nativeState: 'stopped',
        publicIp: '1.2.3.4',
        privateIp: '10.211.11.211',
        spec: 'm1.small',
        image: 'ami-3215fe5a',
        zone: 'us-east-1d',
        tags: {},
        launchedAt: '2013-12-02T11:58:11.000Z',
      },
      expect.objectContaining({
        providerId: 'i-8474834a',
        publicIp: '1.2.3.5',
        privateIp: '172.16.9.139',
        tags: { Name: 'Test Server 2', Group: 'VPC Test' },
      }),
    ]);
    // Duplicates are asked once.
    expect([...replay.calls[0]!.params.keys()].filter((k) => k.startsWith('InstanceId.'))).toHaveLength(2);
  });

  it('create sends one instance with ClientToken, tags on instance and volume, and a public NIC', async () => {
    const { driver, replay } = replayDriver({
      RunInstances: { file: 'run_instances_with_subnet_and_security_group.xml' },
    });
    const vm = await driver.vms.create({
      name: 'web-1',
      spec: 't3.micro',
      imageId: 'ami-11111111',
      network: NET,
      keyName: 'cb-key',
      publicKey: 'ssh-ed25519 AAAA',
      sshUser: 'ubuntu',
      clientToken: 'tok-1',
      tags: { ...TAGS, 'cb-vm': 'web-1' },
    });
    expect(vm).toMatchObject({
      providerId: 'i-11111111',
      status: 'Creating',
      nativeState: 'pending',
      privateIp: '192.0.2.5',
    });
    const p = Object.fromEntries(replay.callsTo('RunInstances')[0]!.params);
    expect(p).toMatchObject({
      MinCount: '1',
      MaxCount: '1',
      ClientToken: 'tok-1',
      ImageId: 'ami-11111111',
      InstanceType: 't3.micro',
      KeyName: 'cb-key',
      'NetworkInterface.1.DeviceIndex': '0',
      'NetworkInterface.1.SubnetId': 'subnet-1',
      'NetworkInterface.1.SecurityGroupId.1': 'sg-1',
      'NetworkInterface.1.AssociatePublicIpAddress': 'true',
      'TagSpecification.1.ResourceType': 'instance',
      'TagSpecification.2.ResourceType': 'volume',
    });
    for (const n of [1, 2]) {
      const tags: Record<string, string> = {};
      for (let i = 1; p[`TagSpecification.${n}.Tag.${i}.Key`]; i++) {
        tags[p[`TagSpecification.${n}.Tag.${i}.Key`]!] = p[`TagSpecification.${n}.Tag.${i}.Value`]!;
      }
      expect(tags).toEqual({ ...TAGS, 'cb-vm': 'web-1', Name: 'web-1' });
    }
    expect(p['BlockDeviceMapping.1.DeviceName']).toBeUndefined();
  });

  it("create sizes the root volume on the image's own root device", async () => {
    const { driver, replay } = replayDriver({
      DescribeImages: { file: 'describe_images.xml' },
      RunInstances: { file: 'run_instances.xml' },
    });
    await driver.vms.create({
      name: 'db-1',
      spec: 'm1.small',
      imageId: 'ami-57ba933a',
      rootDiskGb: 40,
      network: NET,
      keyName: 'k',
      publicKey: 'ssh-ed25519 AAAA',
      sshUser: 'ubuntu',
      clientToken: 'tok-2',
      tags: TAGS,
    });
    const p = Object.fromEntries(replay.callsTo('RunInstances')[0]!.params);
    expect(p['BlockDeviceMapping.1.DeviceName']).toBe('/dev/sda1');
    expect(p['BlockDeviceMapping.1.Ebs.VolumeSize']).toBe('40');
  });

  it('a repeated create with the same token returns the same instance (run_instances_idem)', async () => {
    const { driver, replay } = replayDriver({ RunInstances: { file: 'run_instances_idem.xml' } });
    const req = {
      name: 'web-1',
      spec: 'm1.small',
      imageId: 'ami-be3adfd7',
      network: NET,
      keyName: 'k',
      publicKey: 'ssh-ed25519 AAAA',
      sshUser: 'ubuntu',
      clientToken: 'testclienttoken',
      tags: TAGS,
    };
    const [a, b] = [await driver.vms.create(req), await driver.vms.create(req)];
    expect(a.providerId).toBe('i-2ba64342');
    expect(b.providerId).toBe(a.providerId);
    expect(replay.callsTo('RunInstances').map((c) => c.params.get('ClientToken'))).toEqual([
      'testclienttoken',
      'testclienttoken',
    ]);
  });

  it('IdempotentParameterMismatch (run_instances_idem_mismatch) is a non-retryable conflict', async () => {
    const { driver } = replayDriver({
      RunInstances: { status: 400, file: 'run_instances_idem_mismatch.xml' },
    });
    const err = await driver.vms
      .create({
        name: 'web-1',
        spec: 'm1.small',
        imageId: 'ami-1',
        network: NET,
        keyName: 'k',
        publicKey: 'ssh-ed25519 AAAA',
        sshUser: 'ubuntu',
        clientToken: 't',
        tags: TAGS,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({
      code: 'IdempotentParameterMismatch',
      errorClass: 'conflict',
      retryable: false,
      httpStatus: 400,
    });
  });

  it('describe drops ids that vanished (InvalidInstanceID.NotFound) and returns the rest', async () => {
    const { driver, replay } = replayDriver({
      DescribeInstances: (params) =>
        params.has('InstanceId.1')
          ? {
              status: 400,
              body: ec2Error('InvalidInstanceID.NotFound', "The instance ID 'i-gone' does not exist"),
            }
          : { file: 'describe_instances.xml' },
    });
    const vms = await driver.vms.describe(['i-4382922a', 'i-8474834a', 'i-gone']);
    expect(vms.map((v) => v.providerId)).toEqual(['i-4382922a', 'i-8474834a']);
    const retry = replay.calls[1]!.params;
    expect(retry.get('Filter.1.Name')).toBe('instance-id');
    expect(retry.getAll('Filter.1.Value.3')).toEqual(['i-gone']);
  });

  it('describe batches ids by 1000 and follows NextToken', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `i-${i.toString(16).padStart(8, '0')}`);
    const page2 = describeInState('running');
    const page1 = page2.replace('<reservationSet>', '<nextToken>tok-2</nextToken><reservationSet>');
    const { driver, replay } = replayDriver({
      DescribeInstances: (params) => ({ body: params.get('NextToken') === 'tok-2' ? page2 : page1 }),
    });
    const vms = await driver.vms.describe(ids);
    const first = replay.calls.filter((c) => !c.params.has('NextToken'));
    expect(
      first.map((c) => [...c.params.keys()].filter((k) => k.startsWith('InstanceId.')).length).sort(),
    ).toEqual([1000, 1000, 500]);
    expect(replay.calls).toHaveLength(6);
    expect(vms).toHaveLength(12);
  });

  it('findByTags filters by tag:KEY and pages with MaxResults', async () => {
    const { driver, replay } = replayDriver({ DescribeInstances: { file: 'describe_instances.xml' } });
    await driver.vms.findByTags({ 'cb-managed': 'true', 'cb-mcis': 'm1' });
    const p = Object.fromEntries(replay.calls[0]!.params);
    expect(p).toMatchObject({
      'Filter.1.Name': 'tag:cb-managed',
      'Filter.1.Value.1': 'true',
      'Filter.2.Name': 'tag:cb-mcis',
      'Filter.2.Value.1': 'm1',
      MaxResults: '1000',
    });
  });

  it('suspend, resume, reboot, terminate parse the samples and batch ids', async () => {
    const { driver, replay } = replayDriver({
      StopInstances: { file: 'stop_instances.xml' },
      StartInstances: { file: 'start_instances.xml' },
      RebootInstances: { file: 'reboot_instances.xml' },
      TerminateInstances: { file: 'terminate_instances.xml' },
    });
    const ids = Array.from({ length: 1001 }, (_, i) => `i-${i}`);
    await driver.vms.suspend(ids);
    await driver.vms.resume(['i-2ba64342']);
    await driver.vms.reboot(['i-2ba64342']);
    await driver.vms.terminate(['i-4382922a']);
    expect(replay.calls.map((c) => c.action)).toEqual([
      'StopInstances',
      'StopInstances',
      'StartInstances',
      'RebootInstances',
      'TerminateInstances',
    ]);
  });

  it('terminate treats ids that are already gone as done and still terminates the rest', async () => {
    const { driver, replay } = replayDriver({
      TerminateInstances: [
        { status: 400, body: ec2Error('InvalidInstanceID.NotFound') },
        { file: 'terminate_instances.xml' },
      ],
      DescribeInstances: (params) =>
        params.has('InstanceId.1')
          ? { status: 400, body: ec2Error('InvalidInstanceID.NotFound') }
          : { file: 'describe_instances.xml' },
    });
    await driver.vms.terminate(['i-4382922a', 'i-8474834a', 'i-gone']);
    const last = replay.callsTo('TerminateInstances')[1]!.params;
    expect([last.get('InstanceId.1'), last.get('InstanceId.2'), last.get('InstanceId.3')]).toEqual([
      'i-4382922a',
      'i-8474834a',
      null,
    ]);
  });
});

describe('errors', () => {
  it.each([
    ['RequestLimitExceeded', 'throttled', true],
    ['InsufficientInstanceCapacity', 'capacity', true],
    ['InstanceLimitExceeded', 'quota', false],
    ['VcpuLimitExceeded', 'quota', false],
    ['VpcLimitExceeded', 'quota', false],
    ['InvalidInstanceID.NotFound', 'not-found', false],
    ['InvalidKeyPair.NotFound', 'not-found', false],
    ['InvalidAMIID.NotFound', 'not-found', false],
    ['AuthFailure', 'auth', false],
    ['UnauthorizedOperation', 'auth', false],
    ['InvalidParameterValue', 'invalid', false],
    ['InvalidInstanceID.Malformed', 'invalid', false],
    ['MissingParameter', 'invalid', false],
    ['InvalidKeyPair.Duplicate', 'conflict', false],
    ['InvalidGroup.InUse', 'conflict', false],
    ['DependencyViolation', 'conflict', false],
    ['IncorrectInstanceState', 'conflict', false],
    ['InternalError', 'unavailable', true],
    ['Unavailable', 'unavailable', true],
    ['SomethingNew', 'other', false],
  ] as const)('%s → %s through the SDK', async (code, errorClass, retryable) => {
    // EC2 sends capacity and internal errors as 5xx, auth errors as 401/403, the rest as 400.
    const status =
      errorClass === 'unavailable'
        ? 503
        : errorClass === 'capacity'
          ? 500
          : errorClass === 'auth'
            ? 403
            : 400;
    const { driver } = replayDriver(
      { DescribeInstances: { status, body: ec2Error(code) } },
      { maxAttempts: 1 },
    );
    const err = await driver.vms.findByTags(TAGS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ provider: 'aws', code, errorClass, retryable });
    expect(classifyAwsCode(code, status)).toBe(errorClass);
  });

  it('classifies by code and status only, never by message text', () => {
    expect(classifyAwsCode('Whatever', 500)).toBe('unavailable');
    expect(classifyAwsCode('Whatever', 429)).toBe('throttled');
    expect(classifyAwsCode('Whatever')).toBe('other');
  });

  it('the sample InvalidKeyPair.NotFound error parses into a not-found ProviderError', async () => {
    const { driver } = replayDriver({
      ImportKeyPair: { status: 400, file: 'describe_key_pairs_doesnt_exist.xml' },
    });
    const err = await driver.keys
      .ensureKeyPair({ name: 'test-key-pair', publicKey: 'ssh-ed25519 AAAA', tags: TAGS })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidKeyPair.NotFound', errorClass: 'not-found' });
    expect((err as Error).message).toContain("The key pair 'test-key-pair' does not exist");
  });

  it('retries throttling with backoff and succeeds', async () => {
    const { driver, replay } = replayDriver({
      DescribeInstances: [
        { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
        { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
        { file: 'describe_instances.xml' },
      ],
    });
    const vms = await driver.vms.describe(['i-4382922a']);
    expect(vms).toHaveLength(2);
    expect(replay.calls).toHaveLength(3);
  });

  it('retries 5xx and gives up after maxAttempts with a retryable error', async () => {
    const { driver, replay } = replayDriver(
      { DescribeInstances: { status: 500, body: ec2Error('InternalError') } },
      { maxAttempts: 2 },
    );
    const err = await driver.vms.describe(['i-1']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InternalError', errorClass: 'unavailable', retryable: true });
    expect(replay.calls).toHaveLength(2);
  });

  it('does not retry client errors', async () => {
    const { driver, replay } = replayDriver({
      DescribeInstances: { status: 400, body: ec2Error('InvalidParameterValue') },
    });
    await expect(driver.vms.findByTags(TAGS)).rejects.toThrow(ProviderError);
    expect(replay.calls).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('signs with the access key id and never puts the secret on the wire or in an error', async () => {
    const secret = TEST_KEYS.kind === 'aws-keys' ? TEST_KEYS.secretAccessKey : '';
    const { driver, replay } = replayDriver(
      { DescribeInstances: { status: 403, body: ec2Error('AuthFailure', `echo ${secret} back`) } },
      { maxAttempts: 1 },
    );
    const err = await driver.vms.findByTags(TAGS).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'auth' });
    const auth = replay.calls[0]!.headers.authorization ?? '';
    expect(auth).toContain('Credential=AKIAREPLAYTESTKEY000/');
    expect(JSON.stringify(replay.calls.map((c) => [c.headers, c.params.toString()]))).not.toContain(secret);
    for (const text of [
      String(err),
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      (err as Error).stack ?? '',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
