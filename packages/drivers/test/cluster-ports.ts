/** The cluster ports a Kubernetes bootstrap opens between nodes, and two node addresses, for the drivers' ingress tests. */
import type { IngressRule } from '@cloud-barista/core/driver/port';

export const CLUSTER_RULES: IngressRule[] = [
  { protocol: 'tcp', fromPort: 6443, toPort: 6443, description: 'kube-apiserver' },
  { protocol: 'tcp', fromPort: 2379, toPort: 2380, description: 'etcd' },
  { protocol: 'udp', fromPort: 8472, toPort: 8472, description: 'flannel vxlan' },
];

/** Documentation addresses (RFC 5737): never a real host. */
export const NODE_A = '198.51.100.7/32';
export const NODE_B = '198.51.100.8/32';
