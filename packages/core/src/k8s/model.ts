/** Stored K8s clusters: phases as CB-Ladybug shows them, one record per node with its last step. */
import type { K8sClusterSpec } from './manifest.js';

export const K8S_PHASES = ['Pending', 'Provisioning', 'Provisioned', 'Failed', 'Deleting'] as const;
export type K8sPhase = (typeof K8S_PHASES)[number];
export type NodeRole = 'control-plane' | 'worker';

export interface K8sNodeRecord {
  /** The node name: the VM's name in the MCIS. */
  name: string;
  role: NodeRole;
  nodeSet: string;
  /** The MCIS holding this node's VM. */
  mcis: string;
  connection: string;
  provider: string;
  region: string;
  zone?: string;
  publicIp?: string;
  privateIp?: string;
  status: 'Pending' | 'Bootstrapping' | 'Joined' | 'Ready' | 'Failed';
  /** The last bootstrap step that finished, or the one that failed. */
  step?: string;
  error?: string;
}

export interface K8sClusterRecord {
  ns: string;
  name: string;
  /** The MCIS holding the nodes. */
  mcis: string;
  /** Whether the cluster created the MCIS (and so deletes it). */
  ownsMcis: boolean;
  /** MCISes made by `k8s node add`, one per added node set; always owned. */
  extraMcis: string[];
  labels: Record<string, string>;
  spec: K8sClusterSpec;
  phase: K8sPhase;
  /** Why the cluster is Failed: the node and the step. */
  reason?: string;
  /** host:port of the API server. */
  endpoint?: string;
  nodes: K8sNodeRecord[];
  createdAt: string;
  updatedAt: string;
}
