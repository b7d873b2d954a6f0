/**
 * The built cbadm on a terminal (a pseudo-terminal from util-linux `script`): progress stays off
 * stdout, colour only on a terminal, confirmations before destructive commands, hidden secret input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, manifestYaml, runInPty } from './harness.js';

const cli = new Cli({ sshPort: 2451 });
const ESC = '\u001b';
const manifest = (name: string, count = 1) => {
  const p = join(cli.home, `${name}.yaml`);
  writeFileSync(p, manifestYaml(name, [{ name: 'seoul', connection: 'twin-aws-ap-northeast-2', count }]));
  return p;
};

beforeAll(async () => {
  await cli.json(['twin', 'up', '--boot-delay', '100ms']);
  await cli.json(['twin', 'connect']);
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
