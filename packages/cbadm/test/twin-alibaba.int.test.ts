/**
 * End to end on Alibaba Cloud: the built cbadm registers twin-alibaba-<region> connections (the
 * twin's ECS endpoint, its AccessKey stored as a credential), tests one, and runs an MCIS through
 * the Alibaba driver: create → exec over SSH → suspend → resume → terminate → delete, checked
 * through the ECS API after each step; then a create SIGKILLed right after its first RunInstances
 * and re-run leaves exactly the requested instances.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudAudit, converged, expectExit, RequestLog, waitForCalls } from './chaos.js';
import { freePort } from '../../../test-support/net.js';
import { Cli, manifestYaml } from './harness.js';
import { faultedCreateLeavesNothing, walkLifecycle } from './walk.js';

type Conn = { name: string; provider: string; region: string; zone?: string; endpoint?: string; credential?: string };

const cli = new Cli();
const CONN = 'twin-alibaba-ap-northeast-2';
let endpoint = '';
let audit: CloudAudit;
let log: RequestLog;
let alibabaPort = 0;

function manifest(name: string, count: number): string {
  const file = join(cli.home, `${name}.yaml`);
  writeFileSync(file, manifestYaml(name, [{ name: 'seoul', connection: CONN, count, spec: 'ecs.t6-c1m1.large' }]));
  return file;
}

beforeAll(async () => {
  alibabaPort = await freePort();
  const up = await cli.json<{ running: boolean; endpoints: { alibaba: string } }>(['twin', 'up', '--boot-delay', '300ms', '--stop-delay', '200ms', '--alibaba-port', String(alibabaPort)]);
  expect(up.running).toBe(true);
  endpoint = up.endpoints.alibaba;
  log = RequestLog.of(cli);
});
afterAll(async () => {
  await audit?.close();
  await cli.dispose();
});

describe('cbadm with Alibaba Cloud on Cloud-Twin', () => {
  it('twin status names the ECS endpoint; twin connect registers one connection per region', async () => {
    expect(endpoint).toBe(`http://127.0.0.1:${alibabaPort}`);
    const s = await cli.json<{ endpoints: { alibaba: string } }>(['twin', 'status']);
    expect(s.endpoints.alibaba).toBe(endpoint);
    const out = await cli.json<{ credentials: string[]; connections: Conn[] }>(['twin', 'connect']);
    expect(out.credentials).toContain('twin-alibaba');
    const names = out.connections.filter((c) => c.provider === 'alibaba').map((c) => c.name);
    expect(names.length).toBeGreaterThanOrEqual(6);
    expect(names).toEqual(expect.arrayContaining([CONN, 'twin-alibaba-cn-hangzhou', 'twin-alibaba-ap-southeast-1', 'twin-alibaba-eu-central-1']));
    expect(await cli.json<Conn>(['connection', 'get', CONN])).toMatchObject({ provider: 'alibaba', region: 'ap-northeast-2', zone: 'ap-northeast-2-a', endpoint, credential: 'twin-alibaba' });
    const t = await cli.json<{ permissions?: { permission: string; status: string }[] }>(['connection', 'test', CONN]);
    expect(JSON.stringify(t)).toContain('ap-northeast-2');
    expect(t.permissions?.find((p) => p.permission === 'ecs:RunInstances')?.status).toBe('allowed');
    audit = new CloudAudit(cli.home);
  });

  it('stores an AccessKey (secret from stdin or ALIBABA_CLOUD_ACCESS_KEY_SECRET, never printed); a key the twin did not issue fails connection test', async () => {
    const secret = 'Sx9fakeSecretForTheTest0000000';
    const twinCreds = await cli.json<Array<{ name: string; kind: string; attributes: { accessKeyId?: string } }>>(['credential', 'list']);
    expect(twinCreds.find((c) => c.name === 'twin-alibaba')).toMatchObject({ kind: 'alibaba-access-key', attributes: { accessKeyId: expect.stringMatching(/^LTAI\*{4}/) as unknown } });
    const add = await cli.run(['credential', 'add', 'ali-stdin', '--provider', 'alibaba', '--access-key-id', 'LTAI5tStdinKey00000000', '--access-key-secret-stdin', '--json'], { input: secret });
    expect(add.code).toBe(0);
    expect(add.stdout + add.stderr).not.toContain(secret);
    expect(JSON.parse(add.stdout)).toMatchObject({ provider: 'alibaba', kind: 'alibaba-access-key', attributes: { accessKeyId: 'LTAI****0000' } });
    // From Alibaba's own variables, even with an AWS key id in the environment.
    const fromEnv = await cli.run(['credential', 'add', 'ali-env', '--provider', 'alibaba', '--json'], {
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tEnvKey0000000009', ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' },
    });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ kind: 'alibaba-access-key', attributes: { accessKeyId: 'LTAI****0009' } });
    const missing = await cli.run(['credential', 'add', 'ali-none', '--provider', 'alibaba', '--access-key-id', 'LTAI5tNoSecret00000000'], { env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    // A key the twin never issued.
    await cli.json(['connection', 'add', 'ali-wrong', '--provider', 'alibaba', '--region', 'ap-northeast-2', '--credential', 'ali-stdin', '--endpoint', endpoint]);
    const test = await cli.run(['connection', 'test', 'ali-wrong', '--json']);
    expect(test.code).not.toBe(0);
    expect(test.stdout + test.stderr).toContain('InvalidAccessKeyId.NotFound');
    expect(test.stdout + test.stderr).not.toContain(secret);
  });

  it('runs an MCIS: create, exec, suspend, resume, terminate, delete, nothing left in the ECS API', async () => {
    await walkLifecycle(cli, { mcis: 'ali', connection: CONN, spec: 'ecs.t6-c1m1.large', subgroup: 'seoul', sshUser: 'root' }, {
      providerId: /^i-mj[a-z0-9]{18}$/,
      afterCreate: async () => expect(await audit.check('ali', [CONN])).toEqual(converged(2, 'Running')),
      afterSuspend: async () => expect(await audit.check('ali', [CONN])).toEqual(converged(2, 'Suspended')),
      afterDelete: async () => {
        expect(await audit.check('ali', [CONN])).toEqual(converged(0, ''));
        expect(await audit.defaults(CONN)).toEqual([]);
      },
    });
  }, 120_000);

  it('twin fault alibaba:RunInstances:OperationDenied.NoStock fails a create with ECS\'s code; delete --force leaves nothing', async () => {
    await faultedCreateLeavesNothing(cli, audit, { fault: 'alibaba:RunInstances:OperationDenied.NoStock:1@ap-northeast-2#1', manifest: manifest('nostock', 1), mcis: 'nostock', connection: CONN, says: 'alibaba: OperationDenied.NoStock' });
  }, 60_000);

  it('a create SIGKILLed right after its first RunInstances, run again, leaves exactly the requested instances', async () => {
    const file = manifest('kill', 3);
    const from = log.size();
    const child = cli.spawnRaw(['mcis', 'create', '-f', file]);
    child.stdout?.resume();
    child.stderr?.resume();
    let exited = false;
    const done = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => ((exited = true), resolve(signal))));
    const sawRun = await waitForCalls(log, from, (l) => l.split(' ')[3] === 'RunInstances' && l.split(' ')[4] === '200', 1, () => exited);
    child.kill('SIGKILL');
    expect(sawRun).toBe(true);
    expect(await done).toBe('SIGKILL');
    // The kill landed after a launch: instances exist whose records may not name them yet.
    const during = await audit.check('kill', [CONN]);
    expect(during.cloud).toBeGreaterThanOrEqual(1);
    expect(during.cloud).toBeLessThanOrEqual(3);
    const again = await cli.run(['mcis', 'create', '-f', file]);
    expectExit(again, [0], 'create after the kill');
    expect(await audit.check('kill', [CONN])).toEqual(converged(3, 'Running'));
    expectExit(await cli.run(['mcis', 'delete', 'kill', '--force']), [0], 'delete --force');
    expect(await audit.check('kill', [CONN])).toEqual(converged(0, ''));
    expect(await audit.defaults(CONN)).toEqual([]);
  }, 120_000);
});
