/**
 * A damaged store is noticed, refused and repaired (restore from the automatic backup, or recover
 * from the clouds' tags), and a read-only store still answers every read.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsRoot } from '../../../test-support/tools.js';
import { CBADM, Cli, manifestYaml } from './harness.js';
import { instancesTagged } from './twin-ec2.js';

type Mcis = { status: string; vms: Array<{ name: string; providerId: string | null; status: string }> };
type Recovered = { keptAs?: string; connections: string[]; mcis: Array<{ ns: string; name: string; vms: number; status: string }>; failed: unknown[] };

const cli = new Cli();
let endpoint = '';
const twin = () => ({ endpoint, stateDir: cli.twinDir });
const db = () => join(cli.home, 'state.db');
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const live = async (region: string, mcis: string) => (await instancesTagged(twin(), region, { 'cb-mcis': mcis })).filter((i) => i.State?.Name !== 'terminated');

beforeAll(async () => {
  endpoint = (await cli.json<{ endpoints: { aws: string } }>(['twin', 'up', '--boot-delay', '300ms'])).endpoints.aws;
  await cli.json(['twin', 'connect']);
});
afterAll(() => cli.dispose());

describe('a damaged state store', () => {
  it('0 bytes: every command refuses it (exit 1, the file and the way out), writes nothing; recover rebuilds the MCIS from the clouds', async () => {
    const file = join(cli.home, 'keep.yaml');
    writeFileSync(file, manifestYaml('keep', [
      { name: 'web', connection: 'twin-aws-eu-west-1', count: 2 },
      { name: 'gce', connection: 'twin-gcp-asia-northeast3', count: 1, spec: 'e2-small' },
    ]));
    expect((await cli.json<{ mcis: Mcis }>(['mcis', 'create', '-f', file])).mcis.status).toBe('Running:3 (R:3/3)');

    truncateSync(db(), 0);
    for (const args of [['mcis', 'list'], ['mcis', 'delete', 'keep', '--yes', '--force'], ['connection', 'add', 'x', '--provider', 'aws', '--region', 'us-east-1']]) {
      const r = await cli.run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(`the state store ${db()} is damaged: it is empty (0 bytes); nothing was written to it`);
      expect(r.stderr).toMatch(/cbadm state restore.*cbadm state recover/s);
      expect(statSync(db()).size).toBe(0);
    }
    const check = await cli.run(['state', 'check', '--json']);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: false, problems: ['it is empty (0 bytes)'] });

    const rebuilt = await cli.json<Recovered>(['state', 'recover']);
    expect(rebuilt.failed).toEqual([]);
    expect(rebuilt.connections).toEqual(expect.arrayContaining(['twin-aws-eu-west-1', 'twin-gcp-asia-northeast3']));
    expect(rebuilt.mcis).toEqual([{ ns: 'default', name: 'keep', vms: 3, status: 'Running:3 (R:3/3)' }]);
    expect(rebuilt.keptAs && existsSync(rebuilt.keptAs)).toBeTruthy();

    const got = await cli.json<Mcis>(['mcis', 'get', 'keep']);
    expect(got.vms.map((v) => v.name).sort()).toEqual(['gce-1', 'web-1', 'web-2']);
    // The rebuilt records reach the VMs (login user and key found again) and can remove them.
    const exec = await cli.json<Array<{ vm: string; exitCode: number }>>(['mcis', 'exec', 'keep', '--', 'true']);
    expect(exec.map((e) => e.exitCode)).toEqual([0, 0, 0]);
    await cli.json(['mcis', 'delete', 'keep', '--yes', '--force']);
    expect(await live('eu-west-1', 'keep')).toHaveLength(0);
    expect((await cli.json<unknown[]>(['mcis', 'list']))).toEqual([]);
  });

  it('a byte cut off or pages overwritten: refused; state restore puts the backup back', async () => {
    await cli.json(['connection', 'add', 'kept', '--provider', 'aws', '--region', 'us-east-1']);
    // A backup a day old is due: the next command's close takes a new one, which holds 'kept'.
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    utimesSync(`${db()}.bak`, dayAgo, dayAgo);
    await cli.json(['connection', 'list']);
    expect(statSync(`${db()}.bak`).mtimeMs).toBeGreaterThan(dayAgo.getTime() + 3600_000);
    const healthy = readFileSync(db());

    truncateSync(db(), healthy.length - 1);
    const cut = await cli.run(['connection', 'list']);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/is damaged: its size \(\d+ bytes\) is not a whole number of \d+-byte pages: it was cut short/);

    writeFileSync(db(), healthy);
    const fd = openSync(db(), 'r+');
    writeSync(fd, Buffer.alloc(2 * 4096, 0x5a), 0, 2 * 4096, 4096); // pages 2 and 3: b-tree pages of the schema
    closeSync(fd);
    const before = digest(db());
    const garbled = await cli.run(['connection', 'list']);
    expect(garbled.code).toBe(1);
    expect(garbled.stderr).toMatch(/is damaged: /);
    expect(digest(db())).toBe(before);
    expect((await cli.run(['state', 'check'])).stdout).toMatch(/DAMAGED[\s\S]*backup .*: ok[\s\S]*cbadm state restore/);

    const restored = await cli.json<{ from: string; keptAs: string }>(['state', 'restore']);
    expect(restored.from).toBe(`${db()}.bak`);
    expect(existsSync(restored.keptAs)).toBe(true);
    expect((await cli.json<Array<{ name: string }>>(['connection', 'list'])).map((c) => c.name)).toContain('kept');
    expect((await cli.run(['state', 'check'])).code).toBe(0);
  });
});

describe.runIf(needsRoot('the read-only store check (a read-only bind mount)'))('a read-only state store', () => {
  /** Runs cbadm with $CB_HOME mounted read-only in a private mount namespace. */
  function readOnly(args: string[]): { code: number | null; stdout: string; stderr: string } {
    const script = 'mount --bind -o ro "$CB_HOME" "$CB_HOME" && exec "$0" "$@"';
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script, process.execPath, CBADM, ...args], { env: cli.env, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('reads work, a write is refused with exit 1 naming the file, and nothing changes', async () => {
    await cli.json(['connection', 'list']);
    const before = digest(db());
    const list = readOnly(['connection', 'list', '--json']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((c) => c.name)).toContain('kept');
    expect(readOnly(['mcis', 'list']).code).toBe(0);

    const add = readOnly(['connection', 'add', 'nope', '--provider', 'aws', '--region', 'us-east-1']);
    expect(add.code).toBe(1);
    expect(add.stderr).toContain(`the state store ${db()} is read-only`);
    expect(add.stderr).toContain(`make ${cli.home} writable`);
    expect(digest(db())).toBe(before);
    expect(statSync(cli.home).mode & 0o777).toBe(0o700);
  });
});
