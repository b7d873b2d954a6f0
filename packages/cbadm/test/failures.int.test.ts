/**
 * What a user sees when part of a run fails (faults injected with `cbadm twin fault`): the normal
 * table, one line per VM or region, and a summary of the causes; never a YAML dump on stderr.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml } from './harness.js';
import { instancesTagged, managedKeyPairs, managedVpcs } from './twin-ec2.js';

const cli = new Cli();
const SEOUL = 'twin-aws-ap-northeast-2';
const OHIO = 'twin-aws-us-east-2';
const file = (name: string, text: string) => {
  const p = join(cli.home, name);
  writeFileSync(p, text);
  return p;
};

let endpoint = '';
const twin = () => ({ endpoint, stateDir: cli.twinDir });

beforeAll(async () => {
  await cli.json(['twin', 'up', '--boot-delay', '100ms']);
  await cli.json(['twin', 'connect']);
  endpoint = (await cli.json<{ endpoint: string }>(['connection', 'get', SEOUL])).endpoint;
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

describe('create checks the catalog before launching anything', () => {
  const FRANKFURT = 'twin-aws-eu-central-1';
  beforeAll(async () => {
    await cli.json(['catalog', 'update', '--connection', FRANKFURT]);
  });

  it('an unknown spec or a near-miss image is refused with the closest names (exit 2), dry run and create alike; nothing is made', async () => {
    const m = file('typo.yaml', manifestYaml('typo', [{ name: 'fra', connection: FRANKFURT, count: 2, spec: 't3.micor', image: 'ubuntu-22.4' }]));
    for (const args of [['--dry-run'], []]) {
      const r = await cli.run(['mcis', 'create', '-f', m, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/spec\.subgroups\[0\]\.spec: unknown spec 't3\.micor' in aws eu-central-1 \(per the catalog\): did you mean 't3\.micro', 't2\.micro', 't3a\.micro'\?/);
      expect(r.stderr).toContain("spec.subgroups[0].image: unknown image 'ubuntu-22.4' in aws eu-central-1: did you mean 'ubuntu-22.04'?");
    }
    expect((await cli.json<Array<{ name: string }>>(['mcis', 'list'])).map((x) => x.name)).not.toContain('typo');
    expect(await instancesTagged(twin(), 'eu-central-1', { 'cb-mcis': 'typo' })).toEqual([]);
    expect(await managedVpcs(twin(), 'eu-central-1')).toBe(0);
    expect(await managedKeyPairs(twin(), 'eu-central-1')).toBe(0);
    // The names the catalog has go through.
    const ok = await cli.run(['mcis', 'create', '-f', file('ok.yaml', manifestYaml('typo', [{ name: 'fra', connection: FRANKFURT, count: 1 }])), '--dry-run']);
    expect(ok.code).toBe(0);
  });

  it('a connection whose region the provider does not have is named as such', async () => {
    await cli.json(['connection', 'add', 'aws-atlantis', '--provider', 'aws', '--region', 'eu-central-9', '--endpoint', endpoint]);
    const r = await cli.run(['mcis', 'create', '-f', file('atl.yaml', manifestYaml('atl', [{ name: 'a', connection: 'aws-atlantis', count: 1 }])), '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/connection 'aws-atlantis' names region 'eu-central-9', which aws does not have: did you mean 'eu-central-1'/);
  });

  it('--dry-run on an existing MCIS says it exists and what differs', async () => {
    const same = await cli.run(['mcis', 'create', '-f', file('pf.yaml', manifestYaml('pf', [{ name: 'seoul', connection: SEOUL, count: 2 }, { name: 'ohio', connection: OHIO, count: 2 }])), '--dry-run']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('MCIS default/pf already exists (Partial-Failed:2 (R:2/4)). The manifest matches it: create would continue it');
    const changed = manifestYaml('pf', [{ name: 'seoul', connection: SEOUL, count: 3, spec: 't3.small', image: 'debian-12' }, { name: 'fra', connection: FRANKFURT, count: 1 }]);
    const r = await cli.run(['mcis', 'create', '-f', file('pf2.yaml', changed), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('MCIS default/pf already exists (Partial-Failed:2 (R:2/4)). The manifest differs from it, so create would refuse (exit 5');
    for (const line of ['seoul: count 2 → 3', 'seoul: spec t3.micro → t3.small', 'seoul: image ubuntu-22.04 → debian-12', `subgroup fra: added (1 × t3.micro on ${FRANKFURT})`, `subgroup ohio: not in the manifest (2 × t3.micro on ${OHIO})`]) {
      expect(r.stdout).toContain(`\n  ${line}`);
    }
    const j = await cli.json<{ plan: { existing: { differences: string[] } } }>(['mcis', 'create', '-f', file('pf2.yaml', changed), '--dry-run']);
    expect(j.plan.existing.differences).toHaveLength(5);
  });
});

describe('connections with stuck default resources', () => {
  const MUMBAI = 'twin-aws-ap-south-1';
  const SAO_PAULO = 'twin-aws-sa-east-1';

  it('connection remove --force deletes what the cloud has by tags, forgets the rest and says which', async () => {
    // Mumbai: the VPC is made, its subnet fails; São Paulo: the key pair import fails. The rollback
    // cannot remove either (deletes denied), so both records stay `creating`, with no MCIS using them.
    await cli.json(['twin', 'fault', 'CreateSubnet:UnauthorizedOperation:1@ap-south-1', 'DeleteVpc:UnauthorizedOperation:1@ap-south-1', 'ImportKeyPair:UnauthorizedOperation:1@sa-east-1', 'DeleteKeyPair:UnauthorizedOperation:1@sa-east-1']);
    const m = file('stuck.yaml', manifestYaml('stuck', [{ name: 'mum', connection: MUMBAI, count: 1 }, { name: 'sao', connection: SAO_PAULO, count: 1 }]));
    const created = await cli.run(['mcis', 'create', '-f', m, '--on-failure', 'rollback']);
    await cli.json(['twin', 'fault', '--clear']);
    expect(created.code).toBe(1);
    expect(await managedVpcs(twin(), 'ap-south-1')).toBe(1);

    for (const [conn, what] of [[MUMBAI, 'network (creating)'], [SAO_PAULO, 'keypair (creating)']] as const) {
      const plain = await cli.run(['connection', 'remove', conn, '--yes']);
      expect(plain.code, conn).toBe(5);
      expect(plain.stderr, conn).toContain(`connection '${conn}' still owns default resources: ${what}`);
      expect(plain.stderr, conn).toContain(`Hint: remove them with: cbadm connection remove ${conn} --force`);
    }

    const mum = await cli.run(['connection', 'remove', MUMBAI, '--force']);
    expect(mum.code).toBe(0);
    expect(mum.stdout).toMatch(new RegExp(`^Removed connection ${MUMBAI}\\.\\nDeleted from the cloud \\(found by the cb-managed tags\\): network vpc-[0-9a-f]+ \\(recorded as creating\\)\\.\\nForgot, the cloud had nothing of them: none\\.\\n$`));
    expect(await managedVpcs(twin(), 'ap-south-1')).toBe(0);

    const sao = await cli.run(['connection', 'remove', SAO_PAULO, '--force']);
    expect(sao.code).toBe(0);
    expect(sao.stdout).toBe(`Removed connection ${SAO_PAULO}.\nDeleted from the cloud (found by the cb-managed tags): nothing, the cloud had none.\nForgot, the cloud had nothing of them: keypair (creating).\n`);
    expect(await managedKeyPairs(twin(), 'sa-east-1')).toBe(0);

    const left = (await cli.json<Array<{ name: string }>>(['connection', 'list'])).map((c) => c.name);
    expect(left).not.toContain(MUMBAI);
    expect(left).not.toContain(SAO_PAULO);
  });

  it('--force still refuses a connection an MCIS uses', async () => {
    const r = await cli.run(['connection', 'remove', SEOUL, '--force']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`connection '${SEOUL}' is used by MCIS default/pf`);
  });

  it('connection test names a region the cloud does not have, not a credential problem', async () => {
    await cli.json(['connection', 'add', 'aws-nowhere', '--provider', 'aws', '--region', 'ap-northeast-9', '--endpoint', endpoint, '--credential', 'twin-aws']);
    const r = await cli.run(['connection', 'test', 'aws-nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: connection 'aws-nowhere': aws has no region 'ap-northeast-9'");
    expect(r.stderr).toContain('Hint: did you mean ap-northeast-1, ap-northeast-2, ap-northeast-3?');
    expect(r.stderr).not.toMatch(/Hint: check the connection's credential/);
  });
});
