/**
 * End to end: day 2 through `plan`/`apply` on a 3-cloud MCIS. Each step is checked through each
 * cloud's own API (CloudAudit): scale 2 → 5 → 1 per subgroup, a rolling spec change, an instance
 * terminated and one launched with the AWS API (drift), an apply killed mid-way and re-run, and the
 * confirmation rule off a terminal.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converged, killAfterCalls, startCampaignTwin, type CloudAudit, type RequestLog } from './chaos.js';
import { Cli, manifestYaml } from './harness.js';
import { instancesTagged, twinCreds } from './twin-ec2.js';

const AWS = { connection: 'twin-aws-ap-northeast-2', region: 'ap-northeast-2' };
const GCP = 'twin-gcp-asia-northeast3';
const AZURE = 'twin-azure-koreacentral';
const CONNECTIONS = [AWS.connection, GCP, AZURE];

interface Plan {
  exists: boolean;
  changes: Array<{ op: string; target: string; reason: string; drift?: boolean }>;
  summary: Record<'create' | 'destroy' | 'replace' | 'update', number>;
  costPerHour: { before: number | null; after: number | null };
}
interface Applied {
  plan: Plan;
  created: string[];
  replaced: string[];
  destroyed: string[];
  failed: unknown[];
  mcis: { status: string };
}

const cli = new Cli();
let audit: CloudAudit;
let log: RequestLog;
let endpoint: string;
const file = () => join(cli.home, 'day2.yaml');

function write(n: number, awsSpec = 't3.micro', extra = ''): string {
  writeFileSync(
    file(),
    manifestYaml(
      'day2',
      [
        { name: 'a', connection: AWS.connection, count: n, spec: awsSpec },
        { name: 'g', connection: GCP, count: n, spec: 'e2-small' },
        { name: 'z', connection: AZURE, count: n, spec: 'Standard_B1s' },
      ],
      extra,
    ),
  );
  return file();
}

const plan = () => cli.json<Plan>(['plan', '-f', file()]);
const apply = () => cli.json<Applied>(['apply', '-f', file(), '--auto-approve']);
const awsLive = async () => (await instancesTagged({ endpoint, stateDir: cli.twinDir }, AWS.region, { 'cb-mcis': 'day2' })).filter((i) => i.State?.Name !== 'terminated');

beforeAll(async () => {
  ({ audit, log } = await startCampaignTwin(cli));
  endpoint = (await cli.json<{ endpoints: { aws: string } }>(['twin', 'status'])).endpoints.aws;
  // Prices for the plan's cost line.
  await Promise.all(CONNECTIONS.map((c) => cli.json(['catalog', 'update', '--connection', c])));
}, 120_000);
afterAll(() => cli.dispose());

describe('plan and apply', () => {
  it('plans a new MCIS as all creates, applies it, then plans no changes', async () => {
    write(2);
    const p = await plan();
    expect(p.exists).toBe(false);
    expect(p.summary).toEqual({ create: 6, destroy: 0, replace: 0, update: 0 });
    expect(p.changes.every((c) => c.reason === 'new MCIS')).toBe(true);
    const a = await apply();
    expect(a.created).toHaveLength(6);
    expect(await audit.check('day2', CONNECTIONS)).toEqual(converged(6, 'Running'));
    const again = await plan();
    expect(again.changes).toEqual([]);
    expect((await cli.run(['plan', '-f', file(), '--detailed-exitcode'])).code).toBe(0);
  }, 120_000);

  it('refuses to apply off a terminal without --auto-approve, changing nothing', async () => {
    write(3);
    const r = await cli.run(['apply', '-f', file()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--auto-approve/);
    expect(await audit.check('day2', CONNECTIONS)).toEqual(converged(6, 'Running'));
  }, 60_000);

  it('scales 2 → 5 → 1 per subgroup, each step matching the clouds', async () => {
    write(5);
    const d = await cli.run(['plan', '-f', file(), '--detailed-exitcode']);
    expect(d.code).toBe(6);
    expect(d.stdout).toMatch(/9 to create, 0 to replace, 0 to update in place, 0 to destroy/);
    expect(d.stdout).toMatch(/\+ a-5 .*count 2 → 5/);
    const up = await apply();
    expect(up.created.sort()).toEqual(['a-3', 'a-4', 'a-5', 'g-3', 'g-4', 'g-5', 'z-3', 'z-4', 'z-5']);
    expect(await audit.check('day2', CONNECTIONS)).toEqual(converged(15, 'Running'));

    write(1, 't3.micro', '{ drain: "echo drained > /dev/null" }');
    const down = await plan();
    expect(down.summary.destroy).toBe(12);
    expect(down.costPerHour.before).toBeGreaterThan(0);
    expect(down.costPerHour.after).toBeCloseTo(down.costPerHour.before! / 5, 4);
    const applied = await apply();
    expect(applied.destroyed).toHaveLength(12);
    expect(await audit.check('day2', CONNECTIONS)).toEqual(converged(3, 'Running'));
    expect((await awsLive()).map((i) => i.Tags?.find((t) => t.Key === 'cb-vm')?.Value)).toEqual(['a-1']);
  }, 240_000);

  it('replaces VMs whose spec changed, one at a time, and the cloud runs the new type', async () => {
    write(2);
    await apply();
    write(2, 't3.small');
    const p = await plan();
    expect(p.changes.filter((c) => c.op === 'replace').map((c) => [c.target, c.reason])).toEqual([
      ['a-1', 'spec t3.micro → t3.small (forces a new VM)'],
      ['a-2', 'spec t3.micro → t3.small (forces a new VM)'],
    ]);
    const from = log.size();
    const r = await cli.run(['apply', '-f', file(), '--auto-approve'], { env: { CB_PROGRESS: '1' } });
    expect(r.code).toBe(0);
    // Rolling: the second replacement starts only after the first one's round.
    expect(r.stderr).toMatch(/round 1: replacing a-1\n[\s\S]*round 2: replacing a-2\n/);
    expect(log.since(from).filter((l) => l.includes(' RunInstances ')).length).toBe(2);
    expect((await awsLive()).map((i) => i.InstanceType).sort()).toEqual(['t3.small', 't3.small']);
    expect(await audit.check('day2', CONNECTIONS)).toEqual(converged(6, 'Running'));
  }, 120_000);

  it('shows an instance terminated and one launched with the AWS API as drift, and apply repairs both', async () => {
    const client = new EC2Client({ endpoint, region: AWS.region, credentials: twinCreds(cli.twinDir).aws });
    const [victim] = await awsLive();
    await client.send(new TerminateInstancesCommand({ InstanceIds: [victim!.InstanceId!] }));
    const stray = await client.send(
      new RunInstancesCommand({
        ImageId: victim!.ImageId!,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'cb-managed', Value: 'true' }, { Key: 'cb-ns', Value: 'default' }, { Key: 'cb-mcis', Value: 'day2' }] }],
      }),
    );
    client.destroy();
    const strayId = stray.Instances![0]!.InstanceId!;

    const drift = await cli.run(['mcis', 'drift', 'day2']);
    expect(drift.code).toBe(6);
    expect(drift.stdout).toMatch(/terminated outside cbadm/);
    expect(drift.stdout).toContain(strayId);

    const p = await plan();
    const victimVm = victim!.Tags!.find((t) => t.Key === 'cb-vm')!.Value!;
    expect(p.changes.map((c) => [c.op, c.target, !!c.drift])).toEqual(expect.arrayContaining([['replace', victimVm, true], ['destroy', strayId, true]]));
    const a = await apply();
    expect(a.replaced).toEqual([victimVm]);
    expect(a.destroyed).toEqual([strayId]);
    expect(await audit.check('day2', CONNECTIONS)).toEqual(converged(6, 'Running'));
    expect((await cli.run(['mcis', 'drift', 'day2'])).code).toBe(0);

    // A cloud that cannot be asked is not "no drift": exit 3, naming the connection and why.
    await cli.json(['twin', 'fault', '--outage', AWS.region]);
    try {
      const unchecked = await cli.run(['mcis', 'drift', 'day2']);
      expect(unchecked.code).toBe(3);
      expect(unchecked.stdout).toMatch(/warning: could not ask twin-aws-ap-northeast-2: .+\n.*no drift where the clouds could be asked/);
    } finally {
      await cli.json(['twin', 'fault', '--restore', AWS.region]);
    }
  }, 180_000);

  it('continues an apply killed mid-way without duplicates or orphans, and mcis scale does the same job', async () => {
    write(4, 't3.small', '{ drain: "test ! -e keep-me" }');
    const kill = await killAfterCalls(cli, log, ['apply', '-f', file(), '--auto-approve'], ['ap-northeast-2', 'asia-northeast3', 'koreacentral'], 8);
    expect(kill.landed).toBe(true);
    await apply();
    expect(await audit.check('day2', CONNECTIONS)).toEqual(converged(12, 'Running'));

    // The drain command fails on g-3: it stays, the others go, and the exit code says so.
    await cli.json(['mcis', 'exec', 'day2', '--vm', 'g-3', '--', 'touch keep-me']);
    const kept = await cli.run(['mcis', 'scale', 'day2', '--subgroup', 'g', '--count', '1']);
    expect(kept.code).toBe(3);
    expect(kept.stderr).toMatch(/g-3: drain exited 1.*the VM was kept/);
    expect(await audit.check('day2', CONNECTIONS)).toMatchObject({ records: 10, cloud: 10, orphans: [], duplicates: [] });
    await cli.json(['mcis', 'exec', 'day2', '--vm', 'g-3', '--', 'rm keep-me']);
    const s = await cli.json<Applied>(['mcis', 'scale', 'day2', '--subgroup', 'g', '--count', '1']);
    expect(s.destroyed).toEqual(['g-3']);
    expect(await audit.check('day2', CONNECTIONS)).toEqual(converged(9, 'Running'));
    const bad = await cli.run(['mcis', 'scale', 'day2', '--subgroup', 'nope', '--count', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no subgroup 'nope'.*\n.*a, g, z/);
  }, 180_000);
});
