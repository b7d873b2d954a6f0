/**
 * Issue 11 against a real Cloud-Twin: delete, cleanup, actions and create converge after region
 * outages and faults, checked through the cloud's own API.
 */
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml } from './harness.js';
import { instancesTagged, managedKeyPairs, managedVpcs } from './twin-ec2.js';

type Mcis = { status: string; state: string; vms: Array<{ name: string; status: string; error: string | null }> };
type ErrorOut = { error: { kind: string; message: string }; result?: unknown };

const cli = new Cli();
let endpoint = '';
const twin = () => ({ endpoint, stateDir: cli.twinDir });
const live = async (region: string, mcis: string) => (await instancesTagged(twin(), region, { 'cb-mcis': mcis })).filter((i) => i.State?.Name !== 'terminated');

beforeAll(async () => {
  endpoint = (await cli.json<{ endpoints: { aws: string } }>(['twin', 'up', '--boot-delay', '300ms'])).endpoints.aws;
  await cli.json(['twin', 'connect']);
});
afterAll(() => cli.dispose());

function manifest(name: string, subgroups: Array<{ name: string; connection: string; count: number }>): string {
  const file = join(cli.home, `${name}.yaml`);
  writeFileSync(file, manifestYaml(name, subgroups));
  return file;
}

describe('convergence against the twin', () => {
  it('delete during a region outage: exit 3, healthy region cleaned, record Deleting; the re-run finishes it', async () => {
    const file = manifest('d1', [
      { name: 'a', connection: 'twin-aws-eu-west-1', count: 1 },
      { name: 'b', connection: 'twin-aws-ap-south-1', count: 1 },
    ]);
    await cli.json(['mcis', 'create', '-f', file]);
    await cli.json(['twin', 'fault', '--outage', 'ap-south-1']);
    const failed = await cli.json<ErrorOut>(['mcis', 'delete', 'd1', '--yes', '--force'], 3);
    expect(failed.error.kind).toBe('partial');
    expect(failed.error.message).toMatch(/b-1/);
    expect(await live('eu-west-1', 'd1')).toHaveLength(0);
    expect(await managedVpcs(twin(), 'eu-west-1')).toBe(0);
    const during = await cli.json<Mcis>(['mcis', 'get', 'd1']);
    expect(during.state).toBe('Deleting');
    expect(during.vms.map((v) => v.name)).toEqual(['b-1']);
    // Nothing else may touch it meanwhile.
    expect((await cli.run(['mcis', 'suspend', 'd1'])).code).toBe(5);

    await cli.json(['twin', 'fault', '--restore', 'ap-south-1']);
    const done = await cli.json<{ deleted: string; cleanedConnections: string[] }>(['mcis', 'delete', 'd1', '--yes']);
    expect(done.deleted).toBe('d1');
    expect(done.cleanedConnections).toEqual(['twin-aws-ap-south-1']);
    expect(await live('ap-south-1', 'd1')).toHaveLength(0);
    expect(await managedVpcs(twin(), 'ap-south-1')).toBe(0);
    expect((await cli.run(['mcis', 'get', 'd1'])).code).toBe(4);
  });

  it('connection cleanup finds by tags what a restored (older) store no longer records; --dry-run changes nothing', async () => {
    const dbFiles = () => readdirSync(cli.home).filter((f) => /^state\.db(-wal|-shm)?$/.test(f));
    for (const f of dbFiles()) copyFileSync(join(cli.home, f), join(cli.home, `${f}.saved`));
    await cli.json(['mcis', 'create', '-f', manifest('lost', [{ name: 'g', connection: 'twin-aws-sa-east-1', count: 2 }])]);
    for (const f of dbFiles()) {
      const old = join(cli.home, `${f}.saved`);
      if (existsSync(old)) copyFileSync(old, join(cli.home, f));
      else writeFileSync(join(cli.home, f), '');
    }
    expect((await cli.run(['mcis', 'get', 'lost'])).code).toBe(4);

    type Report = { found: Array<{ kind: string; id: string; mcis?: string }>; removed: unknown[]; dryRun: boolean };
    const dry = await cli.json<Report>(['connection', 'cleanup', 'twin-aws-sa-east-1', '--dry-run']);
    expect(dry.found.map((o) => o.kind).sort()).toEqual(['keypair', 'network', 'vm', 'vm']);
    expect(dry.removed).toEqual([]);
    expect(await live('sa-east-1', 'lost')).toHaveLength(2);

    const done = await cli.json<Report>(['connection', 'cleanup', 'twin-aws-sa-east-1']);
    expect(done.removed).toHaveLength(4);
    expect(await live('sa-east-1', 'lost')).toHaveLength(0);
    expect(await managedVpcs(twin(), 'sa-east-1')).toBe(0);
    expect(await managedKeyPairs(twin(), 'sa-east-1')).toBe(0);
    expect((await cli.run(['connection', 'cleanup', 'nope'])).code).toBe(4);
  });

  it('repeated suspend and terminate exit 0 saying "already"; a failing VM gets its own error (exit 3)', async () => {
    await cli.json(['mcis', 'create', '-f', manifest('s1', [{ name: 'g', connection: 'twin-aws-eu-west-1', count: 2 }])]);
    expect((await cli.json<{ mcis: Mcis }>(['mcis', 'suspend', 's1'])).mcis.status).toBe('Suspended:2 (R:0/2)');
    const again = await cli.run(['mcis', 'suspend', 's1']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already Suspended: g-1, g-2/);

    // Every StartInstances in the region refused: each VM is reported with the cloud's own error.
    await cli.json(['twin', 'fault', 'StartInstances:InsufficientInstanceCapacity:1@eu-west-1']);
    const refused = await cli.json<ErrorOut>(['mcis', 'resume', 's1'], 3);
    const out = refused.result as { outcome: { failed: Array<{ vm: string; error: string }> } };
    expect(out.outcome.failed.map((f) => f.vm).sort()).toEqual(['g-1', 'g-2']);
    for (const f of out.outcome.failed) expect(f.error).toMatch(/InsufficientInstanceCapacity/);
    await cli.json(['twin', 'fault', '--clear']);

    expect((await cli.json<{ mcis: Mcis }>(['mcis', 'terminate', 's1', '--yes'])).mcis.status).toBe('Terminated:2 (R:0/2)');
    const t2 = await cli.run(['mcis', 'terminate', 's1', '--yes']);
    expect(t2.code).toBe(0);
    expect(t2.stdout).toMatch(/already Terminated/);
    await cli.json(['mcis', 'delete', 's1', '--yes']);
  });

  it('an outage during the boot wait is exit 3 with per-VM reasons; the re-run converges', async () => {
    await cli.json(['twin', 'fault', 'DescribeInstances:Unavailable:1@eu-north-1']);
    const file = manifest('b1', [
      { name: 'a', connection: 'twin-aws-eu-west-1', count: 1 },
      { name: 'n', connection: 'twin-aws-eu-north-1', count: 1 },
    ]);
    const partial = await cli.json<ErrorOut>(['mcis', 'create', '-f', file], 3);
    const r = partial.result as { failed: Array<{ vm: string; error: string }> };
    expect(r.failed.map((f) => f.vm)).toEqual(['n-1']);
    expect(r.failed[0]?.error).toMatch(/Unavailable/);
    const got = await cli.json<Mcis>(['mcis', 'get', 'b1']);
    expect(got.vms.filter((v) => v.status === 'Creating')).toEqual([]);

    await cli.json(['twin', 'fault', '--clear']);
    const again = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    expect(again.mcis.status).toBe('Running:2 (R:2/2)');
    expect(await live('eu-north-1', 'b1')).toHaveLength(1);
    await cli.json(['mcis', 'delete', 'b1', '--yes', '--force']);
  });

  it('a re-run relaunches a Terminated VM, and one refined away; status shows the shortfall meanwhile', async () => {
    const file = manifest('r1', [{ name: 'g', connection: 'twin-aws-eu-west-1', count: 3 }]);
    await cli.json(['mcis', 'create', '-f', file]);
    // g-2 terminated; the re-run tries to relaunch it into a capacity fault (g-2 Failed, exit 3);
    // refine drops it and the count stays 3.
    await cli.json(['mcis', 'terminate', 'r1', '--yes', '--vm', 'g-2']);
    await cli.json(['twin', 'fault', 'RunInstances:InsufficientInstanceCapacity:1@eu-west-1']);
    const stuck = await cli.json<ErrorOut>(['mcis', 'create', '-f', file], 3);
    expect((stuck.result as { failed: Array<{ vm: string }> }).failed.map((f) => f.vm)).toEqual(['g-2']);
    const refined = await cli.json<{ mcis: Mcis; removed: string[] }>(['mcis', 'refine', 'r1']);
    expect(refined.removed).toEqual(['g-2']);
    expect(refined.mcis.status).toBe('Partial-Running:2 (R:2/3)');

    await cli.json(['twin', 'fault', '--clear']);
    const again = await cli.json<{ mcis: Mcis; launched: string[] }>(['mcis', 'create', '-f', file]);
    expect(again.launched).toEqual(['g-2']);
    expect(again.mcis.status).toBe('Running:3 (R:3/3)');
    expect(await live('eu-west-1', 'r1')).toHaveLength(3);
    await cli.json(['mcis', 'delete', 'r1', '--yes', '--force']);
    expect(await managedVpcs(twin(), 'eu-west-1')).toBe(0);
  });
});
