import { describe, expect, it } from 'vitest';
import type { ExecResult, ExecTarget, ExecTransport } from '../exec/transport.js';
import { bootstrapNodes, type BootNode, type BootstrapDeps, type ClusterContext } from './bootstrap.js';
import { validateK8sManifest } from './manifest.js';
import type { K8sNodeRecord, NodeRole } from '../records/k8s.js';
import { MARK } from './scripts.js';

const CA_HASH = `sha256:${'a'.repeat(64)}`;

/** Which steps a bootstrap session runs: the markers of a multi-step script, else the single step. */
function stepsOf(stdin: string): string[] {
  const marked = [...stdin.matchAll(new RegExp(`echo '${MARK}done (\\S+)'`, 'g'))].map((m) => m[1]!);
  if (marked.length) return marked;
  return stdin.includes('WANT_CERT_KEY') ? ['join-info'] : ['other'];
}

/**
 * A fake transport: each (node, step) takes `delays[node:step]` ms (default 5) and fails when in
 * `failing`; the log records when each step starts and ends, in order.
 */
function fakeSsh(delays: Record<string, number>, failing: Set<string>) {
  const log: string[] = [];
  const ssh: Pick<ExecTransport, 'exec'> = {
    async exec(target: ExecTarget, _cmd: string, opts = {}): Promise<ExecResult> {
      const node = target.vm;
      let stdout = '';
      for (const step of stepsOf(typeof opts.stdin === 'string' ? opts.stdin : '')) {
        log.push(`${node}:${step}:start`);
        await new Promise((r) => setTimeout(r, delays[`${node}:${step}`] ?? 5));
        if (failing.has(`${node}:${step}`)) {
          log.push(`${node}:${step}:failed`);
          return { exitCode: 1, stdout, stderr: '[ERROR Swap]: running with swap on is not supported\n', durationMs: 0 };
        }
        log.push(`${node}:${step}:end`);
        stdout += step === 'join-info' ? `kubeadm join 203.0.113.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash ${CA_HASH}\n${'b'.repeat(64)}\n` : `${MARK}done ${step}\n`;
      }
      return { exitCode: 0, stdout, stderr: '', durationMs: 0 };
    },
  };
  return { ssh, log };
}

function cluster(nodes: Array<[string, NodeRole]>) {
  const v = validateK8sManifest({
    apiVersion: 'cloud-barista.io/v1alpha1',
    kind: 'K8sCluster',
    metadata: { name: 'pipe' },
    spec: { controlPlane: { name: 'cp', connection: 'c', count: 1, spec: 's' } },
  });
  const boot: BootNode[] = nodes.map(([name, role]) => {
    const rec: K8sNodeRecord = { name, role, nodeSet: name.split('-')[0]!, mcis: 'pipe', connection: 'c', provider: 'aws', region: 'r', publicIp: '203.0.113.1', status: 'Pending' };
    return { rec, target: { vm: name, connection: 'c', provider: 'aws' } };
  });
  const ctx: ClusterContext = { name: 'pipe', spec: v.value!.spec, first: boot[0]!, endpoint: '203.0.113.1:6443' };
  return { boot, ctx };
}

function deps(transport: Pick<ExecTransport, 'exec'>, statuses: Map<string, string>): BootstrapDeps {
  return {
    cluster: 'pipe',
    transport,
    events: () => {},
    stepTimeoutMs: 10_000,
    update: (node, patch) => {
      if (patch.status) statuses.set(node, patch.status);
    },
  };
}

describe('bootstrapNodes', () => {
  it('inits the first control plane while the workers still prepare, and joins each node when it is ready', async () => {
    const { boot, ctx } = cluster([['cp-1', 'control-plane'], ['w-1', 'worker'], ['w-2', 'worker']]);
    const { ssh, log } = fakeSsh({ 'w-2:packages': 150 }, new Set());
    const statuses = new Map<string, string>();
    expect(await bootstrapNodes(deps(ssh, statuses), ctx, boot, { certSans: ['203.0.113.1'] })).toEqual([]);
    const at = (e: string) => log.indexOf(e);
    expect(at('cp-1:init:start')).toBeGreaterThan(-1);
    expect(at('cp-1:init:start')).toBeLessThan(at('w-2:packages:end'));
    // w-1 does not wait for the slow w-2 to join.
    expect(at('w-1:join:end')).toBeLessThan(at('w-2:packages:end'));
    expect(at('w-2:join:start')).toBeGreaterThan(at('w-2:packages:end'));
    expect(Object.fromEntries(statuses)).toEqual({ 'cp-1': 'Joined', 'w-1': 'Joined', 'w-2': 'Joined' });
  });

  it('reports a node that fails and lets the others join', async () => {
    const { boot, ctx } = cluster([['cp-1', 'control-plane'], ['w-1', 'worker'], ['w-2', 'worker']]);
    const { ssh, log } = fakeSsh({}, new Set(['w-1:preflight']));
    const statuses = new Map<string, string>();
    const failures = await bootstrapNodes(deps(ssh, statuses), ctx, boot, { certSans: ['203.0.113.1'] });
    expect(failures.map((f) => [f.node, f.step])).toEqual([['w-1', 'preflight']]);
    expect(failures[0]?.message).toMatch(/node w-1: step preflight failed: \[ERROR Swap\]/);
    expect(log).not.toContain('w-1:join:start');
    expect(statuses.get('w-2')).toBe('Joined');
    expect(statuses.get('w-1')).toBe('Failed');
  });

  it('joins no one when the first control plane fails, and names only it', async () => {
    const { boot, ctx } = cluster([['cp-1', 'control-plane'], ['w-1', 'worker']]);
    const { ssh, log } = fakeSsh({}, new Set(['cp-1:init']));
    const failures = await bootstrapNodes(deps(ssh, new Map()), ctx, boot, { certSans: ['203.0.113.1'] });
    expect(failures.map((f) => [f.node, f.step])).toEqual([['cp-1', 'init']]);
    expect(log.filter((l) => l.includes(':join'))).toEqual([]);
  });

  it('joins other control planes one at a time, with the certificate key', async () => {
    const { boot, ctx } = cluster([['cp-1', 'control-plane'], ['cp-2', 'control-plane'], ['cp-3', 'control-plane']]);
    const { ssh, log } = fakeSsh({ 'cp-2:join': 40, 'cp-3:join': 40 }, new Set());
    expect(await bootstrapNodes(deps(ssh, new Map()), ctx, boot, { certSans: ['203.0.113.1'] })).toEqual([]);
    const joins = log.filter((l) => /cp-[23]:join:/.test(l));
    expect(joins).toEqual([joins[0], joins[0]!.replace('start', 'end'), joins[2], joins[2]!.replace('start', 'end')]);
  });

  it('waits for the firewall before any join', async () => {
    const { boot, ctx } = cluster([['cp-1', 'control-plane'], ['w-1', 'worker']]);
    const { ssh, log } = fakeSsh({}, new Set());
    let opened = false;
    const firewall = new Promise<void>((r) => setTimeout(() => r(void (opened = true)), 60));
    const joinStarted: boolean[] = [];
    const spy: Pick<ExecTransport, 'exec'> = {
      exec: (t, c, o) => {
        if (stepsOf(typeof o?.stdin === 'string' ? o.stdin : '').includes('join')) joinStarted.push(opened);
        return ssh.exec(t, c, o);
      },
    };
    expect(await bootstrapNodes(deps(spy, new Map()), ctx, boot, { certSans: [], beforeJoin: firewall })).toEqual([]);
    expect(joinStarted).toEqual([true]);
    expect(log).toContain('w-1:join:end');
  });
});
