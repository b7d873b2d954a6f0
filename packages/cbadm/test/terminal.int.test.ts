/**
 * The built cbadm on a terminal (a pseudo-terminal from util-linux `script`): progress stays off
 * stdout, colour only on a terminal, confirmations before destructive commands, hidden secret input.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml, runInPty } from './harness.js';

const cli = new Cli();
const ESC = '\u001b';
const manifest = (name: string, count = 1) => {
  const p = join(cli.home, `${name}.yaml`);
  writeFileSync(p, manifestYaml(name, [{ name: 'seoul', connection: 'twin-aws-ap-northeast-2', count }]));
  return p;
};

beforeAll(async () => {
  await cli.twinUp('100ms');
});
afterAll(() => cli.dispose());

describe('progress', () => {
  it('`mcis create > out.txt` on a terminal: the live view is on the terminal, the file holds only the table', async () => {
    const out = join(cli.home, 'out.txt');
    const r = await runInPty(cli, ['mcis', 'create', '-f', manifest('pty1')], { redirect: `> ${out}` });
    expect(r.code).toBe(0);
    const file = readFileSync(out, 'utf8');
    expect(file).not.toContain(ESC);
    expect(file).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔]/);
    expect(file).toMatch(/^MCIS default\/pty1: Running:1/);
    expect(file.split('\n').filter((l) => l.includes('seoul-1'))).toHaveLength(1);
    expect(r.screen).toContain('create pty1');
    expect(r.screen).toContain(ESC);
  });

  it('under --json with stderr on a terminal: progress on the terminal, stdout is only the JSON', async () => {
    const out = join(cli.home, 'out.json');
    const r = await runInPty(cli, ['mcis', 'create', '-f', manifest('pty2'), '--json'], { redirect: `> ${out}` });
    expect(r.code).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { mcis: { name: string } }).mcis.name).toBe('pty2');
    expect(r.screen).toContain('create pty2');
  });

  it('stderr not a terminal: plain lines, no escape sequences', async () => {
    const err = join(cli.home, 'err.txt');
    const r = await runInPty(cli, ['mcis', 'suspend', 'pty1'], { redirect: `2> ${err}` });
    expect(r.code).toBe(0);
    const lines = readFileSync(err, 'utf8');
    expect(lines).toMatch(/^\d\d:\d\d:\d\d \[pty1\/seoul-1\] /m);
    expect(lines).not.toContain(ESC);
  });
});

describe('confirmations', () => {
  it('off a terminal a destructive command needs --yes: exit 2 with the hint, nothing changed', async () => {
    await cli.json(['mcis', 'create', '-f', manifest('keep')]);
    for (const args of [['mcis', 'delete', 'keep'], ['mcis', 'terminate', 'keep'], ['twin', 'down'], ['connection', 'remove', 'twin-aws-us-east-1']]) {
      const r = await cli.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/needs confirmation[\s\S]*Hint: add --yes \(-y\)/);
    }
    const m = await cli.json<{ status: string }>(['mcis', 'get', 'keep']);
    expect(m.status).toBe('Running:1 (R:1/1)');
    expect((await cli.json<{ running: boolean }>(['twin', 'status'])).running).toBe(true);
    expect((await cli.json<Array<{ name: string }>>(['connection', 'list'])).map((c) => c.name)).toContain('twin-aws-us-east-1');
  });

  it('on a terminal under --json it never prompts: exit 2', async () => {
    const out = join(cli.home, 'refused.json');
    const r = await runInPty(cli, ['mcis', 'terminate', 'keep', '--json'], { redirect: `> ${out}` });
    expect(r.code).toBe(2);
    const { error } = JSON.parse(readFileSync(out, 'utf8')) as { error: { kind: string; hint: string } };
    expect(error.kind).toBe('usage');
    expect(error.hint).toContain('--yes');
    expect(r.screen).not.toContain('Go ahead?');
  });

  it('on a terminal: shows what will go and asks; "n" changes nothing (exit 1), "y" goes ahead', async () => {
    const no = await runInPty(cli, ['mcis', 'terminate', 'keep'], { answers: [[/Go ahead\?/, 'n\r']] });
    expect(no.code).toBe(1);
    expect(no.screen).toMatch(/This will terminate 1 VM\(s\) of MCIS keep:[\s\S]*seoul-1 {2}Running {2}twin-aws-ap-northeast-2/);
    expect(no.screen).toContain('Cancelled: did not terminate');
    expect((await cli.json<{ status: string }>(['mcis', 'get', 'keep'])).status).toBe('Running:1 (R:1/1)');

    const yes = await runInPty(cli, ['mcis', 'terminate', 'keep'], { answers: [[/Go ahead\?/, 'y\r']] });
    expect(yes.code).toBe(0);
    expect((await cli.json<{ status: string }>(['mcis', 'get', 'keep'])).status).toMatch(/^Terminated/);

    const del = await runInPty(cli, ['connection', 'remove', 'twin-aws-us-east-1'], { answers: [[/Go ahead\?/, 'y\r']] });
    expect(del.code).toBe(0);
    expect(del.screen).toContain('connection twin-aws-us-east-1 (aws, us-east-1)');
    expect((await cli.json<Array<{ name: string }>>(['connection', 'list'])).map((c) => c.name)).not.toContain('twin-aws-us-east-1');
  });

  it('--yes / -y skip the question on a terminal', async () => {
    const r = await runInPty(cli, ['mcis', 'delete', 'keep', '-y']);
    expect(r.code).toBe(0);
    expect(r.screen).not.toContain('Go ahead?');
    expect((await cli.run(['mcis', 'get', 'keep'])).code).toBe(4);
  });
});

describe('mcis exec', () => {
  it('words after `--` go to the VM: `-- echo --json` prints "--json" from each VM, not a JSON result', async () => {
    await cli.json(['mcis', 'create', '-f', manifest('ex')]);
    const r = await cli.run(['mcis', 'exec', 'ex', '--', 'echo', '--json', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('seoul-1 | --json -o yaml\n');
  });
});

describe('credential add', () => {
  const env = { AWS_SECRET_ACCESS_KEY: '', AWS_ACCESS_KEY_ID: '' };
  const stored = () => execFileSync('grep', ['-rl', 'typed-secret-42', cli.home], { encoding: 'utf8' }).trim();

  it('on a terminal, without --secret-access-key-stdin, asks for the secret and does not show it', async () => {
    for (const [name, extra] of [['typed', []], ['typed-stdin', ['--secret-access-key-stdin']]] as const) {
      const r = await runInPty(cli, ['credential', 'add', name, '--provider', 'aws', '--access-key-id', 'AKIAEXAMPLE', ...extra], { env, answers: [[/secret access key \(not shown\)/, 'typed-secret-42\r']] });
      expect(r.code, name).toBe(0);
      expect(r.screen, name).not.toContain('typed-secret-42');
      expect(r.screen, name).toContain(name);
    }
    expect(stored()).not.toBe('');
  });

  it('off a terminal it keeps its error: no secret, exit 2, nothing stored', async () => {
    const r = await cli.run(['credential', 'add', 'piped', '--provider', 'aws', '--access-key-id', 'AKIAEXAMPLE'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/secret/i);
    const list = await cli.json<Array<{ name: string }>>(['credential', 'list']);
    expect(list.map((c) => c.name)).not.toContain('piped');
  });
});

describe('colour and tables', () => {
  const plain = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  const GREEN = `${ESC}[32m`;

  beforeAll(async () => {
    const p = join(cli.home, 'az.yaml');
    writeFileSync(p, manifestYaml('az', [{ name: 'seoul', connection: 'twin-azure-koreacentral', count: 1, spec: 'Standard_B1s' }]));
    await cli.json(['mcis', 'create', '-f', p]);
  });

  it('on a terminal: statuses in colour, SSH as user@host:port, long ids shortened, lines fit the terminal', async () => {
    const r = await runInPty(cli, ['mcis', 'get', 'az'], { columns: 200 });
    expect(r.code).toBe(0);
    expect(r.screen).toContain(`${GREEN}Running`);
    const text = plain(r.screen);
    expect(text).toMatch(/│ ubuntu@127\.\d+\.\d+\.\d+:\d+ +│/);
    expect(text).toMatch(/│ …[\w/-]*seoul-1-[0-9a-f]{6} +│/);
    expect(text).not.toContain('/subscriptions/');

    const narrow = await runInPty(cli, ['mcis', 'get', 'az'], { columns: 100 });
    const lines = plain(narrow.screen).split(/\r?\n/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(lines.some((l) => l.length > 90)).toBe(true);
    expect(narrow.screen).toContain(`${GREEN}Running${ESC}[39m │`);
  });

  it('`-o wide` shows the whole id; --json and yaml always do', async () => {
    const wide = await runInPty(cli, ['mcis', 'get', 'az', '-o', 'wide'], { columns: 90 });
    expect(wide.code).toBe(0);
    expect(plain(wide.screen).replace(/\r?\n/g, '')).toMatch(/\/subscriptions\/[^ ]*\/virtualMachines\/seoul-1-[0-9a-f]{6}/);
    const yaml = await cli.run(['mcis', 'get', 'az', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/providerId: \/subscriptions\/.*\/virtualMachines\/seoul-1-/);
  });

  it('no colour with NO_COLOR, with --no-color, or when stdout is a file', async () => {
    const noColor = await runInPty(cli, ['mcis', 'get', 'az'], { env: { NO_COLOR: '1' } });
    expect(noColor.code).toBe(0);
    expect(noColor.screen).not.toContain(GREEN);
    const flag = await runInPty(cli, ['mcis', 'get', 'az', '--no-color']);
    expect(flag.code).toBe(0);
    expect(flag.screen).not.toContain(GREEN);
    const out = join(cli.home, 'get.txt');
    await runInPty(cli, ['mcis', 'get', 'az'], { redirect: `> ${out}` });
    expect(readFileSync(out, 'utf8')).not.toContain(ESC);
    expect(readFileSync(out, 'utf8')).toContain('Running');
  });

  it('errors in red on a terminal, plain off it', async () => {
    const r = await runInPty(cli, ['mcis', 'get', 'nope']);
    expect(r.code).toBe(4);
    expect(r.screen).toMatch(/\u001b\[31m\u001b\[1mError:|\u001b\[1m\u001b\[31mError:/);
    expect((await cli.run(['mcis', 'get', 'nope'])).stderr).toMatch(/^Error: /);
  });
});
