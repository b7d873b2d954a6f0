/**
 * Opens the cluster's ports (./ports.ts) on each connection's default firewall, to the cluster's
 * nodes' public IPs only. Drivers without `allowIngress` get a warning naming what to open by hand.
 */
import { noEvents, type EventSink } from '../events.js';
import type { OrchestratorDeps } from '../orchestrator/deps.js';
import { DriverPool } from '../orchestrator/driver-pool.js';
import { refsToNetwork } from '../orchestrator/resources.js';
import type { K8sClusterRecord } from './model.js';
import { clusterPorts } from './ports.js';

export async function applyFirewall(deps: OrchestratorDeps, c: K8sClusterRecord, mode: 'allow' | 'revoke', events: EventSink = noEvents): Promise<void> {
  const rules = clusterPorts(c.spec.kubernetes.cni);
  const sources = [...new Set(c.nodes.flatMap((n) => (n.publicIp ? [`${n.publicIp}/32`] : [])))].sort();
  if (sources.length === 0) return;
  const pool = new DriverPool(deps.store, deps.drivers, deps.credentials);
  try {
    for (const conn of [...new Set(c.nodes.map((n) => n.connection))]) {
      const res = deps.store.getResource(conn, 'network');
      if (!res?.refs.securityGroupId) continue;
      const { driver } = await pool.get(conn);
      const net = driver.network;
      const supported = mode === 'allow' ? net.allowIngress !== undefined : net.revokeIngress !== undefined;
      if (!supported) {
        if (mode === 'allow') {
          const ports = rules.map((r) => `${r.fromPort}${r.toPort !== r.fromPort ? `-${r.toPort}` : ''}/${r.protocol}`).join(', ');
          events({ type: 'warning', message: `connection ${conn}: the ${driver.provider} driver cannot open firewall ports yet; open ${ports} from the cluster's node IPs yourself` });
        }
        continue;
      }
      try {
        const req = { rules, sources };
        await (mode === 'allow' ? net.allowIngress?.(refsToNetwork(res.refs), req) : net.revokeIngress?.(refsToNetwork(res.refs), req));
      } catch (e) {
        // Revoking is clean-up: a failure must not block deleting the cluster.
        if (mode === 'allow') throw e;
        events({ type: 'warning', message: `connection ${conn}: could not close the cluster's ports: ${(e as Error).message}` });
      }
    }
  } finally {
    await pool.closeAll();
  }
}
