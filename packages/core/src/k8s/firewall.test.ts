import { describe, expect, it } from 'vitest';
import type { CloudDriver, DriverRegistry } from '../driver/port.js';
import type { CbEvent } from '../events.js';
import type { Provider } from '../model.js';
import type { OrchestratorDeps } from '../orchestrator/deps.js';
import { applyFirewall, nodeSources } from './firewall.js';
import type { K8sClusterRecord } from '../records/k8s.js';

type Call = { conn: string; mode: 'allow' | 'revoke'; sg: string; sources: string[]; ports: string[] };

/** Connections a (aws), b (gcp), c (azure, no firewall support), d (no network yet); allowIngress takes `delayMs`. */
function setup(opts: { delayMs?: number; failOn?: string } = {}) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const providers: Record<string, Provider> = { a: 'aws', b: 'gcp', c: 'azure', d: 'aws' };
  const call =
    (conn: string, mode: Call['mode']) =>
    async (
      net: { securityGroupId: string },
      req: { rules: Array<{ fromPort: number; protocol: string }>; sources: string[] },
    ) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
      inFlight--;
      if (opts.failOn === conn) throw new Error(`${conn} refused`);
      calls.push({
        conn,
        mode,
        sg: net.securityGroupId,
        sources: req.sources,
        ports: req.rules.map((r) => `${r.fromPort}/${r.protocol}`),
      });
    };
  const driver = (conn: string): CloudDriver =>
    ({
      provider: providers[conn],
      network: conn === 'c' ? {} : { allowIngress: call(conn, 'allow'), revokeIngress: call(conn, 'revoke') },
      close: () => undefined,
    }) as unknown as CloudDriver;
  const registry: DriverRegistry = {
    providers: () => ['aws', 'gcp', 'azure'],
    load: async () => (o) => driver(o.connection.name),
  };
  const deps = {
    store: {
      getConnection: (name: string) => ({ name, provider: providers[name], region: 'r' }),
      getResource: (conn: string) =>
        conn === 'd'
          ? undefined
          : { refs: { networkId: `net-${conn}`, subnetId: `sub-${conn}`, securityGroupId: `sg-${conn}` } },
    },
    drivers: registry,
    credentials: { material: () => ({}) },
  } as unknown as OrchestratorDeps;
  return { deps, calls, maxInFlight: () => maxInFlight };
}

const cluster = (nodes: Array<{ name: string; connection: string; publicIp?: string }>, apiAccess?: string[]): K8sClusterRecord =>
  ({
    ns: 'default',
    name: 'k',
    spec: { kubernetes: { cni: 'flannel', apiPort: 6443 } },
    nodes,
    ...(apiAccess ? { apiAccess } : {}),
  }) as unknown as K8sClusterRecord;

const warnings = (events: CbEvent[]) => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));

const NODES = [
  { name: 'cp-1', connection: 'a', publicIp: '198.51.100.1' },
  { name: 'w-1', connection: 'b', publicIp: '198.51.100.2' },
  { name: 'w-2', connection: 'b', publicIp: '198.51.100.2' },
  { name: 'w-3', connection: 'c', publicIp: '198.51.100.3' },
  { name: 'w-4', connection: 'd' },
];

describe('applyFirewall', () => {
  it("opens the cluster ports to the nodes' /32s on every connection at once, warning where the driver cannot", async () => {
    const { deps, calls, maxInFlight } = setup({ delayMs: 30 });
    const events: CbEvent[] = [];
    await applyFirewall(deps, cluster(NODES), 'allow', (e) => events.push(e));
    expect(calls.map((c) => [c.conn, c.mode, c.sg]).sort()).toEqual([
      ['a', 'allow', 'sg-a'],
      ['b', 'allow', 'sg-b'],
    ]);
    for (const c of calls) {
      expect(c.sources).toEqual(['198.51.100.1/32', '198.51.100.2/32', '198.51.100.3/32']);
      expect(c.ports).toEqual(['6443/tcp', '2379/tcp', '10250/tcp', '51820/udp']);
    }
    expect(maxInFlight()).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['warning']);
    expect(warnings(events)[0]).toMatch(
      /^connection c: the azure driver cannot open firewall ports yet; open 6443\/tcp, 2379-2380\/tcp/,
    );
  });

  it('revokes given sources only (a removed node), without warnings for drivers that cannot', async () => {
    const { deps, calls } = setup();
    const events: CbEvent[] = [];
    await applyFirewall(deps, cluster(NODES), 'revoke', (e) => events.push(e), {
      sources: nodeSources([NODES[1]!]),
    });
    expect(calls.map((c) => [c.conn, c.mode, c.sources]).sort()).toEqual([
      ['a', 'revoke', ['198.51.100.2/32']],
      ['b', 'revoke', ['198.51.100.2/32']],
    ]);
    expect(events).toEqual([]);
  });

  it('fails an allow after every connection is done; a failed revoke is a warning', async () => {
    const allow = setup({ delayMs: 20, failOn: 'a' });
    await expect(applyFirewall(allow.deps, cluster(NODES), 'allow')).rejects.toThrow('a refused');
    expect(allow.calls.map((c) => c.conn)).toEqual(['b']);
    const revoke = setup({ failOn: 'b' });
    const events: CbEvent[] = [];
    await applyFirewall(revoke.deps, cluster(NODES), 'revoke', (e) => events.push(e));
    expect(revoke.calls.map((c) => c.conn)).toEqual(['a']);
    expect(warnings(events)).toEqual(["connection b: could not close the cluster's ports: b refused"]);
  });

  it('opens the API port to apiAccess (where kubectl runs) and closes it with the cluster, not with a node', async () => {
    const access = ['203.0.113.0/24'];
    const allow = setup();
    await applyFirewall(allow.deps, cluster(NODES.slice(0, 1), access), 'allow');
    expect(allow.calls.map((c) => [c.conn, c.mode, c.ports, c.sources])).toEqual([
      ['a', 'allow', ['6443/tcp', '2379/tcp', '10250/tcp', '51820/udp'], ['198.51.100.1/32']],
      ['a', 'allow', ['6443/tcp'], access],
    ]);
    const node = setup();
    await applyFirewall(node.deps, cluster(NODES.slice(0, 1), access), 'revoke', undefined, { sources: ['198.51.100.1/32'] });
    expect(node.calls.map((c) => c.sources)).toEqual([['198.51.100.1/32']]);
    const all = setup();
    await applyFirewall(all.deps, cluster(NODES.slice(0, 1), access), 'revoke');
    expect(all.calls.map((c) => [c.mode, c.ports, c.sources])).toEqual([
      ['revoke', ['6443/tcp', '2379/tcp', '10250/tcp', '51820/udp'], ['198.51.100.1/32']],
      ['revoke', ['6443/tcp'], access],
    ]);
  });

  it('does nothing without node addresses', async () => {
    const { deps, calls } = setup();
    await applyFirewall(deps, cluster([{ name: 'cp-1', connection: 'a' }]), 'allow');
    expect(calls).toEqual([]);
  });
});
