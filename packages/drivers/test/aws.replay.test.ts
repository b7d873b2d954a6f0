/**
 * The AWS driver against real EC2 response samples (Apache Libcloud's fixtures, copied into
 * test/fixtures/ec2 with their LICENSE and NOTICE), fed through the real SDK by a replaying
 * requestHandler. A few shapes Libcloud has no sample of are written inline, marked as such.
 */
import { inspect } from 'node:util';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProviderError, UsageError, VM_STATUSES } from '@cloud-barista/core';
import { classifyAwsCode, EC2_STATE_TO_STATUS, toVmStatus } from '../src/aws/index.js';
import { emptySet, ec2Error, fixture, replayDriver, TEST_KEYS } from './replay.js';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const TAGS = { 'cb-managed': 'true', 'cb-connection': 'replay' };
const NET = { networkId: 'vpc-1', subnetId: 'subnet-1', securityGroupId: 'sg-1', extra: {} };

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
const EC2_EXPECTED = {
  pending: 'Creating',
  running: 'Running',
  stopping: 'Suspending',
  stopped: 'Suspended',
  'shutting-down': 'Terminating',
  terminated: 'Terminated',
} as const;

describe('state map', () => {
  it('maps every native EC2 state, and nothing else, to a common status', () => {
    expect(EC2_STATE_TO_STATUS).toEqual(EC2_EXPECTED);
    for (const s of Object.values(EC2_STATE_TO_STATUS)) expect(VM_STATUSES).toContain(s);
    expect(toVmStatus('rebooting')).toBe('Undefined'); // not an EC2 state: rebooting stays "running"
    expect(toVmStatus(undefined)).toBe('Undefined');
  });

  it('covers every state found in the samples', () => {
    const seen = statesInSamples();
    expect([...seen].sort()).toEqual(['pending', 'running', 'shutting-down', 'stopped', 'stopping']);
    for (const s of seen) expect(toVmStatus(s)).not.toBe('Undefined');
  });

  it.each([...Object.entries(EC2_EXPECTED), ['unknown-state', 'Undefined']])(
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

describe('catalog', () => {
  it('resolves an alias to the newest image of the official owner and name pattern', async () => {
    const { driver, replay } = replayDriver({ DescribeImages: { file: 'describe_images.xml' } });
    const img = await driver.catalog.resolveImage('ubuntu-22.04');
    // The sample's newest (and only dated) image wins.
    expect(img).toMatchObject({
      id: 'ami-57ba933a',
      os: 'Ubuntu 22.04',
      arch: 'x86_64',
      createdAt: '2021-01-10T18:24:00.000Z',
    });
    const p = Object.fromEntries(replay.calls[0]!.params);
    expect(p).toMatchObject({
      'Owner.1': '099720109477',
      'Filter.1.Name': 'name',
      'Filter.1.Value.1': 'ubuntu/images/hvm-ssd*/ubuntu-jammy-22.04-amd64-server-*',
    });
  });

  it.each([
    ['ubuntu-24.04', '099720109477', 'ubuntu/images/hvm-ssd*/ubuntu-noble-24.04-amd64-server-*'],
    ['debian-12', '136693071363', 'debian-12-amd64-*'],
  ])('%s asks owner %s for %s', async (alias, owner, pattern) => {
    const { driver, replay } = replayDriver({ DescribeImages: { file: 'describe_images.xml' } });
    await driver.catalog.resolveImage(alias);
    expect(replay.calls[0]!.params.get('Owner.1')).toBe(owner);
    expect(replay.calls[0]!.params.get('Filter.1.Value.1')).toBe(pattern);
  });

  it('resolves an ami id; a missing one is a UsageError', async () => {
    const { driver } = replayDriver({
      DescribeImages: (params) =>
        params.get('ImageId.1') === 'ami-57ba933a'
          ? { file: 'describe_images.xml' }
          : { status: 400, body: ec2Error('InvalidAMIID.NotFound') },
    });
    expect((await driver.catalog.resolveImage('ami-57ba933a')).name).toBe('Test Image');
    await expect(driver.catalog.resolveImage('ami-0000dead')).rejects.toThrow(UsageError);
  });

  it('an unknown image is a UsageError naming it and the aliases, without any call', async () => {
    const { driver, replay } = replayDriver({});
    const err = await driver.catalog.resolveImage('windows-11').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/windows-11.*ubuntu-22\.04, ubuntu-24\.04, debian-12/);
    expect(replay.calls).toHaveLength(0);
  });

  it('an alias with no match in the region is a UsageError', async () => {
    const { driver } = replayDriver({ DescribeImages: { body: emptySet('DescribeImages', 'imagesSet') } });
    await expect(driver.catalog.resolveImage('debian-12')).rejects.toThrow(UsageError);
  });

  it('lists specs across pages without prices', async () => {
    // Inline: Libcloud's describe_instance_types.xml is Eucalyptus-shaped, not EC2's. This follows
    // the EC2 API Reference's DescribeInstanceTypes response.
    const type = (name: string, vcpu: number, mib: number, arch: string) =>
      `<item><instanceType>${name}</instanceType><vCpuInfo><defaultVCpus>${vcpu}</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>${mib}</sizeInMiB></memoryInfo><processorInfo><supportedArchitectures><item>${arch}</item></supportedArchitectures></processorInfo></item>`;
    const page = (items: string, next?: string) =>
      `<DescribeInstanceTypesResponse xmlns="${NS}"><requestId>r</requestId><instanceTypeSet>${items}</instanceTypeSet>${next ? `<nextToken>${next}</nextToken>` : ''}</DescribeInstanceTypesResponse>`;
    const { driver, replay } = replayDriver({
      DescribeInstanceTypes: (p) =>
        p.get('NextToken') === 'n2'
          ? { body: page(type('t4g.small', 2, 2048, 'arm64')) }
          : { body: page(type('t3.micro', 2, 1024, 'x86_64') + type('m5.large', 2, 8192, 'x86_64'), 'n2') },
    });
    expect(await driver.catalog.listSpecs()).toEqual([
      { name: 'm5.large', vcpu: 2, memoryGiB: 8, arch: 'x86_64' },
      { name: 't3.micro', vcpu: 2, memoryGiB: 1, arch: 'x86_64' },
      { name: 't4g.small', vcpu: 2, memoryGiB: 2, arch: 'arm64' },
    ]);
    expect(replay.calls).toHaveLength(2);
  });

  it('lists regions with their zones', async () => {
    // Inline DescribeRegions (no Libcloud sample); zones come from describe_availability_zones.xml.
    const regions = `<DescribeRegionsResponse xmlns="${NS}"><requestId>r</requestId><regionInfo><item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item></regionInfo></DescribeRegionsResponse>`;
    const { driver } = replayDriver({
      DescribeRegions: { body: regions },
      DescribeAvailabilityZones: { file: 'describe_availability_zones.xml' },
    });
    expect(await driver.catalog.listRegions()).toEqual([
      { name: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] },
    ]);
  });

  it('ping times DescribeAvailabilityZones', async () => {
    const { driver } = replayDriver({
      DescribeAvailabilityZones: { file: 'describe_availability_zones.xml' },
    });
    const r = await driver.ping();
    expect(r.region).toBe('us-east-1');
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

/** Route tables: Libcloud has no samples; shapes follow the EC2 API Reference. */
const RT = {
  DescribeRouteTables: { body: emptySet('DescribeRouteTables', 'routeTableSet') },
  CreateRouteTable: {
    body: `<CreateRouteTableResponse xmlns="${NS}"><requestId>r</requestId><routeTable><routeTableId>rtb-f9ad4890</routeTableId><vpcId>vpc-ad3527cf</vpcId><routeSet><item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state></item></routeSet><associationSet/><tagSet/></routeTable></CreateRouteTableResponse>`,
  },
  CreateRoute: {
    body: `<CreateRouteResponse xmlns="${NS}"><requestId>r</requestId><return>true</return></CreateRouteResponse>`,
  },
  AssociateRouteTable: {
    body: `<AssociateRouteTableResponse xmlns="${NS}"><requestId>r</requestId><associationId>rtbassoc-f8ad4891</associationId></AssociateRouteTableResponse>`,
  },
};

function tagsOf(p: URLSearchParams, spec = 1): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 1; p.get(`TagSpecification.${spec}.Tag.${i}.Key`); i++) {
    tags[p.get(`TagSpecification.${spec}.Tag.${i}.Key`)!] = p.get(`TagSpecification.${spec}.Tag.${i}.Value`)!;
  }
  return tags;
}

describe('network', () => {
  it('creates VPC → subnet → gateway → route → security group, each tagged at creation', async () => {
    const { driver, replay } = replayDriver({
      DescribeVpcs: { body: emptySet('DescribeVpcs', 'vpcSet') },
      CreateVpc: { file: 'create_vpc.xml' },
      DescribeSubnets: { body: emptySet('DescribeSubnets', 'subnetSet') },
      DescribeAvailabilityZones: { file: 'describe_availability_zones.xml' },
      CreateSubnet: { file: 'create_subnet.xml' },
      ModifySubnetAttribute: { file: 'modify_subnet_attribute.xml' },
      DescribeInternetGateways: { body: emptySet('DescribeInternetGateways', 'internetGatewaySet') },
      CreateInternetGateway: { file: 'create_internet_gateway.xml' },
      AttachInternetGateway: { file: 'attach_internet_gateway.xml' },
      ...RT,
      DescribeSecurityGroups: { body: emptySet('DescribeSecurityGroups', 'securityGroupInfo') },
      CreateSecurityGroup: { file: 'create_security_group.xml' },
      AuthorizeSecurityGroupIngress: { file: 'authorize_security_group_ingress.xml' },
    });
    const net = await driver.network.ensureDefault({ name: 'cb-replay', tags: TAGS });
    expect(net).toEqual({
      networkId: 'vpc-ad3527cf',
      subnetId: 'subnet-ce0e7ce6',
      securityGroupId: 'sg-52e2f530',
      zone: 'us-east-1b',
      extra: { igwId: 'igw-13ac2b36', routeTableId: 'rtb-f9ad4890' },
    });
    const creates = replay.calls.filter((c) => c.action.startsWith('Create') && c.action !== 'CreateRoute');
    expect(creates.map((c) => [c.action, c.params.get('TagSpecification.1.ResourceType')])).toEqual([
      ['CreateVpc', 'vpc'],
      ['CreateSubnet', 'subnet'],
      ['CreateInternetGateway', 'internet-gateway'],
      ['CreateRouteTable', 'route-table'],
      ['CreateSecurityGroup', 'security-group'],
    ]);
    for (const c of creates) {
      const { Name, ...ours } = tagsOf(c.params);
      expect(ours).toEqual(TAGS);
      expect(Name).toMatch(/^cb-replay-(vpc|subnet|igw|rt|sg)$/);
    }
    const p = (a: string) => Object.fromEntries(replay.callsTo(a)[0]!.params);
    expect(p('CreateVpc').CidrBlock).toBe('10.0.0.0/16');
    // No zone on the connection: the region's first available zone.
    expect(p('CreateSubnet')).toMatchObject({ VpcId: 'vpc-ad3527cf', AvailabilityZone: 'eu-west-1a' });
    expect(p('ModifySubnetAttribute')).toMatchObject({
      SubnetId: 'subnet-ce0e7ce6',
      'MapPublicIpOnLaunch.Value': 'true',
    });
    expect(p('AttachInternetGateway')).toMatchObject({
      InternetGatewayId: 'igw-13ac2b36',
      VpcId: 'vpc-ad3527cf',
    });
    expect(p('CreateRoute')).toMatchObject({
      RouteTableId: 'rtb-f9ad4890',
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: 'igw-13ac2b36',
    });
    expect(p('AssociateRouteTable')).toMatchObject({
      RouteTableId: 'rtb-f9ad4890',
      SubnetId: 'subnet-ce0e7ce6',
    });
    expect(p('CreateSecurityGroup')).toMatchObject({ GroupName: 'cb-replay-sg', VpcId: 'vpc-ad3527cf' });
    expect(p('AuthorizeSecurityGroupIngress')).toMatchObject({
      GroupId: 'sg-52e2f530',
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '22',
      'IpPermissions.1.ToPort': '22',
      'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
    });
    // Found-by filters: our tags plus the piece's Name.
    const vpcFilters = Object.fromEntries(replay.callsTo('DescribeVpcs')[0]!.params);
    expect(vpcFilters).toMatchObject({
      'Filter.1.Name': 'tag:cb-managed',
      'Filter.3.Name': 'tag:Name',
      'Filter.3.Value.1': 'cb-replay-vpc',
    });
  });

  it("uses the connection's zone when it has one", async () => {
    const { driver, replay } = replayDriver(
      {
        DescribeVpcs: { file: 'describe_vpcs.xml' },
        DescribeSubnets: { body: emptySet('DescribeSubnets', 'subnetSet') },
        CreateSubnet: { file: 'create_subnet.xml' },
        ModifySubnetAttribute: { file: 'modify_subnet_attribute.xml' },
        DescribeInternetGateways: { file: 'describe_internet_gateways.xml' },
        AttachInternetGateway: { file: 'attach_internet_gateway.xml' },
        ...RT,
        DescribeSecurityGroups: { file: 'describe_security_groups.xml' },
        AuthorizeSecurityGroupIngress: { file: 'authorize_security_group_ingress.xml' },
      },
      { connection: { zone: 'us-east-1c' } },
    );
    const net = await driver.network.ensureDefault({ name: 'cb-replay', tags: TAGS });
    expect(replay.callsTo('CreateSubnet')[0]!.params.get('AvailabilityZone')).toBe('us-east-1c');
    expect(replay.callsTo('DescribeAvailabilityZones')).toHaveLength(0);
    // Adopted from describe_vpcs.xml / describe_internet_gateways.xml / describe_security_groups.xml.
    expect(net.networkId).toBe('vpc-532335e1');
    expect(net.extra.igwId).toBe('igw-7fdae215');
    expect(net.securityGroupId).toBe('sg-443d0a12');
    expect(
      replay.calls.filter((c) =>
        ['CreateVpc', 'CreateInternetGateway', 'CreateSecurityGroup'].includes(c.action),
      ),
    ).toHaveLength(0);
    // The adopted group allows port 80 only: SSH is added.
    expect(replay.callsTo('AuthorizeSecurityGroupIngress')).toHaveLength(1);
  });

  it('deletes in dependency order, waits out DependencyViolation, and treats NotFound as done', async () => {
    const { driver, replay } = replayDriver(
      {
        DescribeInternetGateways: { body: emptySet('DescribeInternetGateways', 'internetGatewaySet') },
        DescribeRouteTables: {
          body: `<DescribeRouteTablesResponse xmlns="${NS}"><requestId>r</requestId><routeTableSet><item><routeTableId>rtb-1</routeTableId><vpcId>vpc-1</vpcId><associationSet><item><routeTableAssociationId>rtbassoc-1</routeTableAssociationId><routeTableId>rtb-1</routeTableId><subnetId>subnet-1</subnetId><main>false</main></item></associationSet></item><item><routeTableId>rtb-main</routeTableId><vpcId>vpc-1</vpcId><associationSet><item><routeTableAssociationId>rtbassoc-m</routeTableAssociationId><routeTableId>rtb-main</routeTableId><main>true</main></item></associationSet></item></routeTableSet></DescribeRouteTablesResponse>`,
        },
        DeleteSecurityGroup: [
          { status: 400, body: ec2Error('DependencyViolation') },
          { file: 'delete_security_group.xml' },
        ],
        DisassociateRouteTable: {
          body: `<DisassociateRouteTableResponse xmlns="${NS}"><requestId>r</requestId><return>true</return></DisassociateRouteTableResponse>`,
        },
        DeleteRouteTable: { status: 400, body: ec2Error('InvalidRouteTableID.NotFound') },
        DetachInternetGateway: { status: 400, body: ec2Error('Gateway.NotAttached') },
        DeleteInternetGateway: { file: 'delete_internet_gateway.xml' },
        DeleteSubnet: { file: 'delete_subnet.xml' },
        DeleteVpc: { status: 400, body: ec2Error('InvalidVpcID.NotFound') },
      },
      { tuning: { dependencyWaitMs: 10_000 } },
    );
    await driver.network.deleteDefault({ ...NET, extra: { igwId: 'igw-1', routeTableId: 'rtb-1' } });
    expect(replay.calls.map((c) => c.action).filter((a) => !a.startsWith('Describe'))).toEqual([
      'DeleteSecurityGroup',
      'DeleteSecurityGroup',
      'DisassociateRouteTable',
      'DeleteRouteTable',
      'DetachInternetGateway',
      'DeleteInternetGateway',
      'DeleteSubnet',
      'DeleteVpc',
    ]);
  });
});

describe('key pairs', () => {
  it('imports the public key with tags; a duplicate is adopted; delete tolerates NotFound', async () => {
    const { driver, replay } = replayDriver({
      ImportKeyPair: [
        { file: 'import_key_pair.xml' },
        { status: 400, body: ec2Error('InvalidKeyPair.Duplicate') },
      ],
      DeleteKeyPair: [
        { file: 'delete_key_pair.xml' },
        { status: 400, body: ec2Error('InvalidKeyPair.NotFound') },
      ],
    });
    const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG0 cb';
    expect(await driver.keys.ensureKeyPair({ name: 'keypair', publicKey: pub, tags: TAGS })).toEqual({
      keyName: 'keypair',
    });
    expect(await driver.keys.ensureKeyPair({ name: 'keypair', publicKey: pub, tags: TAGS })).toEqual({
      keyName: 'keypair',
    });
    const p = replay.callsTo('ImportKeyPair')[0]!.params;
    expect(Buffer.from(p.get('PublicKeyMaterial')!, 'base64').toString()).toBe(pub);
    expect(p.get('TagSpecification.1.ResourceType')).toBe('key-pair');
    expect(tagsOf(p)).toEqual({ ...TAGS, Name: 'keypair' });
    await driver.keys.deleteKeyPair('keypair');
    await driver.keys.deleteKeyPair('keypair');
  });
});
