import { generateSshKeyPair } from '@cloud-barista/core';
/**
 * The AWS driver against Cloud-Twin over loopback, through the real SDK: the shared driver
 * contract, then the AWS specifics (throttling retries, capacity errors, credentials).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  DescribeInternetGatewaysCommand,
  DescribeKeyPairsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  poll,
  ProviderError,
  UsageError,
  type Acceptance,
  type Connection,
  type CredentialMaterial,
  type Tags,
} from '@cloud-barista/core';
import { startTwin, type RequestLogEntry } from '@cloud-barista/twin';
import { buildAwsDriver, createAwsDriver } from '../src/aws/index.js';
import { spanMs } from './throttle.js';
import { tagFilters } from '../src/aws/tags.js';
import { runDriverContract } from './contract.js';
import { recordingProxy, type RecordingProxy } from './proxy.js';
import { testConnectionOf } from './connection.js';

type Twin = Awaited<ReturnType<typeof startTwin>>;

/** The key of the twin last booted (filled from its credentials right after it starts). */
const KEYS: Extract<CredentialMaterial, { kind: 'aws-keys' }> = { kind: 'aws-keys', accessKeyId: '', secretAccessKey: '' };

function connection(twin: Twin, over: Partial<Connection> = {}): Connection {
  return testConnectionOf({ name: 'twin-aws', provider: 'aws', region: 'ap-northeast-2', endpoint: twin.endpoints.aws, sshPort: twin.sshPort, ...over });
}

/**
 * Every twin VM listens on its own 127.x.y.z at one shared port; a random high one keeps twins of
 * parallel test runs (which hand out the same addresses) from colliding.
 */
const randomSshPort = () => 20_000 + Math.floor(Math.random() * 40_000);

async function bootTwin(bootDelayMs = 300): Promise<{ twin: Twin; stateDir: string }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'cb-drivers-twin-'));
  const twin = await startTwin({
    stateDir,
    bootDelayMs,
    stopDelayMs: 200,
    sshPort: randomSshPort(),
    port: 0,
    log: () => {},
  });
  Object.assign(KEYS, twin.credentials.aws);
  return { twin, stateDir };
}

/** Sets env vars for a test; returns the undo. */
function withEnv(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Anything tagged `tags` that a Describe* still lists: the contract's "nothing left" check. */
async function leftovers(conn: Connection, tags: Tags): Promise<string[]> {
  const ec2 = new EC2Client({
    region: conn.region,
    endpoint: conn.endpoint,
    credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey },
  });
  try {
    const Filters = tagFilters(tags);
    const [vpcs, subnets, igws, rts, sgs, keys] = await Promise.all([
      ec2.send(new DescribeVpcsCommand({ Filters })),
      ec2.send(new DescribeSubnetsCommand({ Filters })),
      ec2.send(new DescribeInternetGatewaysCommand({ Filters })),
      ec2.send(new DescribeRouteTablesCommand({ Filters })),
      ec2.send(new DescribeSecurityGroupsCommand({ Filters })),
      ec2.send(new DescribeKeyPairsCommand({ Filters })),
    ]);
    return [
      ...(vpcs.Vpcs ?? []).map((x) => x.VpcId),
      ...(subnets.Subnets ?? []).map((x) => x.SubnetId),
      ...(igws.InternetGateways ?? []).map((x) => x.InternetGatewayId),
      ...(rts.RouteTables ?? []).map((x) => x.RouteTableId),
      ...(sgs.SecurityGroups ?? []).map((x) => x.GroupId),
      ...(keys.KeyPairs ?? []).map((x) => x.KeyName),
    ].map(String);
  } finally {
    ec2.destroy();
  }
}

runDriverContract('aws on Cloud-Twin', async () => {
  const { twin, stateDir } = await bootTwin();
  const conn = connection(twin);
  return {
    driver: createAwsDriver({ connection: conn, credentials: KEYS }),
    sshPort: twin.sshPort,
    maxWaitMs: 30_000,
    leftovers: (tags) => leftovers(conn, tags),
    cleanup: async () => {
      await twin.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
});

describe('aws driver on Cloud-Twin: retries, errors, credentials', () => {
  let twin: Twin;
  let stateDir: string;
  const requests: RequestLogEntry[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'cb-drivers-twin-'));
    twin = await startTwin({
      stateDir,
      bootDelayMs: 100,
      stopDelayMs: 100,
      sshPort: randomSshPort(),
      port: 0,
      log: () => {},
      onRequest: (e) => requests.push(e),
    });
    Object.assign(KEYS, twin.credentials.aws);
  });

  afterAll(async () => {
    await twin?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Sets the twin's fault rules through its admin API, as `cbadm twin` would. */
  async function setFaults(rules: unknown[]): Promise<void> {
    const res = await fetch(`${twin.adminUrl}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${twin.credentials.admin}` },
      body: JSON.stringify(rules),
    });
    expect(res.status).toBe(200);
  }

  const actions = (name: string) => requests.filter((r) => r.action === name);
  const driverFor = (
    over: Partial<Connection> = {},
    credentials: CredentialMaterial = KEYS,
    maxAttempts?: number,
  ) =>
    createAwsDriver({
      connection: connection(twin, over),
      credentials,
      ...(maxAttempts ? { maxAttempts } : {}),
    });

  it('retries RequestLimitExceeded (rate 1 for 2 calls) with backoff and succeeds', async () => {
    await setFaults([{ action: 'DescribeInstances', code: 'RequestLimitExceeded', rate: 1, count: 2 }]);
    const driver = driverFor();
    try {
      requests.length = 0;
      expect(await driver.vms.findByTags({ 'cb-ns': 'nobody' })).toEqual([]);
      expect(actions('DescribeInstances').map((r) => r.code ?? 'ok')).toEqual([
        'RequestLimitExceeded',
        'RequestLimitExceeded',
        'ok',
      ]);
    } finally {
      driver.close();
      await setFaults([]);
    }
  });

  it('a permanent throttle is retried past maxAttempts until the throttling deadline, then is a retryable throttled ProviderError', async () => {
    await setFaults([{ action: 'DescribeAvailabilityZones', code: 'RequestLimitExceeded', rate: 1 }]);
    const driver = buildAwsDriver(
      { connection: connection(twin), credentials: KEYS, maxAttempts: 2, throttleWaitMs: 1_500 },
      { throttleBackoff: { minDelayMs: 100, maxDelayMs: 300 } },
    );
    try {
      requests.length = 0;
      const err = await driver.ping().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ code: 'RequestLimitExceeded', errorClass: 'throttled', retryable: true });
      const seen = actions('DescribeAvailabilityZones');
      // The SDK's own 2 attempts, then more rounds while the deadline lasts, and none after it
      // (the last round may start just before it and take the SDK's backoff).
      expect(seen.length).toBeGreaterThan(2);
      expect(spanMs(seen)).toBeGreaterThanOrEqual(1_000);
      expect(spanMs(seen)).toBeLessThan(1_500 + 3_000);
    } finally {
      driver.close();
      await setFaults([]);
    }
  });

  it('50 % throttling of every call: create, describe and suspend complete', async () => {
    // One SDK attempt: throttling is retried by time, not by attempt count.
    const driver = driverFor({}, KEYS, 1);
    const tags = { 'cb-managed': 'true', 'cb-ns': 'throttle' };
    const net = await driver.network.ensureDefault({ name: 'cb-throttle', tags });
    const image = await driver.catalog.resolveImage('debian-12');
    const publicKey = generateSshKeyPair('throttle-test').publicKey;
    const { keyName } = await driver.keys.ensureKeyPair({ name: 'cb-throttle-key', publicKey, tags });
    const req = { name: 'thr-1', spec: 't3.micro', imageId: image.id, network: net, keyName, publicKey, sshUser: image.sshUser, clientToken: 'throttle-1', tags };
    // Half of all calls, and surely the first launch: a short run could otherwise draw no throttle at all.
    await setFaults([
      { action: 'RunInstances', code: 'RequestLimitExceeded', rate: 1, count: 1 },
      { action: '*', code: 'RequestLimitExceeded', rate: 0.5 },
    ]);
    try {
      requests.length = 0;
      const vm = await driver.vms.create(req);
      await poll(
        () => driver.vms.describe([vm.providerId]),
        (v): Acceptance<true> => (v[0]?.status === 'Running' ? { state: 'success', value: true } : { state: 'retry' }),
        { maxWaitMs: 60_000, what: 'running' },
      );
      await driver.vms.suspend([vm.providerId]);
      await poll(
        () => driver.vms.describe([vm.providerId]),
        (v): Acceptance<true> => (v[0]?.status === 'Suspended' ? { state: 'success', value: true } : { state: 'retry' }),
        { maxWaitMs: 60_000, what: 'suspended' },
      );
      expect(requests.filter((r) => r.code === 'RequestLimitExceeded').length).toBeGreaterThan(0);
      expect(actions('RunInstances').filter((r) => !r.code)).toHaveLength(1);
      await setFaults([]);
      await driver.vms.terminate([vm.providerId]);
    } finally {
      await setFaults([]);
      driver.close();
    }
  });

  it('InsufficientInstanceCapacity surfaces as a ProviderError of class capacity', async () => {
    // EC2 answers capacity errors with HTTP 500, so the SDK retries them like any 5xx; RunInstances
    // is safe to repeat because the ClientToken makes every attempt the same launch.
    const driver = driverFor({}, KEYS, 2);
    const tags = { 'cb-managed': 'true', 'cb-ns': 'capacity' };
    const net = await driver.network.ensureDefault({ name: 'cb-capacity', tags });
    const image = await driver.catalog.resolveImage('debian-12');
    expect(image.sshUser).toBe('admin');
    const publicKey = generateSshKeyPair('capacity-test').publicKey;
    const { keyName } = await driver.keys.ensureKeyPair({ name: 'cb-capacity-key', publicKey, tags });
    const req = {
      name: 'cap-1',
      spec: 't3.micro',
      imageId: image.id,
      network: net,
      keyName,
      publicKey,
      sshUser: image.sshUser,
      clientToken: 'capacity-1',
      tags,
    };
    await setFaults([{ action: 'RunInstances', code: 'InsufficientInstanceCapacity', rate: 1 }]);
    try {
      requests.length = 0;
      const err = await driver.vms.create(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({
        code: 'InsufficientInstanceCapacity',
        errorClass: 'capacity',
        retryable: true,
      });
      expect(actions('RunInstances').map((r) => r.code)).toEqual([
        'InsufficientInstanceCapacity',
        'InsufficientInstanceCapacity',
      ]);
      await setFaults([]);
      // Capacity is back: the same token launches, and a vanished id next to it is dropped.
      const vm = await driver.vms.create(req);
      const seen = await driver.vms.describe([vm.providerId, 'i-0123456789abcdef0']);
      expect(seen.map((v) => v.providerId)).toEqual([vm.providerId]);
      await driver.vms.terminate([vm.providerId, 'i-0123456789abcdef0']);
      await poll(
        () => driver.vms.describe([vm.providerId]),
        (v): Acceptance<true> =>
          v[0]?.status === 'Terminated' ? { state: 'success', value: true } : { state: 'retry' },
        { maxWaitMs: 10_000, what: 'terminated' },
      );
      await driver.keys.deleteKeyPair(keyName);
      await driver.network.deleteDefault(net);
    } finally {
      driver.close();
      await setFaults([]);
    }
  });

  it('an unknown image is a UsageError naming it and the aliases', async () => {
    const driver = driverFor();
    try {
      const err = await driver.catalog.resolveImage('centos-7').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain("'centos-7'");
      expect((err as Error).message).toContain('ubuntu-22.04, ubuntu-24.04, debian-12');
      await expect(driver.catalog.resolveImage('ami-0000000000000dead')).rejects.toThrow(UsageError);
    } finally {
      driver.close();
    }
  });

  it('a region outage is a retryable unavailable error', async () => {
    const set = (down: boolean) =>
      fetch(`${twin.adminUrl}/outage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${twin.credentials.admin}` },
        body: JSON.stringify({ region: 'eu-west-1', down }),
      });
    expect((await set(true)).status).toBe(200);
    const driver = driverFor({ region: 'eu-west-1' }, KEYS, 2);
    try {
      await expect(driver.ping()).rejects.toMatchObject({ errorClass: 'unavailable', retryable: true });
    } finally {
      driver.close();
      await set(false);
    }
  });

  describe('credentials', () => {
    let proxy: RecordingProxy;
    beforeAll(async () => {
      proxy = await recordingProxy(twin.endpoints.aws);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    const keyIdsSeen = () =>
      proxy.seen.map((s) => /Credential=([^/]+)\//.exec(String(s.headers.authorization))?.[1] ?? 'none');

    it('aws-keys: the twin sees the access key id; the secret is never sent nor shown in errors', async () => {
      proxy.seen.length = 0;
      const driver = driverFor({ endpoint: proxy.url });
      try {
        await driver.ping();
        const err = await driver.vms.suspend(['i-00000000000000000']).catch((e: unknown) => e);
        expect(err).toMatchObject({ errorClass: 'not-found' });
        expect(keyIdsSeen()).toEqual([KEYS.accessKeyId, KEYS.accessKeyId]);
        expect(JSON.stringify(proxy.seen)).not.toContain(KEYS.secretAccessKey);
        for (const text of [String(err), JSON.stringify(err), inspect(err, { depth: 10 })]) {
          expect(text).not.toContain(KEYS.secretAccessKey);
        }
      } finally {
        driver.close();
      }
    });

    it('aws-profile: keys come from the named profile of the shared credentials file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cb-drivers-aws-'));
      const secret = KEYS.secretAccessKey;
      writeFileSync(
        join(dir, 'credentials'),
        `[default]\naws_access_key_id = AKIADEFAULTPROFILE01\naws_secret_access_key = other\n\n[twin]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${secret}\n`,
      );
      writeFileSync(join(dir, 'config'), '');
      const restore = withEnv({
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
        AWS_CONFIG_FILE: join(dir, 'config'),
      });
      proxy.seen.length = 0;
      const good = driverFor({ endpoint: proxy.url }, { kind: 'aws-profile', profile: 'twin' });
      const bad = driverFor({ endpoint: proxy.url }, { kind: 'aws-profile', profile: 'missing' }, 1);
      try {
        await good.ping();
        expect(keyIdsSeen()).toEqual([KEYS.accessKeyId]);
        const err = await bad.ping().catch((e: unknown) => e);
        // A profile that does not exist is the user's to fix: a usage error naming what to set.
        expect(err).toBeInstanceOf(UsageError);
        expect((err as UsageError).message).toMatch(/no AWS credentials found/);
        expect(JSON.stringify(proxy.seen) + inspect(err, { depth: 10 })).not.toContain(secret);
      } finally {
        good.close();
        bad.close();
        restore();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('default-chain: the SDK finds keys in the environment', async () => {
      const restore = withEnv({
        AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      });
      proxy.seen.length = 0;
      const driver = driverFor({ endpoint: proxy.url }, { kind: 'default-chain' });
      try {
        await driver.ping();
        expect(keyIdsSeen()).toEqual([KEYS.accessKeyId]);
      } finally {
        driver.close();
        restore();
      }
    });
  });
});
