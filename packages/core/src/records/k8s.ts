/**
 * Stored K8s clusters: phases as CB-Ladybug shows them, one record per node with its last step, and
 * the validated spec they were made from. A leaf below the store, so storage never imports the k8s service.
 */
import { z } from 'zod';
import { LoginUser, Name, Requirements } from '../model.js';

export const CNIS = ['flannel', 'kilo', 'calico'] as const;
export type Cni = (typeof CNIS)[number];

/**
 * A node set becomes one MCIS subgroup: placed by `connection` + `spec`, or by `requirements` that
 * the recommender resolves when the MCIS is created (e.g. workers `near` the control plane's region,
 * or priority `latency` to sit close to the other node sets).
 */
export const NodeSet = z
  .object({
    name: Name,
    connection: Name.optional(),
    count: z.number().int().min(1).max(500),
    spec: z.string().min(1).optional(),
    requirements: Requirements.optional(),
    image: z.string().min(1).default('ubuntu-22.04'),
    sshUser: LoginUser.optional(),
  })
  .strict();
export type NodeSet = z.infer<typeof NodeSet>;

/** A validated manifest with the control plane as a list and the version split out. */
export interface K8sClusterSpec {
  controlPlane: NodeSet[];
  workers: NodeSet[];
  kubernetes: {
    version: string;
    minor: string;
    cni: Cni;
    podCidr: string;
    serviceCidr: string;
    apiPort: number;
    /** host:port, when the manifest names one. */
    controlPlaneEndpoint?: string;
  };
}

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
  /**
   * CIDRs the API server port is opened to besides the nodes (`k8s create --api-access`): where
   * kubectl runs. Default 0.0.0.0/0, as managed Kubernetes' public endpoints; kubeadm's API server
   * still asks every client for its certificate or token. Older records have none (nodes only).
   */
  apiAccess?: string[];
  nodes: K8sNodeRecord[];
  /** Kubeconfig files `k8s kubeconfig` wrote the cluster's context into: `k8s delete` takes it out again. */
  kubeconfigs?: string[];
  createdAt: string;
  updatedAt: string;
}
