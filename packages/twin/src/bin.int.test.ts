import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeRegionsCommand, DescribeVpcsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { ec2Error, randomSshPort, tcpOpen, waitFor } from '../test/helpers.js';
import { readTwinCredentials } from './auth/credentials.js';

// The daemon as cbadm runs it: the built dist/bin.js (npm test builds before testing).
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'cb-twin-bin-'));
const sshPort = randomSshPort();
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

interface TwinJson {
  pid: number;
  endpoints: { aws: string };
  adminUrl: string;
  sshPort: number;
  bootDelayMs: number;
  startedAt: string;
}

function daemon(args: string[]): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  // Isolation off: its VMs sit in the default security group, which (as on EC2) admits only its own
  // members, so with enforced firewalls the SSH probes below would be refused.
  const child = spawn(process.execPath, [BIN, '--state-dir', stateDir, '--isolation', 'off', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, stderr: () => stderr };
}

function readTwinJson(pid: number | undefined): TwinJson | undefined {
  const file = join(stateDir, 'twin.json');
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as TwinJson;
  return info.pid === pid ? info : undefined;
}

/** The daemon's credentials, as `cbadm twin` reads them: from the secret file in its state dir. */
const creds = () => {
  const c = readTwinCredentials(stateDir);
  if (!c) throw new Error('no twin-secret.json');
  return c;
};

const client = (info: TwinJson, region: string) => new EC2Client({ region, endpoint: info.endpoints.aws, credentials: creds().aws, maxAttempts: 1 });

async function firstInstance(c: EC2Client) {
  return (await c.send(new DescribeInstancesCommand({}))).Reservations?.[0]?.Instances?.[0];
}

describe('cloud-twin daemon', () => {
  it('starts, writes twin.json, logs requests, serves faults, and exits 0 on SIGTERM', async () => {
    expect(existsSync(BIN)).toBe(true);
    const d = daemon(['--boot-delay', '100ms', '--stop-delay', '0', '--ssh-port', String(sshPort), '--fault', 'DescribeVpcs:RequestLimitExceeded:1@eu-north-1']);
    const info = await waitFor('twin.json', () => readTwinJson(d.child.pid), 20_000);
    expect(info).toMatchObject({ pid: d.child.pid, sshPort, bootDelayMs: 100, adminUrl: `${info.endpoints.aws}/_twin` });
    expect(info.endpoints.aws).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number.isNaN(Date.parse(info.startedAt))).toBe(false);
    // The secret is the owner's alone, and twin.json (read by more tools) carries none of it.
    expect(statSync(join(stateDir, 'twin-secret.json')).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const json = readFileSync(join(stateDir, 'twin.json'), 'utf8');
    for (const secret of [creds().admin, creds().aws.secretAccessKey, creds().azure.clientSecret]) expect(json).not.toContain(secret);

    const c = client(info, 'eu-north-1');
    expect((await c.send(new DescribeRegionsCommand({}))).Regions?.length).toBeGreaterThanOrEqual(10);
    expect((await ec2Error(c.send(new DescribeVpcsCommand({})))).name).toBe('RequestLimitExceeded');
    const img = (await c.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['debian-12-amd64-*'] }] }))).Images?.[0]?.ImageId;
    await c.send(new RunInstancesCommand({ ImageId: img, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }));
    const running = await waitFor('running', async () => {
      const i = await firstInstance(c);
      return i?.State?.Name === 'running' ? i : undefined;
    });
    expect(await tcpOpen(running.PublicIpAddress ?? '', sshPort)).toBe(true);

    const log = readFileSync(join(stateDir, 'twin.log'), 'utf8');
    expect(log).toMatch(/ eu-north-1 DescribeRegions 200 - \d+ms\n/);
    expect(log).toMatch(/ eu-north-1 DescribeVpcs 503 RequestLimitExceeded \d+ms\n/);

    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(existsSync(join(stateDir, 'twin.json'))).toBe(false);
    expect(existsSync(join(stateDir, 'state.json'))).toBe(true);
    expect(await tcpOpen(running.PublicIpAddress ?? '', sshPort)).toBe(false);
    c.destroy();
  });

  it('restarts on the same state and stops on POST /_twin/shutdown', async () => {
    const d = daemon(['--boot-delay', '0', '--ssh-port', String(sshPort)]);
    const info = await waitFor('twin.json', () => readTwinJson(d.child.pid), 20_000);
    const c = client(info, 'eu-north-1');
    const inst = await waitFor('running again', async () => {
      const i = await firstInstance(c);
      return i?.State?.Name === 'running' && i.PublicIpAddress ? i : undefined;
    });
    expect(await waitFor('ssh listening', async () => ((await tcpOpen(inst.PublicIpAddress ?? '', sshPort)) ? true : undefined))).toBe(true);
    expect((await fetch(`${info.adminUrl}/shutdown`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${info.adminUrl}/shutdown`, { method: 'POST', headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
    const res = await fetch(`${info.adminUrl}/shutdown`, { method: 'POST', headers: { authorization: `Bearer ${creds().admin}` } });
    expect(res.status).toBe(202);
    expect(await d.exited).toBe(0);
    expect(existsSync(join(stateDir, 'twin.json'))).toBe(false);
    c.destroy();
  });

  it.each([
    [[], /--state-dir is required/],
    [['--state-dir', stateDir, '--fault', 'RunInstances:Oops'], /bad fault spec 'RunInstances:Oops'/],
    [['--state-dir', stateDir, '--boot-delay', 'soon'], /--boot-delay: not a duration: 'soon'/],
    [['--state-dir', stateDir, '--port', '99999'], /--port must be a port number/],
    [['--state-dir', stateDir, '--azure-port', 'https'], /--azure-port must be a port number/],
    [['--state-dir', stateDir, '--colour'], /Unknown option '--colour'/],
    [['--state-dir', stateDir, '--isolation', 'maybe'], /--isolation must be auto, on or off, got 'maybe'/],
  ])('exits 2 with a clear message for bad flags %j', (args, message) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('usage: cloud-twin --state-dir DIR');
  });
});
