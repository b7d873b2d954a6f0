/**
 * One twin process holds 1,000 running instances: 1,000 SSH listeners, each on its own loopback
 * address. Prints the time to launch all of them and the process RSS (figures for the README).
 */
import { DescribeImagesCommand, DescribeInstancesCommand, ImportKeyPairCommand, type Instance, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshExec, startTestTwin, tcpOpen, type TestTwin, userKey, waitFor } from '../test/helpers.js';

const COUNT = 1000;
const BATCH = 100;
let t: TestTwin;

beforeAll(async () => {
  t = await startTestTwin({ bootDelayMs: 0, stopDelayMs: 0, snapshotDebounceMs: 500 });
});
afterAll(() => t.cleanup(), 120_000);

async function all(region: string): Promise<Instance[]> {
  const c = t.client(region);
  const out: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.send(new DescribeInstancesCommand({ MaxResults: 1000, NextToken }));
    out.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

describe('scale', () => {
  it(`runs ${COUNT} instances with an SSH server each`, { timeout: 300_000 }, async () => {
    const region = 'us-east-1';
    const c = t.client(region);
    const key = userKey();
    await c.send(new ImportKeyPairCommand({ KeyName: 'scale', PublicKeyMaterial: Buffer.from(key.publicKey) }));
    const img = (await c.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-*'] }] }))).Images?.[0]?.ImageId;
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: COUNT / BATCH }, () =>
        c.send(new RunInstancesCommand({ ImageId: img, InstanceType: 't3.nano', MinCount: BATCH, MaxCount: BATCH, KeyName: 'scale' })),
      ),
    );
    const running = await waitFor(
      'all running',
      async () => {
        const list = await all(region);
        return list.filter((i) => i.State?.Name === 'running').length === COUNT ? list : undefined;
      },
      240_000,
    );
    const elapsedMs = Date.now() - started;
    const rss = process.memoryUsage().rss;
    const status = t.twin.status();
    expect(status.instances.running).toBe(COUNT);
    expect(status.sshServers).toBe(COUNT);
    const ips = new Set(running.map((i) => i.PublicIpAddress));
    expect(ips.size).toBe(COUNT);
    expect([...ips].every((ip) => /^127\.\d+\.\d+\.\d+$/.test(ip ?? '') && !(ip ?? '').startsWith('127.0.0.'))).toBe(true);

    // A sample accepts TCP connections; a few run a real command over SSH.
    const sample = running.filter((_, i) => i % 20 === 0);
    const open = await Promise.all(sample.map((i) => tcpOpen(i.PublicIpAddress ?? '', t.twin.sshPort)));
    expect(open.every(Boolean)).toBe(true);
    for (const inst of running.slice(-3)) {
      const r = await sshExec(inst.PublicIpAddress ?? '', t.twin.sshPort, 'ubuntu', key.privateKey, 'echo $CB_TWIN_INSTANCE_ID');
      expect(r.stdout.trim()).toBe(inst.InstanceId);
    }
    console.log(
      `[scale] ${COUNT} instances running with SSH listeners in ${(elapsedMs / 1000).toFixed(1)} s; ` +
        `RSS ${(rss / 2 ** 20).toFixed(0)} MiB (+${((rss - rssBefore) / 2 ** 20).toFixed(0)} MiB for the VMs)`,
    );

    const ids = running.map((i) => i.InstanceId ?? '');
    for (let i = 0; i < ids.length; i += BATCH) await c.send(new TerminateInstancesCommand({ InstanceIds: ids.slice(i, i + BATCH) }));
    await waitFor('all terminated', () => (t.twin.status().instances.terminated === COUNT ? true : undefined), 120_000);
    expect(t.twin.status().sshServers).toBe(0);
    expect(await tcpOpen(sample[0]?.PublicIpAddress ?? '', t.twin.sshPort)).toBe(false);
  });
});
