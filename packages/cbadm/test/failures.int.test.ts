/**
 * What a user sees when part of a run fails (faults injected with `cbadm twin fault`): the normal
 * table, one line per VM or region, and a summary of the causes; never a YAML dump on stderr.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml } from './harness.js';

const cli = new Cli({ sshPort: 2461 });
const SEOUL = 'twin-aws-ap-northeast-2';
const OHIO = 'twin-aws-us-east-2';
const file = (name: string, text: string) => {
  const p = join(cli.home, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(async () => {
  await cli.json(['twin', 'up', '--boot-delay', '100ms']);
  await cli.json(['twin', 'connect']);
});
afterAll(() => cli.dispose());

describe('partial failures', () => {
  it('mcis create: the table with one line per VM (the failed ones with their error), a summary by cause, exit 3', async () => {
    await cli.json(['twin', 'fault', 'RunInstances:InsufficientInstanceCapacity:1@us-east-2']);
    const m = file('pf.yaml', manifestYaml('pf', [{ name: 'seoul', connection: SEOUL, count: 2 }, { name: 'ohio', connection: OHIO, count: 2 }]));
    const r = await cli.run(['mcis', 'create', '-f', m]);
    await cli.json(['twin', 'fault', '--clear']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^MCIS default\/pf: Partial-Failed:2 \(R:2\/4\)/);
    const rows = (vm: string) => r.stdout.split('\n').filter((l) => l.includes(`│ ${vm} `));
    for (const vm of ['seoul-1', 'seoul-2']) expect(rows(vm)[0], vm).toMatch(/Running/);
    for (const vm of ['ohio-1', 'ohio-2']) {
      expect(rows(vm), vm).toHaveLength(1);
      expect(rows(vm)[0], vm).toMatch(/Failed .*aws: InsufficientInstanceCapacity: We currently do not have…/);
    }
    expect(r.stdout).toContain('Summary: 2 of 4 VM(s) running, 2 failed:');
    expect(r.stdout).toMatch(/^ {2}ohio-1, ohio-2: aws: InsufficientInstanceCapacity: We currently do not have sufficient capacity.*different one\.$/m);
    expect(r.stderr).toMatch(/^Error: MCIS 'pf': 2 of 4 VM\(s\) failed\nHint: remove the failed VMs with: cbadm mcis refine pf\n$/m);
    expect(r.stderr).not.toMatch(/statusCount|countTotal|^ {2}vms:/m);
  });

  it('catalog update: one line per failed region under its cause, the regions that worked in the table, exit 3', async () => {
    await cli.json(['twin', 'fault', 'aws:DescribeInstanceTypes:UnauthorizedOperation:1@sa-east-1', '--outage', 'eu-west-1', '--outage', 'us-west-2']);
    const r = await cli.run(['catalog', 'update', '--driver', 'aws']);
    await cli.json(['twin', 'fault', '--clear', '--restore', 'eu-west-1', '--restore', 'us-west-2']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/│ twin-aws-ap-northeast-2 +│ aws +│ ap-northeast-2 /);
    expect(r.stdout).not.toMatch(/│ twin-aws-eu-west-1 /);
    const tail = r.stdout.slice(r.stdout.indexOf('region(s) failed'));
    expect(r.stdout).toContain('3 region(s) failed (their previous data is kept), 2 cause(s):');
    expect(tail).toMatch(/\n {2}aws: Unavailable: [^\n]*\n {4}aws eu-west-1 \(twin-aws-eu-west-1\)\n {4}aws us-west-2 \(twin-aws-us-west-2\)\n {2}aws: UnauthorizedOperation: [^\n]*\n {4}aws sa-east-1 \(twin-aws-sa-east-1\)/);
    expect(r.stderr).toMatch(/^Error: catalog update failed for 3 of 15 region\(s\)/m);
    expect(r.stderr).not.toMatch(/^updated:|^failed:/m);
  });
});
