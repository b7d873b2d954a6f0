/**
 * End to end with the built CLIs: names that would leave $CB_HOME, an SSH user that ssh would read
 * as an option, a mistyped secret flag and a damaged credential file are refused or reported without
 * writing outside $CB_HOME or printing a secret.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml } from './harness.js';

const cli = new Cli();
const outside = mkdtempSync(join(tmpdir(), 'cb-outside-'));
const CBMON = fileURLToPath(new URL('../../cbmon/bin/run.js', import.meta.url));
afterAll(async () => {
  await cli.dispose();
  rmSync(outside, { recursive: true, force: true });
});

/** Every file under a directory, recursively. */
const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' });

describe('names that would leave $CB_HOME', () => {
  // From $CB_HOME/keys/registered-<ns>-…, this climbs to `outside`.
  const escape = `x/${relative(join(cli.home, 'keys', 'registered-x'), outside)}/stolen`;

  it('--ns and CB_NS: exit 2 naming the flag and the form, nothing written anywhere', async () => {
    const key = join(outside, 'id');
    writeFileSync(key, 'not a key');
    const before = filesUnder(cli.home);
    for (const [args, env] of [
      [['mcis', 'register', 'lab', '--host', 'ubuntu@127.0.0.1', '--key', key, '--ns', escape], {}],
      [['mcis', 'register', 'lab', '--host', 'ubuntu@127.0.0.1', '--key', key], { CB_NS: escape }],
      [['mcis', 'create', '-f', key, '--ns', '../../etc'], {}],
      [['mcis', 'list'], { CB_NS: '..' }],
      [['mcis', 'register', 'lab', '--host', 'ubuntu@127.0.0.1', '--key', key, '--subgroup', '../x'], {}],
    ] as Array<[string[], NodeJS.ProcessEnv]>) {
      const r = await cli.run(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/- --(ns \(CB_NS\)|subgroup): use lower-case letters, digits and inner dashes/);
    }
    expect(filesUnder(outside)).toEqual(['id']);
    expect(filesUnder(cli.home)).toEqual(before);
  });

  it('a manifest sshUser that ssh would read as an option: exit 2 naming the field, nothing created', async () => {
    const file = join(cli.home, 'proxy.yaml');
    await cli.json(['connection', 'add', 'aws-seoul', '--provider', 'aws', '--region', 'ap-northeast-2']);
    const yaml = manifestYaml('web', [{ name: 'seoul', connection: 'aws-seoul', count: 1 }]).replace('image: ubuntu-22.04 }', `image: ubuntu-22.04, sshUser: '-oProxyCommand=touch ${join(outside, 'pwned')}' }`);
    writeFileSync(file, yaml);
    const r = await cli.run(['mcis', 'create', '-f', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spec\.subgroups\[0\]\.sshUser: start with a letter or _/);
    expect(await cli.json(['mcis', 'list'])).toEqual([]);
  });
});

describe('secrets', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

  it('a mistyped secret flag is named without its value, by cbadm and cbmon alike', async () => {
    for (const args of [
      ['credential', 'add', 'k', '--provider', 'aws', '--kind', 'aws-keys', `--secret-acess-key=${secret}`],
      ['credential', 'add', 'k', '--provider', 'aws', '--kind', 'aws-keys', `--secret-acess-key=${secret}`, '--verbose', '--json'],
      ['credential', 'add', 'k', '--provider', 'aws', '--kind', 'aws-keys', `-S${secret}`],
    ]) {
      const r = await cli.run(args);
      expect(r.code).toBe(2);
      expect(`${r.stdout}${r.stderr}`).toMatch(/Nonexistent flag: (--secret-acess-key=|-S)\*\*\*/);
      expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
    }
    const mon = spawnSync(process.execPath, [CBMON, 'query', `--token=${secret}`], { env: cli.env, encoding: 'utf8' });
    expect(mon.status).toBe(2);
    expect(mon.stderr).toMatch(/Nonexistent flag: --token=\*\*\*/);
    expect(`${mon.stdout}${mon.stderr}`).not.toContain(secret);
  });

  it('a damaged credential file is reported by name, without any of its content', async () => {
    const added = await cli.run(['credential', 'add', 'k1', '--provider', 'aws', '--kind', 'aws-keys'], { env: { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: secret } });
    expect(added.code, added.stderr).toBe(0);
    const path = join(cli.home, 'credentials', 'k1.json');
    // A hand edit lost a quote: JSON.parse's own message would quote the text around it.
    writeFileSync(path, `{"kind":"aws-keys","accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":${secret}"}`);
    await cli.json(['connection', 'add', 'aws-k1', '--provider', 'aws', '--region', 'us-east-1', '--credential', 'k1', '--endpoint', 'http://127.0.0.1:9']);
    for (const json of [false, true]) {
      const r = await cli.run(['connection', 'test', 'aws-k1', ...(json ? ['--json'] : [])]);
      expect(r.code).toBe(1);
      expect(`${r.stdout}${r.stderr}`).toMatch(/credential 'k1': the secret file .*k1\.json is not valid JSON/);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/wJalr|EXAMPLEKEY|AKIA/);
    }
  });
});
