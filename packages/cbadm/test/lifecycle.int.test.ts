/**
 * End to end: the built cbadm against a Cloud-Twin on loopback — twin up/connect, an MCIS over two
 * regions through the real AWS driver, exec, OpenSSH, suspend/resume, terminate, delete, twin down.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml } from './harness.js';
import { instancesTagged, managedKeyPairs, managedVpcs } from './twin-ec2.js';
import { MetricsStore, metricsDbPath } from '@cloud-barista/agent/store/metrics-store';

const REFUSE_CBMON = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(`export async function resolve(s, c, next) {
  if (s === '@cloud-barista/cbmon' || s.startsWith('@cloud-barista/cbmon/')) throw new Error('cbadm loaded ' + s);
  return next(s, c);
}`)}));`;

type Vm = { name: string; status: string; publicIp: string | null; privateIp: string | null; sshPort: number; sshUser: string; connection: string; spec: string; image: string; providerId: string | null };
type Mcis = { name: string; status: string; vms: Vm[] };

const cli = new Cli();
let endpoint = '';

beforeAll(async () => {
  const up = await cli.json<{ running: boolean; endpoints: { aws: string } }>(['twin', 'up', '--boot-delay', '300ms']);
  expect(up.running).toBe(true);
  endpoint = up.endpoints.aws;
  const conns = await cli.json<{ connections: Array<{ name: string }> }>(['twin', 'connect']);
  expect(conns.connections.length).toBeGreaterThanOrEqual(10);
});
afterAll(() => cli.dispose());

describe('cbadm on Cloud-Twin', () => {
  it('twin status --json gives the endpoints', async () => {
    const s = await cli.json<{ running: boolean; endpoints: { aws: string } }>(['twin', 'status']);
    expect(s.endpoints.aws).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('runs an MCIS through its whole life', async () => {
    const file = join(cli.home, 'web.yaml');
    writeFileSync(file, manifestYaml('web', [
      { name: 'seoul', connection: 'twin-aws-ap-northeast-2', count: 2, spec: 't3.small' },
      { name: 'virginia', connection: 'twin-aws-us-east-1', count: 2, image: 'debian-12' },
    ]));

    const plan = await cli.json<{ dryRun: boolean; plan: { vms: unknown[] } }>(['mcis', 'create', '-f', file, '--dry-run']);
    expect(plan.plan.vms).toHaveLength(4);
    expect((await cli.json<Mcis[]>(['mcis', 'list'])).length).toBe(0); // dry run changed nothing

    const created = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    expect(created.mcis.status).toBe('Running:4 (R:4/4)');

    const got = await cli.json<Mcis>(['mcis', 'get', 'web']);
    for (const vm of got.vms) {
      expect(vm).toMatchObject({ status: 'Running', sshPort: cli.sshPort });
      expect(vm.publicIp).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(vm.privateIp).toMatch(/^10\./);
      expect(vm.providerId).toMatch(/^i-[0-9a-f]+$/);
      expect(Object.keys(vm)).toEqual(expect.arrayContaining(['name', 'status', 'publicIp', 'privateIp', 'sshPort', 'sshUser', 'connection', 'spec', 'image', 'providerId']));
    }
    expect(got.vms.find((v) => v.name === 'virginia-1')?.sshUser).toBe('admin');
    expect(got.vms.find((v) => v.name === 'seoul-1')?.sshUser).toBe('ubuntu');
    const tagged = await instancesTagged({ endpoint, stateDir: cli.twinDir }, 'ap-northeast-2', { 'cb-mcis': 'web', 'cb-managed': 'true', 'cb-ns': 'default' });
    expect(tagged.map((i) => i.Tags?.find((t) => t.Key === 'cb-vm')?.Value).sort()).toEqual(['seoul-1', 'seoul-2']);

    // Remote command on every VM, in parallel, with per-VM results.
    const exec = await cli.json<Array<{ vm: string; exitCode: number; stdout: string }>>(['mcis', 'exec', 'web', '--', 'echo', 'hello-$USER']);
    expect(exec.map((r) => [r.vm, r.exitCode, r.stdout.trim()])).toEqual([
      ['seoul-1', 0, 'hello-ubuntu'],
      ['seoul-2', 0, 'hello-ubuntu'],
      ['virginia-1', 0, 'hello-admin'],
      ['virginia-2', 0, 'hello-admin'],
    ]);
    const partial = await cli.run(['mcis', 'exec', 'web', '--json', '--', 'test "$USER" = ubuntu']);
    expect(partial.code).toBe(3);
    expect((JSON.parse(partial.stdout) as Array<{ exitCode: number }>).filter((r) => r.exitCode !== 0)).toHaveLength(2);

    // The printed OpenSSH command line works with the real ssh client and our pinned host keys.
    const printed = await cli.json<{ command: string[] }>(['mcis', 'ssh', 'web', 'seoul-1', '--print']);
    const ssh = spawnSync(printed.command[0]!, ['-o', 'BatchMode=yes', ...printed.command.slice(1), 'echo from-openssh; exit 7'], { encoding: 'utf8', timeout: 20_000 });
    expect(ssh.stdout.trim()).toBe('from-openssh');
    expect(ssh.status).toBe(7);

    const suspended = await cli.json<{ mcis: Mcis }>(['mcis', 'suspend', 'web']);
    expect(suspended.mcis.status).toBe('Suspended:4 (R:0/4)');
    const refused = await cli.run(['mcis', 'exec', 'web', '--vm', 'seoul-1', '--', 'true']);
    expect(refused.code).toBe(1); // exec failed on every VM selected
    const resumed = await cli.json<{ mcis: Mcis }>(['mcis', 'resume', 'web', '--subgroup', 'seoul']);
    // A 2:2 tie prints the status that comes first in Tumblebug's order (Suspended before Running).
    expect(resumed.mcis.status).toBe('Partial-Suspended:2 (R:2/4)');
    await cli.json(['mcis', 'resume', 'web']);
    const rebooted = await cli.json<{ mcis: Mcis }>(['mcis', 'reboot', 'web', '--vm', 'virginia-2']);
    expect(rebooted.mcis.status).toBe('Running:4 (R:4/4)');

    const refreshed = await cli.json<Mcis>(['mcis', 'status', 'web', '--refresh']);
    expect(refreshed.status).toBe('Running:4 (R:4/4)');

    const live = await cli.run(['mcis', 'delete', 'web', '--yes']);
    expect(live.code).toBe(5);
    expect(live.stderr).toMatch(/still has 4 VM/);

    const terminated = await cli.json<{ mcis: Mcis }>(['mcis', 'terminate', 'web', '--yes']);
    expect(terminated.mcis.status).toBe('Terminated:4 (R:0/4)');
    const deleted = await cli.json<{ cleanedConnections: string[] }>(['mcis', 'delete', 'web', '--yes']);
    expect(deleted.cleanedConnections.sort()).toEqual(['twin-aws-ap-northeast-2', 'twin-aws-us-east-1']);
    for (const region of ['ap-northeast-2', 'us-east-1']) {
      expect(await managedVpcs({ endpoint, stateDir: cli.twinDir }, region)).toBe(0);
      expect(await managedKeyPairs({ endpoint, stateDir: cli.twinDir }, region)).toBe(0);
      const left = await instancesTagged({ endpoint, stateDir: cli.twinDir }, region, { 'cb-mcis': 'web' });
      expect(left.every((i) => i.State?.Name === 'terminated')).toBe(true);
    }
    expect(await cli.json<Mcis[]>(['mcis', 'list'])).toEqual([]);
  });

  it('create --install-mon-agent installs the cbmon agent on every VM once it runs', async () => {
    const file = join(cli.home, 'mon.yaml');
    writeFileSync(file, manifestYaml('mon', [{ name: 'g', connection: 'twin-aws-eu-west-1', count: 2 }]));
    const bad = await cli.run(['mcis', 'create', '-f', file, '--install-mon-agent', '--mon-interval', 'soon']);
    expect(bad.code).toBe(2);
    expect(await cli.json<Mcis[]>(['mcis', 'list'])).toEqual([]);
    // cbadm never loads cbmon: the agent comes from @cloud-barista/agent, below both CLIs.
    const created = await cli.run(['mcis', 'create', '-f', file, '--install-mon-agent', '--mon-interval', '2s', '--json'], { env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(REFUSE_CBMON)}` } });
    expect(created.code, created.stderr).toBe(0);
    const r = JSON.parse(created.stdout) as { mcis: Mcis; monitoring: { vms: Array<{ vm: string; ok: boolean }> } };
    expect(r.mcis.status).toBe('Running:2 (R:2/2)');
    expect(r.monitoring.vms.map((v) => [v.vm, v.ok])).toEqual([['g-1', true], ['g-2', true]]);
    // Registered where cbmon's collector looks for agents to pull from.
    const store = new MetricsStore(metricsDbPath(cli.home));
    try {
      expect(store.listAgents({ ns: 'default', mcis: 'mon' }).map((a) => [a.vm, a.mode, a.intervalS])).toEqual([['g-1', 'pull', 2], ['g-2', 'pull', 2]]);
    } finally {
      store.close();
    }
    const ls = await cli.json<Array<{ exitCode: number; stdout: string }>>(['mcis', 'exec', 'mon', '--', 'ls ~/.cbmon']);
    expect(ls.every((x) => x.exitCode === 0 && x.stdout.length > 0)).toBe(true);
    await cli.json(['mcis', 'delete', 'mon', '--yes', '--force']);
  });

  it('mcis register adopts machines over SSH: exec works, cloud actions are refused, delete leaves them running', async () => {
    const file = join(cli.home, 'host.yaml');
    writeFileSync(file, manifestYaml('hosts', [{ name: 'm', connection: 'twin-aws-ca-central-1', count: 1 }]));
    const made = await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file]);
    const vm = made.mcis.vms[0]!;
    const key = join(cli.home, 'keys', 'twin-aws-ca-central-1');

    const badHost = await cli.run(['mcis', 'register', 'lab', '--host', 'no-at-sign', '--key', key]);
    expect(badHost.code).toBe(2);
    expect(badHost.stderr).toMatch(/USER@HOST\[:PORT\]/);
    const wrongUser = await cli.run(['mcis', 'register', 'lab', '--host', `nobody@${vm.publicIp}:${vm.sshPort}`, '--key', key]);
    expect(wrongUser.code).toBe(1);
    expect(await cli.json<Mcis[]>(['mcis', 'list'])).toHaveLength(1); // nothing recorded

    const lab = await cli.json<Mcis>(['mcis', 'register', 'lab', '--host', `${vm.sshUser}@${vm.publicIp}:${vm.sshPort}`, '--key', key, '--subgroup', 'box']);
    expect(lab.status).toBe('Running:1 (R:1/1)');
    expect(lab.vms[0]).toMatchObject({ name: 'box-1', provider: 'external', publicIp: vm.publicIp });
    const out = await cli.json<Array<{ vm: string; exitCode: number; stdout: string }>>(['mcis', 'exec', 'lab', '--', 'echo registered-$USER']);
    expect(out).toEqual([expect.objectContaining({ vm: 'box-1', exitCode: 0, stdout: `registered-${vm.sshUser}\n` })]);
    const refused = await cli.run(['mcis', 'suspend', 'lab']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/registered machines have no cloud API/);
    await cli.json(['mcis', 'delete', 'lab', '--yes']);
    expect((await cli.json<Mcis>(['mcis', 'status', 'hosts', '--refresh'])).status).toBe('Running:1 (R:1/1)');
    await cli.json(['mcis', 'delete', 'hosts', '--yes', '--force']);
  });
});
