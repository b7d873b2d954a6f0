/** Table rendering of clusters for `cbadm k8s …`. */
import type { K8sClusterView } from '@cloud-barista/core/k8s/view';
import { makeTable } from './render.js';

export function clusterSummary(c: K8sClusterView): string {
  const head = `Cluster ${c.ns}/${c.name}: ${c.phase}${c.reason ? ` (${c.reason})` : ''}\nKubernetes ${c.version}, CNI ${c.cni}, endpoint ${c.endpoint ?? '-'}, MCIS ${c.mcis.join(', ')}\n`;
  return head + makeTable(
    ['NODE', 'ROLE', 'STATUS', 'STEP', 'CONNECTION', 'REGION', 'PUBLIC IP', 'ERROR'],
    c.nodes.map((n) => [n.name, n.role, n.status, n.step, n.connection, n.region, n.publicIp, n.error]),
  );
}
