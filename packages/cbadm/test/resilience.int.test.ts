/**
 * Interrupted work resumes without duplicates or orphans, and concurrent processes lose no update.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml } from './harness.js';
import { instancesTagged, managedVpcs } from './twin-ec2.js';

type Mcis = { status: string; vms: Array<{ name: string; providerId: string | null; status: string }> };

const cli = new Cli();
let endpoint = '';

beforeAll(async () => {
  endpoint = (await cli.json<{ endpoints: { aws: string } }>(['twin', 'up', '--boot-delay', '1500ms', '--stop-delay', '1s'])).endpoints.aws;
  await cli.json(['twin', 'connect']);
});
afterAll(() => cli.dispose());

const live = (instances: Awaited<ReturnType<typeof instancesTagged>>) => instances.filter((i) => i.State?.Name !== 'terminated');

describe('resilience', () => {
  it('SIGKILL mid-create, then re-run: exactly the requested VMs, no orphan', async () => {
    const file = join(cli.home, 'crash.yaml');
    writeFileSync(file, manifestYaml('crash', [
      { name: 'a', connection: 'twin-aws-eu-west-1', count: 3 },
      { name: 'b', connection: 'twin-aws-ap-south-1', count: 3 },
    ]));
    const child = cli.spawnRaw(['mcis', 'create', '-f', file]);
    // Kill once some instances exist in the cloud but before the create finished (boot delay 1.5 s).
    let made = 0;
    for (let i = 0; i < 400 && made === 0; i++) {
      made = live(await instancesTagged({ endpoint, stateDir: cli.twinDir }, 'eu-west-1', { 'cb-mcis': 'crash' })).length;
      if (made === 0) await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    // The kill must land mid-way: instances exist in the cloud, the create had not finished.
    expect(made).toBeGreaterThan(0);
    await new Promise((r) => child.once('exit', r));
    const before = await cli.json<Mcis>(['mcis', 'get', 'crash']);
    expect(before.status).not.toBe('Running:6 (R:6/6)');

    const again = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    expect(again.mcis.status).toBe('Running:6 (R:6/6)');
    for (const region of ['eu-west-1', 'ap-south-1']) {
      const inst = live(await instancesTagged({ endpoint, stateDir: cli.twinDir }, region, { 'cb-mcis': 'crash' }));
      expect(inst).toHaveLength(3);
      expect(await managedVpcs({ endpoint, stateDir: cli.twinDir }, region)).toBe(1);
    }
    const ids = again.mcis.vms.map((v) => v.providerId);
    expect(new Set(ids).size).toBe(6);

    await cli.json(['mcis', 'delete', 'crash', '--yes', '--force']);
    for (const region of ['eu-west-1', 'ap-south-1']) {
      expect(live(await instancesTagged({ endpoint, stateDir: cli.twinDir }, region, { 'cb-mcis': 'crash' }))).toHaveLength(0);
      expect(await managedVpcs({ endpoint, stateDir: cli.twinDir }, region)).toBe(0);
    }
  });

  it('two cbadm processes on one store at once: both MCIS made, defaults shared, nothing lost', async () => {
    const f1 = join(cli.home, 'p1.yaml');
    const f2 = join(cli.home, 'p2.yaml');
    writeFileSync(f1, manifestYaml('p1', [{ name: 'g', connection: 'twin-aws-sa-east-1', count: 2 }]));
    writeFileSync(f2, manifestYaml('p2', [{ name: 'g', connection: 'twin-aws-sa-east-1', count: 2 }]));
    const [r1, r2] = await Promise.all([cli.run(['mcis', 'create', '-f', f1, '--json']), cli.run(['mcis', 'create', '-f', f2, '--json'])]);
    expect([r1.code, r2.code]).toEqual([0, 0]);
    const list = await cli.json<Array<{ name: string; status: string }>>(['mcis', 'list']);
    expect(list.map((m) => [m.name, m.status])).toEqual([['p1', 'Running:2 (R:2/2)'], ['p2', 'Running:2 (R:2/2)']]);
    expect(await managedVpcs({ endpoint, stateDir: cli.twinDir }, 'sa-east-1')).toBe(1);

    // A second command on the same MCIS while one runs (a suspend: the twin's 1 s stop delay) is refused with exit 5, not interleaved.
    const slow = cli.run(['mcis', 'suspend', 'p1', '--json']);
    await new Promise((r) => setTimeout(r, 700));
    const clash = await cli.run(['mcis', 'resume', 'p1']);
    expect(clash.code).toBe(5);
    expect(clash.stderr).toMatch(/locked by mcis suspend/);
    expect((await slow).code).toBe(0);

    // Many connection adds at once, from separate processes: every one lands.
    const adds = await Promise.all(Array.from({ length: 8 }, (_, i) => cli.run(['connection', 'add', `par-${i}`, '--provider', 'aws', '--region', 'us-east-1'])));
    expect(adds.map((a) => a.code)).toEqual(Array(8).fill(0));
    const names = (await cli.json<Array<{ name: string }>>(['connection', 'list'])).map((c) => c.name);
    for (let i = 0; i < 8; i++) expect(names).toContain(`par-${i}`);

    await Promise.all([cli.json(['mcis', 'delete', 'p1', '--yes', '--force']), cli.json(['mcis', 'delete', 'p2', '--yes', '--force'])]);
    expect(await managedVpcs({ endpoint, stateDir: cli.twinDir }, 'sa-east-1')).toBe(0);
  });
});
