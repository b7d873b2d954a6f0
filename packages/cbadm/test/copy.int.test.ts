/**
 * End to end: `mcis cp` uploads a tree to every VM over SFTP, keeps modes and mtimes, skips what is
 * unchanged on a re-run (by size+mtime, or content with --checksum), downloads one folder per VM,
 * and reports a VM it could not reach with exit code 3. A manifest's `files` and `run` provision
 * each new VM once, and a failed run is finished by the next apply.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionalTool } from '../../../test-support/tools.js';
import { Cli, manifestYaml } from './harness.js';

interface Row {
  vm: string;
  files: number;
  copied: number;
  skipped: number;
  bytes: number;
  dest: string;
  error?: string;
}

// The twin's VMs serve SFTP with OpenSSH's sftp-server, as sshd does.
const sftpServer = optionalTool('/usr/lib/openssh/sftp-server', 'apt-get install openssh-sftp-server');
const cli = new Cli();
let src: string;

beforeAll(async () => {
  await cli.json(['twin', 'up', '--boot-delay', '200ms']);
  await cli.json(['twin', 'connect']);
  const file = join(cli.home, 'cp.yaml');
  writeFileSync(file, manifestYaml('cp', [{ name: 'web', connection: 'twin-aws-ap-northeast-2', count: 2 }]));
  await cli.json(['mcis', 'create', '-f', file]);
  src = join(cli.home, 'dist');
  mkdirSync(join(src, 'bin'), { recursive: true });
  mkdirSync(join(src, 'static', 'img'), { recursive: true });
  writeFileSync(join(src, 'index.html'), '<h1>hello</h1>\n');
  writeFileSync(join(src, 'bin', 'run.sh'), '#!/bin/sh\necho running\n');
  chmodSync(join(src, 'bin', 'run.sh'), 0o750);
  writeFileSync(join(src, 'static', 'img', 'big.bin'), Buffer.alloc(3_000_000, 7));
}, 120_000);
afterAll(() => cli.dispose());

describe.skipIf(!sftpServer)('mcis cp', () => {
  it('uploads a tree to every VM with modes and mtimes, then skips it all on a re-run', async () => {
    const first = await cli.json<Row[]>(['mcis', 'cp', src, 'cp:app']);
    expect(first.map((r) => [r.vm, r.files, r.copied, r.skipped, r.error])).toEqual([
      ['web-1', 3, 3, 0, undefined],
      ['web-2', 3, 3, 0, undefined],
    ]);
    expect(first[0]!.bytes).toBe(3_000_000 + 15 + 23);

    const mtime = Math.floor(statSync(join(src, 'bin', 'run.sh')).mtimeMs / 1000);
    const seen = await cli.json<Array<{ vm: string; stdout: string }>>(['mcis', 'exec', 'cp', '--', 'cd app && find . -type f | sort && stat -c "%a %Y" bin/run.sh && ./bin/run.sh && sha256sum static/img/big.bin | cut -c1-16']);
    const want = `./bin/run.sh\n./index.html\n./static/img/big.bin\n750 ${mtime}\nrunning\n`;
    for (const r of seen) expect(r.stdout.startsWith(want)).toBe(true);

    const again = await cli.json<Row[]>(['mcis', 'cp', src, 'cp:app']);
    expect(again.map((r) => [r.copied, r.skipped, r.bytes])).toEqual([
      [0, 3, 0],
      [0, 3, 0],
    ]);
  }, 60_000);

  it('copies only the changed file, and with --checksum a same-size same-mtime edit too', async () => {
    const page = join(src, 'index.html');
    writeFileSync(page, '<h1>HELLO, again</h1>\n');
    const one = await cli.json<Row[]>(['mcis', 'cp', src, 'cp:app', '--vm', 'web-1']);
    expect(one.map((r) => [r.vm, r.copied, r.skipped])).toEqual([['web-1', 1, 2]]);

    // Same size, same mtime, other content: only a content check sees it.
    const { mtime } = statSync(page);
    writeFileSync(page, '<h1>hello, AGAIN</h1>\n');
    utimesSync(page, mtime, mtime);
    const bySize = await cli.json<Row[]>(['mcis', 'cp', src, 'cp:app', '--vm', 'web-1']);
    expect(bySize[0]!.copied).toBe(0);
    const byContent = await cli.json<Row[]>(['mcis', 'cp', src, 'cp:app', '--vm', 'web-1', '--checksum']);
    expect(byContent[0]!.copied).toBe(1);
    const [r] = await cli.json<Array<{ stdout: string }>>(['mcis', 'exec', 'cp', '--vm', 'web-1', '--', 'cat app/index.html']);
    expect(r!.stdout).toBe('<h1>hello, AGAIN</h1>\n');
  }, 60_000);

  it('downloads into one folder per VM and skips unchanged files the next time', async () => {
    const out = join(cli.home, 'pulled');
    const rows = await cli.json<Row[]>(['mcis', 'cp', 'cp:app', out]);
    expect(rows.map((r) => [r.vm, r.files, r.copied, r.dest])).toEqual([
      ['web-1', 3, 3, join(out, 'web-1', 'app')],
      ['web-2', 3, 3, join(out, 'web-2', 'app')],
    ]);
    expect(readFileSync(join(out, 'web-2', 'app', 'bin', 'run.sh'), 'utf8')).toBe('#!/bin/sh\necho running\n');
    expect(statSync(join(out, 'web-2', 'app', 'bin', 'run.sh')).mode & 0o777).toBe(0o750);
    expect(statSync(join(out, 'web-1', 'app', 'static', 'img', 'big.bin')).size).toBe(3_000_000);
    const again = await cli.json<Row[]>(['mcis', 'cp', 'cp:app', out]);
    expect(again.map((r) => r.copied)).toEqual([0, 0]);
  }, 60_000);

  it('refuses ambiguous arguments and a missing source, and reports a suspended VM with exit 3', async () => {
    const both = await cli.run(['mcis', 'cp', 'cp:a', 'cp:b']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of SOURCE and DEST must be NAME:PATH/);
    const missing = await cli.run(['mcis', 'cp', join(cli.home, 'nope'), 'cp:app', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/nope does not exist here/);

    await cli.json(['mcis', 'suspend', 'cp', '--vm', 'web-2']);
    const partial = await cli.run(['mcis', 'cp', src, 'cp:app']);
    expect(partial.code).toBe(3);
    expect(partial.stdout).toMatch(/web-1\W+3\W+0\W+3\W/);
    expect(partial.stderr).toMatch(/failed on 1 of 2 VM\(s\): web-2 \(VM is Suspended; copying needs Running\)/);
  }, 60_000);
});

describe.skipIf(!sftpServer)('manifest files and run', () => {
  const manifest = (gate: string) =>
    [
      'apiVersion: cloud-barista.io/v1alpha1',
      'kind: MCIS',
      'metadata: { name: prov }',
      'spec:',
      '  subgroups:',
      '    - { name: p, connection: twin-aws-ap-northeast-2, count: 2, spec: t3.micro, image: ubuntu-22.04 }',
      '  files:',
      '    - { src: site, dest: www }',
      '  run:',
      '    - test -f www/index.html',
      `    - ${gate}`,
      '    - echo "provisioned $(cat www/index.html)" > done.txt',
      '',
    ].join('\n');

  it('copies the files and runs the commands once per new VM; a failed run is finished by apply', async () => {
    const dir = join(cli.home, 'prov');
    mkdirSync(join(dir, 'site'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), 'v1');
    const file = join(dir, 'prov.yaml');
    writeFileSync(file, manifest('test -e gate'));
    // Run from elsewhere: `src` is relative to the manifest's folder, not the working directory.
    const created = await cli.run(['mcis', 'create', '-f', file, '--json']);
    expect(created.code).toBe(3);
    expect(created.stdout).toMatch(/spec\.run\[1\] exited 1: test -e gate/);

    await cli.json(['mcis', 'exec', 'prov', '--', 'touch gate']);
    const plan = await cli.json<{ changes: Array<{ op: string; target: string; reason: string }> }>(['plan', '-f', file]);
    expect(plan.changes.map((c) => [c.op, c.target, c.reason])).toEqual([
      ['update', 'p-1', 'spec.files/spec.run not done on this VM yet'],
      ['update', 'p-2', 'spec.files/spec.run not done on this VM yet'],
    ]);
    await cli.json(['apply', '-f', file, '--auto-approve']);
    const done = await cli.json<Array<{ stdout: string }>>(['mcis', 'exec', 'prov', '--', 'cat done.txt']);
    expect(done.map((r) => r.stdout)).toEqual(['provisioned v1\n', 'provisioned v1\n']);
    expect((await cli.json<{ changes: unknown[] }>(['plan', '-f', file])).changes).toEqual([]);

    // A VM added by scale gets them too (the record keeps files and run); the others are not redone.
    await cli.json(['mcis', 'exec', 'prov', '--', 'rm done.txt']);
    writeFileSync(file, manifest('exit 0'));
    await cli.json(['apply', '-f', file, '--auto-approve']);
    await cli.json(['mcis', 'scale', 'prov', '--subgroup', 'p', '--count', '3']);
    const after = await cli.json<Array<{ vm: string; stdout: string }>>(['mcis', 'exec', 'prov', '--', 'cat done.txt 2>/dev/null || echo none']);
    expect(after.map((r) => [r.vm, r.stdout])).toEqual([
      ['p-1', 'none\n'],
      ['p-2', 'none\n'],
      ['p-3', 'provisioned v1\n'],
    ]);
  }, 120_000);
});
