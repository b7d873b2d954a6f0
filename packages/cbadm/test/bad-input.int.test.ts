/** Bad input gets a clear message naming the field and the fix, the documented exit code, and no state change. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml } from './harness.js';

const cli = new Cli();
const file = (name: string, text: string) => {
  const p = join(cli.home, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(async () => {
  await cli.json(['connection', 'add', 'aws-seoul', '--provider', 'aws', '--region', 'ap-northeast-2']);
});
afterAll(() => cli.dispose());

describe('bad input', () => {
  it('broken YAML: exit 2 with line:column, nothing created', async () => {
    const r = await cli.run(['mcis', 'create', '-f', file('broken.yaml', 'kind: MCIS\nspec: [oops\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:\d+:\d+: YAML syntax/);
    expect(await cli.json(['mcis', 'list'])).toEqual([]);
  });

  it('hostile YAML (alias bomb, deep nesting, several documents, .inf, huge strings): exit 2 naming the problem, nothing created', async () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [p, n] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e']]) laughs.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(', ')}]`);
    const valid = manifestYaml('web', [{ name: 'seoul', connection: 'aws-seoul', count: 1 }]);
    const cases: Array<[string, string, RegExp]> = [
      ['bomb.yaml', laughs.join('\n'), /aliases .* too many times/],
      ['deep.yaml', `a: ${'['.repeat(1000)}${']'.repeat(1000)}`, /nested too deeply/],
      ['two.yaml', `${valid}---\n${valid}`, /one manifest per file/],
      ['inf.yaml', valid.replace('count: 1', 'count: .inf'), /spec\.subgroups\[0\]\.count: Infinity .* not a number/],
      ['long.yaml', valid.replace('name: seoul', `name: ${'s'.repeat(100_000)}`), /spec\.subgroups\[0\]\.name: is 100000 characters long/],
      ['huge.yaml', valid.replace('name: seoul', `name: ${'s'.repeat(5_000_000)}`), /huge\.yaml: is 5000\d+ bytes; a manifest may have at most 1048576/],
    ];
    for (const [name, text, why] of cases) {
      const r = await cli.run(['mcis', 'create', '-f', file(name, text)]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(why);
      expect(r.stderr, name).not.toMatch(/Maximum call stack|parseAllDocuments|at .*\.js:\d+/);
    }
    expect(await cli.json(['mcis', 'list'])).toEqual([]);
  });

  it('invalid fields are listed by path, as JSON too', async () => {
    const bad = manifestYaml('web', [{ name: 'seoul', connection: 'aws-seoul', count: 0 }]).replace('kind: MCIS', 'kind: Mcis');
    const r = await cli.run(['mcis', 'create', '-f', file('bad.yaml', bad), '--json']);
    expect(r.code).toBe(2);
    const err = (JSON.parse(r.stdout) as { error: { kind: string; issues: Array<{ path: string }> } }).error;
    expect(err.kind).toBe('usage');
    expect(err.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['kind', 'spec.subgroups[0].count']));
  });

  it('unknown connection names the field and how to fix it', async () => {
    const r = await cli.run(['mcis', 'create', '-f', file('unk.yaml', manifestYaml('web', [{ name: 'seoul', connection: 'aws-nowhere', count: 1 }]))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spec\.subgroups\[0\]\.connection: unknown connection 'aws-nowhere'.*cbadm connection add/);
    expect(await cli.json(['mcis', 'list'])).toEqual([]);
  });

  it('missing credentials: a connection naming a credential that is not stored', async () => {
    const r = await cli.run(['connection', 'add', 'aws-x', '--provider', 'aws', '--region', 'us-east-1', '--credential', 'nope']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/credential 'nope' not found/);
    expect(r.stderr).toMatch(/cbadm credential add nope/);
    const k = await cli.run(['credential', 'add', 'k1', '--provider', 'aws', '--kind', 'aws-keys'], { env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/missing access key id/);
  });

  it('missing credentials: the default chain finds nothing, connection test says what to set', async () => {
    await cli.json(['connection', 'add', 'aws-nocreds', '--provider', 'aws', '--region', 'us-east-1', '--endpoint', 'http://127.0.0.1:9']);
    const empty = join(cli.home, 'empty-home');
    const r = await cli.run(['connection', 'test', 'aws-nocreds'], {
      env: { HOME: empty, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_SHARED_CREDENTIALS_FILE: join(empty, 'c'), AWS_CONFIG_FILE: join(empty, 'c') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no AWS credentials found/);
    expect(r.stderr).toMatch(/cbadm credential add/);
  });

  it('a stored secret is never printed', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const add = await cli.run(['credential', 'add', 'k2', '--provider', 'aws', '--kind', 'aws-keys', '--access-key-id', 'AKIAIOSFODNN7EXAMPLE', '--secret-access-key-stdin', '--json'], { input: secret });
    expect(add.code).toBe(0);
    const list = await cli.run(['credential', 'list', '--json']);
    for (const out of [add.stdout, add.stderr, list.stdout]) {
      expect(out).not.toContain(secret);
      expect(out).not.toContain('AKIAIOSFODNN7EXAMPLE');
    }
    expect((JSON.parse(list.stdout) as Array<{ attributes: Record<string, string> }>)[0]?.attributes.accessKeyId).toBe('AKIA****MPLE');
  });

  it('names that do not exist exit 4', async () => {
    for (const args of [['mcis', 'get', 'nope'], ['mcis', 'suspend', 'nope'], ['connection', 'get', 'nope'], ['credential', 'remove', 'nope']]) {
      const r = await cli.run(args);
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr).toMatch(/not found/);
    }
  });

  it('usage errors (unknown flag, bad option, missing arg) exit 2', async () => {
    expect((await cli.run(['mcis', 'list', '--bogus'])).code).toBe(2);
    expect((await cli.run(['connection', 'add', 'x1', '--provider', 'nocloud', '--region', 'r'])).code).toBe(2);
    expect((await cli.run(['mcis', 'get'])).code).toBe(2);
    expect((await cli.run(['connection', 'add', 'Bad_Name', '--provider', 'aws', '--region', 'r'])).stderr).toMatch(/name: use lower-case/);
  });

  it('every provider cbadm accepts has a driver; any other is refused at connection add (exit 2)', async () => {
    const unknown = await cli.run(['connection', 'add', 'no-such', '--provider', 'nocloud', '--region', 'RegionOne']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/aws, gcp, azure, alibaba, openstack, cloudit, docker/);
    // A connection test would reach the cloud; adding one loads nothing but must not refuse a provider with a driver.
    for (const [provider, region] of [['cloudit', 'kr-seoul-1'], ['docker', 'box'], ['openstack', 'RegionOne'], ['alibaba', 'cn-hangzhou']] as const) {
      const r = await cli.run(['connection', 'add', `with-${provider}`, '--provider', provider, '--region', region]);
      expect(r.code, `${provider}: ${r.stderr}`).toBe(0);
      expect((await cli.run(['connection', 'remove', `with-${provider}`, '--yes'])).code).toBe(0);
    }
    expect((await cli.json<Array<{ name: string }>>(['connection', 'list'])).map((c) => c.name)).not.toContain('no-such');
    // --context is a Docker context: refused on other providers.
    expect((await cli.run(['connection', 'add', 'with-docker', '--provider', 'docker', '--region', 'box', '--context', 'lab'])).code).toBe(0);
    const wrong = await cli.run(['connection', 'add', 'aws-ctx', '--provider', 'aws', '--region', 'us-east-1', '--context', 'lab']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--context is for --provider docker, not aws');
    expect((await cli.run(['connection', 'remove', 'with-docker', '--yes'])).code).toBe(0);
  });

  it('unknown keys below the top level are errors with the closest field, as JSON too', async () => {
    const text = manifestYaml('web', [{ name: 'seoul', connection: 'aws-seoul', count: 1 }])
      .replace('count: 1,', 'count: 1, rootDisk: { sizeGB: 30 },')
      .replace('  subgroups:', '  policy: { onFailur: rollback }\n  subgroups:');
    const r = await cli.run(['mcis', 'create', '-f', file('nested.yaml', text)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("spec.subgroups[0].rootDisk: unknown field 'sizeGB': did you mean 'sizeGb'?");
    expect(r.stderr).toContain("spec.policy: unknown field 'onFailur': did you mean 'onFailure'?");
    const j = await cli.run(['mcis', 'create', '-f', file('nested.yaml', text), '--dry-run', '--json']);
    expect(j.code).toBe(2);
    expect((JSON.parse(j.stdout) as { error: { issues: unknown[] } }).error.issues).toContainEqual({ path: 'spec.subgroups[0].rootDisk', message: "unknown field 'sizeGB': did you mean 'sizeGb'?" });
    expect(await cli.json(['mcis', 'list'])).toEqual([]);
  });
});
