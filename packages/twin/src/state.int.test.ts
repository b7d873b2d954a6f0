import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  ImportKeyPairCommand,
  type Instance,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { randomSshPort, sshExec, startTestTwin, type TestTwin, userKey, waitFor } from '../test/helpers.js';
import { loadSnapshot } from './state.js';

const stateDir = mkdtempSync(join(tmpdir(), 'cb-twin-state-'));
const sshPort = randomSshPort();
const key = userKey();
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

async function instances(c: EC2Client): Promise<Map<string, Instance>> {
  const out = await c.send(new DescribeInstancesCommand({}));
  return new Map(out.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId ?? '', i]));
}

function ipOrder(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

describe('persistence', () => {
  it('snapshots while running and restores VPCs, key pairs and instances (with SSH) after a restart', async () => {
    const first: TestTwin = await startTestTwin({ stateDir, sshPort, bootDelayMs: 0, stopDelayMs: 0, snapshotDebounceMs: 50 });
    const c = first.client('ap-southeast-1');
    const vpcId = (await c.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'keep', Value: 'me' }] }] }))).Vpc?.VpcId ?? '';
    await waitFor('snapshot with the VPC', () => (readFileSafe(join(stateDir, 'state.json')).includes(vpcId) ? true : undefined));

    await c.send(new ImportKeyPairCommand({ KeyName: 'persist', PublicKeyMaterial: Buffer.from(key.publicKey) }));
    const img = (await c.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['debian-12-amd64-*'] }] }))).Images?.[0]?.ImageId;
    const run = await c.send(new RunInstancesCommand({ ImageId: img, InstanceType: 't3.micro', MinCount: 2, MaxCount: 2, KeyName: 'persist' }));
    const [runningId, stoppedId] = run.Instances?.map((i) => i.InstanceId ?? '') ?? [];
    const before = await waitFor('both running', async () => {
      const m = await instances(c);
      return [...m.values()].every((i) => i.State?.Name === 'running') ? m : undefined;
    });
    await c.send(new StopInstancesCommand({ InstanceIds: [stoppedId ?? ''] }));
    await waitFor('stopped', async () => ((await instances(c)).get(stoppedId ?? '')?.State?.Name === 'stopped' ? true : undefined));
    const ip = before.get(runningId ?? '')?.PublicIpAddress ?? '';
    const wrote = await sshExec(ip, sshPort, 'admin', key.privateKey, 'echo kept > state.txt');
    expect(wrote.code).toBe(0);
    await first.twin.close();

    const snap = loadSnapshot(stateDir);
    expect(snap?.version).toBe(1);
    expect(Object.keys(snap?.ec2.regions ?? {})).toEqual(['ap-southeast-1']);

    const second = await startTestTwin({ stateDir, sshPort, bootDelayMs: 0, stopDelayMs: 0 });
    try {
      const c2 = second.client('ap-southeast-1');
      const vpcs = await c2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:keep', Values: ['me'] }] }));
      expect(vpcs.Vpcs?.map((v) => v.VpcId)).toEqual([vpcId]);
      expect((await c2.send(new DescribeKeyPairsCommand({ KeyNames: ['persist'] }))).KeyPairs).toHaveLength(1);
      const after = await instances(c2);
      expect(after.get(stoppedId ?? '')?.State?.Name).toBe('stopped');
      const back = await waitFor('ssh back', async () => {
        const i = (await instances(c2)).get(runningId ?? '');
        if (i?.State?.Name !== 'running' || !i.PublicIpAddress) return undefined;
        try {
          return await sshExec(i.PublicIpAddress, sshPort, 'admin', key.privateKey, 'cat state.txt');
        } catch {
          return undefined;
        }
      });
      expect(back.stdout).toBe('kept\n');
      expect(back.hostKey).toBe(wrote.hostKey);
      expect(second.twin.status().sshServers).toBe(1);

      // Addresses are never reused across restarts: the counter was saved.
      const more = await c2.send(new RunInstancesCommand({ ImageId: img, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, KeyName: 'persist' }));
      const fresh = await waitFor('new one running', async () => {
        const i = (await instances(c2)).get(more.Instances?.[0]?.InstanceId ?? '');
        return i?.State?.Name === 'running' ? i : undefined;
      });
      const used = [...before.values()].map((i) => ipOrder(i.PublicIpAddress ?? '0.0.0.0'));
      expect(ipOrder(fresh.PublicIpAddress ?? '')).toBeGreaterThan(Math.max(...used));
    } finally {
      await second.twin.close();
    }
  });

  it('finishes booting an instance that was pending when the twin stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-twin-state-'));
    const a = await startTestTwin({ stateDir: dir, bootDelayMs: 500 });
    const c = a.client('us-east-1');
    const img = (await c.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['debian-12-amd64-*'] }] }))).Images?.[0]?.ImageId;
    const id = (await c.send(new RunInstancesCommand({ ImageId: img, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).Instances?.[0]?.InstanceId ?? '';
    await a.twin.close();
    const b = await startTestTwin({ stateDir: dir, bootDelayMs: 500 });
    try {
      const c2 = b.client('us-east-1');
      expect((await instances(c2)).get(id)?.State?.Name).toBe('pending');
      const up = await waitFor('running', async () => {
        const i = (await instances(c2)).get(id);
        return i?.State?.Name === 'running' ? i : undefined;
      });
      expect(up.PublicIpAddress).toMatch(/^127\./);
    } finally {
      await b.cleanup();
    }
  });

  it('refuses a state file that is not its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-twin-state-'));
    writeFileSync(join(dir, 'state.json'), '{"version": 99}');
    await expect(startTestTwin({ stateDir: dir })).rejects.toThrow(/not a Cloud-Twin state file of version 1/);
    rmSync(dir, { recursive: true, force: true });
  });
});

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
