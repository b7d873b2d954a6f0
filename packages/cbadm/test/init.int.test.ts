/**
 * `cbadm init` as a new user meets it: on a terminal (a pseudo-terminal from util-linux `script`) it
 * asks, choosing the Cloud-Twin path and then a cloud connection against that twin; off a terminal,
 * or under --json, it asks nothing and names the commands to run instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cli, runInPty } from './harness.js';
import { twinCreds } from './twin-ec2.js';

const cli = new Cli({ env: { CB_TWIN_BOOT_DELAY: '100ms' } });
afterAll(() => cli.dispose());

const DOWN = '\u001b[B';
const plain = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

describe('cbadm init', () => {
  it('off a terminal it never asks: exit 2 with the commands to run instead', async () => {
    const r = await cli.run(['init']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: cbadm init asks questions, and asks only on a terminal (without --json)');
    expect(r.stderr).toMatch(/Hint: run the steps as commands instead: cbadm twin up && cbadm twin connect .*cbadm connection add NAME --provider aws --region REGION --credential NAME; cbadm connection test NAME/);
    expect(r.stderr).not.toContain('What do you want');
  });

  it('on a terminal under --json it never asks either: exit 2, the error as JSON on stdout', async () => {
    const out = join(cli.home, 'init.json');
    const r = await runInPty(cli, ['init', '--json'], { redirect: `> ${out}` });
    expect(r.code).toBe(2);
    const { error } = JSON.parse(readFileSync(out, 'utf8')) as { error: { kind: string; hint: string } };
    expect(error.kind).toBe('usage');
    expect(error.hint).toContain('cbadm twin up && cbadm twin connect');
    expect(r.screen).not.toContain('What do you want');
  });

  it('on a terminal, the Cloud-Twin path starts the twin and connects to it', async () => {
    const r = await runInPty(cli, ['init'], { answers: [[/What do you want to connect to\?/, '\r']] });
    expect(plain(r.screen)).toContain('Cloud-Twin, the local cloud emulator');
    expect(r.code, r.screen).toBe(0);
    expect(plain(r.screen)).toMatch(/Cloud-Twin is running \(aws endpoint http:\/\/127\.0\.0\.1:\d+\); \d+ connections: /);
    const names = (await cli.json<Array<{ name: string }>>(['connection', 'list'])).map((c) => c.name);
    expect(names).toContain('twin-aws-ap-northeast-2');
    expect((await cli.json<{ running: boolean }>(['twin', 'status'])).running).toBe(true);
  });

  it('on a terminal, the cloud path: provider, region from a search, credential with the secret hidden, then connection test', async () => {
    const endpoint = (await cli.json<{ endpoint: string }>(['connection', 'get', 'twin-aws-ap-northeast-2'])).endpoint;
    const { accessKeyId, secretAccessKey } = twinCreds(cli.twinDir).aws;
    const r = await runInPty(cli, ['init', '--endpoint', endpoint], {
      answers: [
        [/What do you want to connect to\?/, `${DOWN}\r`],
        [/Which cloud\?/, '\r'],
        [/Region \(type to search\)/, 'Seoul'],
        // Enter once the list is narrowed to the one region (search results render after the typing).
        [/type to search\):[^\n]*Seoul[^\n]*\n[^\n]*❯ ap-northeast-2[^\n]*\n\s*\n[^\n]*navigate/, '\r'],
        [/Name for this connection/, '\r'],
        [/AWS access key id/, `${accessKeyId}\r`],
        [/AWS secret access key \(not shown\)/, `${secretAccessKey}\r`],
      ],
    });
    const screen = plain(r.screen);
    expect(r.code, screen).toBe(0);
    expect(screen).not.toContain(secretAccessKey);
    expect(screen).toContain('Saved credential aws-ap-northeast-2 and connection aws-ap-northeast-2');
    expect(screen).toMatch(/OK: aws-ap-northeast-2 \(aws ap-northeast-2\) answered in \d+ ms/);
    const conn = await cli.json<{ provider: string; region: string; credential: string; endpoint: string }>(['connection', 'get', 'aws-ap-northeast-2']);
    expect(conn).toMatchObject({ provider: 'aws', region: 'ap-northeast-2', credential: 'aws-ap-northeast-2', endpoint });
    expect((await cli.run(['connection', 'test', 'aws-ap-northeast-2'])).code).toBe(0);
  });
});
