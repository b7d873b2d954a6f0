/**
 * The per-VM choice of exec transport: a VM whose driver brings a transport is reached through it,
 * every other VM over SSH, and a missing capability fails for that VM by name. The driver's
 * transport here is a real one that runs commands as local processes (test-only).
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConnectionService } from '../src/connections.js';
import { CredentialService } from '../src/credentials.js';
import type { CloudDriver, DriverRegistry } from '../src/driver/port.js';
import { UsageError } from '../src/errors.js';
import { SshTransport, type SshBackend } from '../src/exec/ssh.js';
import type { ExecOptions, ExecResult, ExecTarget, ExecTransport, StreamOptions, StreamResult } from '../src/exec/transport.js';
import type { Provider, Vm } from '../src/model.js';
import { execTargetOf } from '../src/orchestrator/transport.js';
import { VmTransports } from '../src/orchestrator/vm-transports.js';
import { McisService } from '../src/orchestrator/service.js';
import { validateMcisManifest } from '../src/orchestrator/mcis-manifest.js';
import { FakeCloud, FakeSsh } from './fake-cloud.js';
import { FAST_TIMEOUTS, eachTestState, type TestState } from './state.js';

/** Runs each command with `sh -c` on this machine: a transport that is not SSH, with no file copy. */
class LocalProcessTransport implements ExecTransport {
  readonly kind = 'local process';
  readonly targets: string[] = [];

  exec(target: ExecTarget, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.targets.push(target.vm);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', command], { env: { ...process.env, ...opts.env }, signal: opts.signal, timeout: opts.timeoutMs });
      const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
      child.stdout.on('data', (d: Buffer) => void (opts.onStdout ? opts.onStdout(d) : kept.stdout.push(d)));
      child.stderr.on('data', (d: Buffer) => void (opts.onStderr ? opts.onStderr(d) : kept.stderr.push(d)));
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({ exitCode: code, ...(signal ? { signal } : {}), stdout: Buffer.concat(kept.stdout).toString(), stderr: Buffer.concat(kept.stderr).toString(), durationMs: Date.now() - started }),
      );
      // A command that reads no stdin may close it before we write.
      child.stdin.on('error', () => undefined);
      if (opts.stdin instanceof Readable) opts.stdin.pipe(child.stdin);
      else child.stdin.end(opts.stdin ?? '');
    });
  }

  async stream(target: ExecTarget, command: string, opts: StreamOptions): Promise<StreamResult> {
    const r = await this.exec(target, command, { onStdout: opts.onStdout, ...(opts.stdin ? { stdin: opts.stdin } : {}) });
    return { exitCode: r.exitCode, stderrTail: r.stderr, durationMs: r.durationMs };
  }

  async ready(target: ExecTarget): Promise<void> {
    const r = await this.exec(target, 'true');
    if (r.exitCode !== 0) throw new Error(`${target.vm} is not ready`);
  }

  async interactive(): Promise<{ argv: string[] }> {
    return { argv: ['sh', '-i'] };
  }
}

/** An SSH client that records whom it was asked to reach; these tests never dial out. */
class RecordingSsh implements SshBackend {
  readonly hosts: string[] = [];
  async exec(t: { host: string }) {
    this.hosts.push(t.host);
    return { exitCode: 0, stdout: `over ssh to ${t.host}\n`, stderr: '', durationMs: 0 };
  }
  async stream(t: { host: string }) {
    this.hosts.push(t.host);
    return { exitCode: 0, stderrTail: '', durationMs: 0 };
  }
  async probe(t: { host: string }) {
    this.hosts.push(t.host);
  }
  async sftp<T>(t: { host: string }): Promise<T> {
    this.hosts.push(t.host);
    return { files: 0, copied: 0, skipped: 0, bytes: 0 } as T;
  }
  async shell(): Promise<number> {
    return 0;
  }
}

let state: TestState;
let local: LocalProcessTransport;
let ssh: RecordingSsh;
let router: VmTransports;
let loads: string[];
let closed: number;
let registry: DriverRegistry;

eachTestState('cb-transport-', async (s) => {
  state = s;
  local = new LocalProcessTransport();
  ssh = new RecordingSsh();
  loads = [];
  closed = 0;
  const cloud = new FakeCloud();
  // 'openstack' plays the provider whose driver brings its own transport; 'aws' is reached by SSH.
  registry = {
    providers: () => ['aws', 'openstack'] as Provider[],
    load: async (provider) => (opts) => {
      loads.push(provider);
      const driver = cloud.driver(opts.connection.region);
      return provider === 'openstack' ? ({ ...driver, exec: local, close: () => void closed++ } satisfies CloudDriver) : driver;
    },
    ownsExecTransport: (provider) => provider === 'openstack',
  };
  const credentials = new CredentialService(s.store, s.home);
  const conns = new ConnectionService(s.store, registry);
  await conns.add({ name: 'box', provider: 'openstack', region: 'RegionOne' });
  await conns.add({ name: 'c-seoul', provider: 'aws', region: 'ap-northeast-2' });
  router = new VmTransports({ ssh: new SshTransport(ssh, s.home.knownHosts), drivers: registry, store: s.store, credentials });
});

function vm(name: string, connection: string, provider: Vm['provider'], publicIp?: string): Vm {
  return {
    name,
    subgroup: 'g',
    connection,
    provider,
    region: 'r',
    spec: 's',
    image: 'i',
    status: 'Running',
    sshUser: 'ubuntu',
    sshPort: 22,
    clientToken: `t-${name}`,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...(publicIp ? { publicIp } : {}),
    providerId: `id-${name}`,
  };
}

describe('VmTransports', () => {
  it("runs a command through the VM's driver transport when it has one, for real", async () => {
    const target = execTargetOf(state, vm('c-1', 'box', 'openstack'));
    const chunks: string[] = [];
    const r = await router.exec(target, 'read line; echo "got $line $GREETING"; echo warn >&2; exit 3', {
      stdin: 'hello\n',
      env: { GREETING: 'hi' },
    });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'got hello hi\n', stderr: 'warn\n' });
    await router.exec(target, 'printf a; printf b', { onStdout: (d) => void chunks.push(d.toString()) });
    expect(chunks.join('')).toBe('ab');
    await router.ready(target, { maxWaitMs: 1_000 });
    expect(await router.interactive(target)).toEqual({ argv: ['sh', '-i'] });
    expect(local.targets).toEqual(['c-1', 'c-1', 'c-1']);
    expect(ssh.hosts).toEqual([]);
    // One driver for the connection, kept for the next command and closed with the router.
    expect(loads).toEqual(['openstack']);
    await router.close();
    expect(closed).toBe(1);
  });

  it('reaches every other VM over SSH without loading its driver (no SDK, no credentials)', async () => {
    const cloudVm = execTargetOf(state, vm('w-1', 'c-seoul', 'aws', '127.0.0.9'));
    const registered = execTargetOf(state, { ...vm('m-1', '', 'external', '127.0.0.10'), origin: 'registered' });
    expect((await router.exec(cloudVm, 'uptime')).stdout).toBe('over ssh to 127.0.0.9\n');
    await router.ready(registered, { maxWaitMs: 1_000 });
    expect((await router.interactive(cloudVm)).argv).toEqual(expect.arrayContaining(['ssh', '-l', 'ubuntu', '--', '127.0.0.9']));
    await router.copy.upload(cloudVm, [{ local: '/etc/hostname', remote: '/tmp/x' }]);
    expect(ssh.hosts).toEqual(['127.0.0.9', '127.0.0.10', '127.0.0.9']);
    expect(loads).toEqual([]);
    expect(local.targets).toEqual([]);
  });

  it('fails a copy to a VM whose transport has none, naming the VM and why', async () => {
    const target = execTargetOf(state, vm('c-2', 'box', 'openstack'));
    const err = await router.copy.upload(target, [{ local: '/etc/hostname', remote: '/tmp/x' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe("VM 'c-2' cannot copy files: its openstack connection 'box' reaches it by local process, which has no file copy");
  });

  it('says which VM has no address when SSH is the way in', async () => {
    const target = execTargetOf(state, vm('w-2', 'c-seoul', 'aws'));
    await expect(router.exec(target, 'true')).rejects.toThrow("VM 'w-2' has no address to reach over SSH");
    expect(ssh.hosts).toEqual([]);
  });
});

describe('an MCIS on a provider that brings its own transport', () => {
  it('gets readiness, provisioning and exec through it, and a clear per-VM error for copy', async () => {
    const svc = new McisService({ store: state.store, home: state.home, drivers: registry, credentials: new CredentialService(state.store, state.home), ssh: new FakeSsh(), timeouts: FAST_TIMEOUTS });
    const m = validateMcisManifest({
      apiVersion: 'cloud-barista.io/v1alpha1',
      kind: 'MCIS',
      metadata: { name: 'mixed' },
      spec: {
        subgroups: [
          { name: 'box', connection: 'box', count: 1, spec: 't3.small', image: 'ubuntu-22.04' },
          { name: 'seoul', connection: 'c-seoul', count: 1, spec: 't3.small', image: 'ubuntu-22.04' },
        ],
        run: ['test "$((6*7))" = 42'],
      },
    });
    const created = await svc.create({ ns: 'default', manifest: m.value! });
    expect(created.mcis.status).toBe('Running:2 (R:2/2)');
    // Readiness ('true') and the manifest's run command went through the driver's transport.
    expect(local.targets).toEqual(['box-1', 'box-1']);
    expect(state.store.listVms('default', 'mixed').every((v) => v.provisionedAt)).toBe(true);

    const r = await svc.exec({ ns: 'default', name: 'mixed', command: 'echo "$((6*7))"', selector: {} });
    expect(r.map((x) => [x.vm, x.exitCode, x.stdout])).toEqual([
      ['box-1', 0, '42\n'],
      ['seoul-1', 0, 'seoul-1: echo "$((6*7))"\n'],
    ]);

    const copied = await svc.copy({ ns: 'default', name: 'mixed', direction: 'upload', local: state.home.db, remote: '/tmp/db', selector: { subgroup: 'box' } });
    expect(copied[0]?.error).toBe("VM 'box-1' cannot copy files: its openstack connection 'box' reaches it by local process, which has no file copy");
  });
});
