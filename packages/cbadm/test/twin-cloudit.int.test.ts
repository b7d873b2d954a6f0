/**
 * End to end on Cloudit: the built cbadm registers twin-cloudit-<cluster> connections (the twin's
 * identity endpoint, its IAM user stored as a cloudit-password credential), accepts a Cloudit
 * connection with a price file, and runs an MCIS through the Cloudit driver: create → exec over
 * SSH → suspend → resume → delete, with nothing left on the twin; a `twin fault cloudit:…` fails a
 * create with Cloudit's code.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResourceName, type CloudDriver } from '@cloud-barista/core';
import { driverRegistry } from '@cloud-barista/drivers';
import { CloudAudit, converged, storedCredential } from './chaos.js';
import { Cli, manifestYaml } from './harness.js';
import { faultedCreateLeavesNothing } from './walk.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string; credential?: string; prices?: Record<string, number> };
type Vm = { name: string; status: string; publicIp: string | null; sshUser: string };
type Mcis = { name: string; status: string; vms: Vm[] };
type Status = { endpoints: { cloudit: string; aws: string } };

const cli = new Cli();
const CONN = 'twin-cloudit-kr-seoul-1';
let audit: CloudAudit;

function manifest(name: string, count: number, extra = ''): string {
  const file = join(cli.home, `${name}.yaml`);
  writeFileSync(file, manifestYaml(name, [{ name: 'seoul', connection: CONN, count, spec: 'micro-1' }]) + extra);
  return file;
}

/** The Cloudit driver on a stored connection, as cbadm builds it: the look at the MCIS firewall. */
async function clouditDriver(connection: string): Promise<CloudDriver> {
  const c = audit.connection(connection);
  return (await driverRegistry.load('cloudit'))({ connection: c, credentials: storedCredential(cli.home, c.credential!) });
}

beforeAll(async () => {
  const up = await cli.json<{ running: boolean }>(['twin', 'up', '--boot-delay', '300ms', '--stop-delay', '200ms']);
  expect(up.running).toBe(true);
});
afterAll(async () => {
  await audit?.close();
  await cli.dispose();
});

describe('cbadm with Cloudit on Cloud-Twin', () => {
  it('twin status names the Cloudit endpoint; twin connect registers one connection per cluster', async () => {
    const s = await cli.json<Status>(['twin', 'status']);
    expect(s.endpoints.cloudit).toBe(s.endpoints.aws);
    const out = await cli.json<{ credentials: string[]; connections: Conn[] }>(['twin', 'connect']);
    expect(out.credentials).toContain('twin-cloudit');
    expect(out.connections.filter((c) => c.provider === 'cloudit').map((c) => c.name)).toEqual([CONN, 'twin-cloudit-kr-daejeon-1']);
    expect(await cli.json<Conn>(['connection', 'get', CONN])).toMatchObject({ provider: 'cloudit', region: 'kr-seoul-1', endpoint: s.endpoints.cloudit, credential: 'twin-cloudit' });
    expect(JSON.stringify(await cli.json(['connection', 'test', CONN]))).toContain('kr-seoul-1');
    audit = new CloudAudit(cli.home);
  });

  it('stores a cloudit-password credential with the password from stdin, never printed; takes a connection with a price file', async () => {
    const password = 'N0t-the-twins!pass';
    const add = await cli.run(['credential', 'add', 'ci-stdin', '--provider', 'cloudit', '--auth-url', 'https://cloudit.example.kr:9090', '--username', 'cb-user', '--tenant-id', 'tnt-1', '--secret-stdin', '--json'], { input: password });
    expect(add.code).toBe(0);
    expect(add.stdout + add.stderr).not.toContain(password);
    expect(JSON.parse(add.stdout)).toMatchObject({ provider: 'cloudit', kind: 'cloudit-password', attributes: { username: 'cb-user', tenantId: 'tnt-1' } });
    const missing = await cli.run(['credential', 'add', 'ci-none', '--provider', 'cloudit', '--username', 'cb-user', '--tenant-id', 'tnt-1'], { env: { CLOUDIT_PASSWORD: '', CLOUDIT_IDENTITY_ENDPOINT: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--auth-url or CLOUDIT_IDENTITY_ENDPOINT');
    const prices = join(cli.home, 'cloudit-prices.csv');
    writeFileSync(prices, 'micro-1,0.011\nsmall-2,0.022\n');
    const conn = await cli.json<Conn>(['connection', 'add', 'ci-priced', '--provider', 'cloudit', '--region', 'kr-daejeon-1', '--credential', 'twin-cloudit', '--endpoint', (await cli.json<Status>(['twin', 'status'])).endpoints.cloudit, '--price-file', prices]);
    expect(conn.prices).toEqual({ 'micro-1': 0.011, 'small-2': 0.022 });
  });

  it('runs an MCIS with firewall rules: create, exec, suspend, resume, delete, nothing left on the twin', async () => {
    const rules = '  firewall:\n    - { ports: "8080", from: ["mcis"] }\n  ssh: { from: ["127.0.0.0/8"] }\n';
    const create = await cli.run(['mcis', 'create', '-f', manifest('ci', 2, rules), '--json']);
    expect(create.code, create.stderr).toBe(0);
    // The rules are realised on Cloudit: no "not realised" warning.
    expect(create.stderr).not.toMatch(/not realised/);
    const created = JSON.parse(create.stdout) as { mcis: Mcis };
    expect(created.mcis.status).toBe('Running:2 (R:2/2)');
    const driver = await clouditDriver(CONN);
    const net = (await driver.network.findDefault({ name: defaultResourceName(CONN), tags: {} }))!;
    const [fw] = await driver.firewall!.list(net);
    const held = (await driver.firewall!.read(fw!, net)).rules.map((r) => `${r.fromPort}/${r.source}`);
    expect(held).toContain('22/127.0.0.0/8');
    expect(held.filter((r) => r.startsWith('8080/')).length).toBe(4);
    expect(await audit.check('ci', [CONN])).toEqual(converged(2, 'Running'));
    const got = await cli.json<Mcis>(['mcis', 'get', 'ci']);
    for (const vm of got.vms) {
      expect(vm.publicIp).toMatch(/^127\./);
      expect(vm.sshUser).toBe('root');
    }
    const exec = await cli.json<Array<{ vm: string; exitCode: number; stdout: string }>>(['mcis', 'exec', 'ci', '--', 'echo', 'hello-$USER']);
    expect(exec.map((r) => [r.vm, r.exitCode, r.stdout.trim()])).toEqual([
      ['seoul-1', 0, 'hello-root'],
      ['seoul-2', 0, 'hello-root'],
    ]);
    expect((await cli.json<{ mcis: Mcis }>(['mcis', 'suspend', 'ci'])).mcis.status).toBe('Suspended:2 (R:0/2)');
    expect(await audit.check('ci', [CONN])).toEqual(converged(2, 'Suspended'));
    expect((await cli.json<{ mcis: Mcis }>(['mcis', 'resume', 'ci'])).mcis.status).toBe('Running:2 (R:2/2)');
    expect((await cli.json<Array<{ exitCode: number }>>(['mcis', 'exec', 'ci', '--', 'true'])).map((r) => r.exitCode)).toEqual([0, 0]);
    const deleted = await cli.json<{ cleanedConnections: string[] }>(['mcis', 'delete', 'ci', '--yes', '--force']);
    expect(deleted.cleanedConnections).toEqual([CONN]);
    expect(await audit.check('ci', [CONN])).toEqual(converged(0, ''));
    expect(await audit.defaults(CONN)).toEqual([]);
    expect(await driver.firewall!.list(net)).toEqual([]);
  }, 120_000);

  it("twin fault cloudit:servers.create fails a create with Cloudit's code; delete --force leaves nothing", async () => {
    await faultedCreateLeavesNothing(cli, audit, { fault: 'cloudit:servers.create:QUOTA_EXCEEDED:1@kr-seoul-1#1', manifest: manifest('quota', 1), mcis: 'quota', connection: CONN, says: 'QUOTA_EXCEEDED' });
  }, 60_000);
});
