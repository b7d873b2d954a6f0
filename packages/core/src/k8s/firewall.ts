/**
 * Opens the cluster's ports (./ports.ts) on each connection's default firewall, to the cluster's
 * nodes' public IPs, and the API server's port also to the cluster's `apiAccess` CIDRs (kubectl). Drivers without `allowIngress` get a warning naming what to open by hand.
 * Connections are independent (each its own cloud and firewall): they are worked on at once.
 */
import { noEvents, type EventSink } from '../events.js';
import type { OrchestratorDeps } from '../orchestrator/deps.js';
import { DriverPool } from '../driver/pool.js';
import { refsToNetwork } from '../orchestrator/resources.js';
import type { K8sClusterRecord } from '../records/k8s.js';
import { clusterPorts } from './ports.js';

/** The `/32` sources of the cluster's nodes (those with a public IP), sorted. */
export function nodeSources(nodes: ReadonlyArray<{ publicIp?: string | undefined }>): string[] {
  return [...new Set(nodes.flatMap((n) => (n.publicIp ? [`${n.publicIp}/32`] : [])))].sort();
}

/**
 * `allow` opens the ports to the cluster's nodes on every connection the cluster uses; `revoke`
 * closes them (clean-up: failures are warnings). `opts.sources` replaces the nodes' addresses, e.g.
 * to close the ports to a node being removed: `applyFirewall(deps, c, 'revoke', events, { sources: nodeSources([node]) })`.
 */
export async function applyFirewall(
  deps: OrchestratorDeps,
  c: K8sClusterRecord,
  mode: 'allow' | 'revoke',
  events: EventSink = noEvents,
  opts: { sources?: string[] } = {},
): Promise<void> {
  const rules = clusterPorts(c.spec.kubernetes.cni);
  const sources = opts.sources ?? nodeSources(c.nodes);
  // The whole cluster's rules (not one node's) include the API port from where kubectl runs.
  const apiPort = c.spec.kubernetes.apiPort;
  const api = opts.sources ? [] : (c.apiAccess ?? []);
  if (sources.length === 0 && api.length === 0) return;
  const pool = new DriverPool(deps.store, deps.drivers, deps.credentials);
  try {
    const one = async (conn: string): Promise<void> => {
      const res = deps.store.getResource(conn, 'network');
      if (!res?.refs.securityGroupId) return;
      const { driver } = await pool.get(conn);
      const net = driver.network;
      const supported = mode === 'allow' ? net.allowIngress !== undefined : net.revokeIngress !== undefined;
      if (!supported) {
        if (mode === 'allow') {
          const ports = rules
            .map((r) => `${r.fromPort}${r.toPort !== r.fromPort ? `-${r.toPort}` : ''}/${r.protocol}`)
            .join(', ');
          events({
            type: 'warning',
            message: `connection ${conn}: the ${driver.provider} driver cannot open firewall ports yet; open ${ports} from the cluster's node IPs yourself`,
          });
        }
        return;
      }
      try {
        const reqs = [
          ...(sources.length ? [{ rules, sources }] : []),
          ...(api.length ? [{ rules: [{ protocol: 'tcp' as const, fromPort: apiPort, toPort: apiPort, description: 'kube-apiserver (kubectl)' }], sources: api }] : []),
        ];
        for (const req of reqs) {
          await (mode === 'allow'
            ? net.allowIngress?.(refsToNetwork(res.refs), req)
            : net.revokeIngress?.(refsToNetwork(res.refs), req));
        }
      } catch (e) {
        // Revoking is clean-up: a failure must not block deleting the cluster.
        if (mode === 'allow') throw e;
        events({
          type: 'warning',
          message: `connection ${conn}: could not close the cluster's ports: ${(e as Error).message}`,
        });
      }
    };
    // Every connection finishes (or fails) before the pool closes; the first failure is reported.
    const results = await Promise.allSettled([...new Set(c.nodes.map((n) => n.connection))].map(one));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await pool.closeAll();
  }
}
