import { describe, expect, it } from 'vitest';
import { ConnectionService } from '../src/connections.js';
import { CredentialService } from '../src/credentials.js';
import { validateMcisManifest } from '../src/orchestrator/mcis-manifest.js';
import type { ExecResult } from '../src/orchestrator/deps.js';
import type { ExecLine } from '../src/orchestrator/exec.js';
import { McisService } from '../src/orchestrator/service.js';
import { SshCommandTimeoutError, type SshOutputSink, type SshTarget } from '../src/ssh/executor.js';
import { SqliteStateStore } from '../src/store/sqlite-store.js';
import { FakeCloud, FakeSsh } from './fake-cloud.js';
import { FAST_TIMEOUTS, eachTestState } from './state.js';

/** Plays a script of output chunks per VM through the sink, waiting whenever the sink holds it back. */
class ScriptedSsh extends FakeSsh {
  scripts = new Map<string, { out: string[]; err?: string[]; exitCode?: number; timeoutAfter?: boolean }>();
  held = 0;
  override async exec(target: SshTarget, _command: string, opts: { output?: SshOutputSink } = {}): Promise<ExecResult> {
    const s = this.scripts.get(target.label ?? '') ?? { out: [] };
    if (!opts.output) throw new Error('exec must stream its output');
    for (const [i, c] of s.out.entries()) {
      const wait = opts.output.stdout(Buffer.from(c));
      if (wait) this.held++;
      await wait;
      const e = s.err?.[i];
      if (e !== undefined) await opts.output.stderr(Buffer.from(e));
    }
    if (s.timeoutAfter) throw new SshCommandTimeoutError(`command on ${target.label} timed out after 5 ms`, 5, '', '');
    return { exitCode: s.exitCode ?? 0, stdout: '', stderr: '', durationMs: 1 };
  }
}

let store: SqliteStateStore;
let ssh: ScriptedSsh;
let svc: McisService;

eachTestState('cb-exec-', async ({ home, store: s }) => {
  store = s;
  const cloud = new FakeCloud();
  ssh = new ScriptedSsh();
  await new ConnectionService(store, cloud.registry()).add({ name: 'c-seoul', provider: 'aws', region: 'ap-northeast-2' });
  svc = new McisService({ store, home, drivers: cloud.registry(), credentials: new CredentialService(store, home), ssh, timeouts: FAST_TIMEOUTS });
  const m = validateMcisManifest({
    apiVersion: 'cloud-barista.io/v1alpha1',
    kind: 'MCIS',
    metadata: { name: 'm1' },
    spec: { subgroups: [{ name: 'seoul', connection: 'c-seoul', count: 2, spec: 't3.small', image: 'ubuntu-22.04' }] },
  });
  await svc.create({ ns: 'default', manifest: m.value! });
});

const text = (l: ExecLine) => `${l.vm} ${l.stream} ${l.data.toString()}`;

describe('McisService.exec output', () => {
  it('hands on whole lines per VM as they arrive and keeps only the last maxOutputBytes', async () => {
    ssh.scripts.set('seoul-1', { out: ['one\ntw', 'o\nthree-is-a-long-line\nta', 'il'], err: ['warn\n'], exitCode: 2 });
    ssh.scripts.set('seoul-2', { out: ['x\n'] });
    const lines: string[] = [];
    const r = await svc.exec({ ns: 'default', name: 'm1', command: 'c', selector: {}, maxOutputBytes: 8, maxLineBytes: 10, onLine: (l) => void lines.push(text(l)) });
    expect(lines.filter((l) => l.startsWith('seoul-1'))).toEqual([
      'seoul-1 stdout one',
      'seoul-1 stderr warn',
      'seoul-1 stdout two',
      'seoul-1 stdout three-is-a',
      'seoul-1 stdout -long-line',
      'seoul-1 stdout tail',
    ]);
    expect(lines.filter((l) => l.startsWith('seoul-2'))).toEqual(['seoul-2 stdout x']);
    expect(r[0]).toMatchObject({ vm: 'seoul-1', exitCode: 2, stdout: 'ine\ntail', stdoutBytes: 33, stderr: 'warn\n', stderrBytes: 5, truncated: true });
    expect(r[1]).toMatchObject({ vm: 'seoul-2', exitCode: 0, stdout: 'x\n', stdoutBytes: 2, truncated: false });
  });

  it('keeps 1 MiB per stream by default', async () => {
    ssh.scripts.set('seoul-1', { out: Array.from({ length: 3 }, () => 'y'.repeat(600 * 1024)) });
    const [r] = await svc.exec({ ns: 'default', name: 'm1', command: 'c', selector: { vm: 'seoul-1' } });
    expect([r!.stdout.length, r!.stdoutBytes, r!.truncated]).toEqual([1024 * 1024, 3 * 600 * 1024, true]);
  });

  it('after a timeout the result keeps the output so far and the unfinished line still reaches the caller', async () => {
    ssh.scripts.set('seoul-1', { out: ['started\nhalf a li'], timeoutAfter: true });
    const lines: string[] = [];
    const [r] = await svc.exec({ ns: 'default', name: 'm1', command: 'c', selector: { vm: 'seoul-1' }, onLine: (l) => void lines.push(text(l)) });
    expect(lines).toEqual(['seoul-1 stdout started', 'seoul-1 stdout half a li']);
    expect(r).toMatchObject({ exitCode: null, stdout: 'started\nhalf a li', stdoutBytes: 17 });
    expect(r?.error).toMatch(/timed out/);
  });

  it('a caller that holds a line back holds back that VM’s output until it lets go', async () => {
    ssh.scripts.set('seoul-1', { out: ['a\n', 'b\n'] });
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const lines: string[] = [];
    const done = svc.exec({
      ns: 'default', name: 'm1', command: 'c', selector: { vm: 'seoul-1' },
      onLine: (l) => {
        lines.push(text(l));
        return l.data.toString() === 'a' ? gate : undefined;
      },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual(['seoul-1 stdout a']);
    release();
    await done;
    expect(lines).toEqual(['seoul-1 stdout a', 'seoul-1 stdout b']);
    expect(ssh.held).toBe(1);
  });
});
