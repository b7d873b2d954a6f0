/** The stable `--json` shape of a cluster (no secrets: kubeconfigs are written to files, never printed). */
import type { K8sClusterRecord } from '../records/k8s.js';

export interface K8sNodeView {
  name: string;
  role: string;
  connection: string;
  provider: string;
  region: string;
  zone: string | null;
  publicIp: string | null;
  status: string;
  step: string | null;
  error: string | null;
}

export interface K8sClusterView {
  ns: string;
  name: string;
  phase: string;
  reason: string | null;
  endpoint: string | null;
  version: string;
  cni: string;
  mcis: string[];
  nodes: K8sNodeView[];
  createdAt: string;
  updatedAt: string;
}

export function clusterView(c: K8sClusterRecord): K8sClusterView {
  return {
    ns: c.ns,
    name: c.name,
    phase: c.phase,
    reason: c.reason ?? null,
    endpoint: c.endpoint ?? null,
    version: c.spec.kubernetes.version,
    cni: c.spec.kubernetes.cni,
    mcis: [c.mcis, ...c.extraMcis],
    nodes: c.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      connection: n.connection,
      provider: n.provider,
      region: n.region,
      zone: n.zone ?? null,
      publicIp: n.publicIp ?? null,
      status: n.status,
      step: n.step ?? null,
      error: n.error ?? null,
    })),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
