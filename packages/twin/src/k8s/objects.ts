/** Kubernetes API objects of the simulation: Node, NodeList, the server-side printing Table, Status. */
import type { SimCluster, SimNode, Sysroot } from './model.js';

export interface NodeView {
  node: SimNode;
  ready: boolean;
  /** Its kubelet stopped posting status (the VM is gone): Ready is Unknown, as the node controller sets it. */
  silent?: boolean;
  externalIp?: string;
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function nodeObject(c: SimCluster, v: NodeView): Record<string, unknown> {
  const n = v.node;
  const labels = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
    ...(n.controlPlane ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
    ...n.labels,
  };
  const now = iso(Date.now());
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: n.name,
      uid: n.uid,
      resourceVersion: String(n.createdAt),
      creationTimestamp: iso(n.createdAt),
      labels,
      annotations: { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock', ...n.annotations },
    },
    spec: {
      podCIDR: c.podCidr,
      ...(n.unschedulable ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: now }] } : {}),
      ...(n.controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      conditions: [
        {
          type: 'Ready',
          ...(v.silent
            ? { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }
            : {
                status: v.ready ? 'True' : 'False',
                reason: v.ready ? 'KubeletReady' : 'KubeletNotReady',
                message: v.ready ? 'kubelet is posting ready status' : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
              }),
          lastHeartbeatTime: now,
          lastTransitionTime: iso(n.createdAt),
        },
      ],
      addresses: [
        { type: 'InternalIP', address: n.internalIp },
        ...(v.externalIp ? [{ type: 'ExternalIP', address: v.externalIp }] : []),
        { type: 'Hostname', address: n.name },
      ],
      nodeInfo: {
        kubeletVersion: `v${n.kubeletVersion}`,
        kubeProxyVersion: `v${n.kubeletVersion}`,
        osImage: 'Ubuntu 22.04.4 LTS',
        kernelVersion: '5.15.0-105-generic',
        containerRuntimeVersion: 'containerd://1.7.12',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export function nodeList(items: Record<string, unknown>[]): Record<string, unknown> {
  return { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: String(Date.now()) }, items };
}

function age(ms: number): string {
  const s = Math.max(0, Math.floor((Date.now() - ms) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
}

/** The Table kubectl asks for (`as=Table`): the columns `kubectl get nodes [-o wide]` prints. */
export function nodeTable(c: SimCluster, views: NodeView[]): Record<string, unknown> {
  const col = (name: string, type: string, priority = 0) => ({ name, type, format: name === 'Name' ? 'name' : '', description: name, priority });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(Date.now()) },
    columnDefinitions: [
      col('Name', 'string'),
      col('Status', 'string'),
      col('Roles', 'string'),
      col('Age', 'string'),
      col('Version', 'string'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1),
    ],
    rows: views.map((v) => {
      const status = `${v.ready ? 'Ready' : 'NotReady'}${v.node.unschedulable ? ',SchedulingDisabled' : ''}`;
      return {
        cells: [v.node.name, status, v.node.controlPlane ? 'control-plane' : '<none>', age(v.node.createdAt), `v${v.node.kubeletVersion}`, v.node.internalIp, v.externalIp ?? '<none>', 'Ubuntu 22.04.4 LTS', '5.15.0-105-generic', 'containerd://1.7.12'],
        object: nodeObject(c, v),
      };
    }),
  };
}

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** Whether a node is Ready: its VM lives, its kubelet runs, and the cluster has a pod network. */
export function isReady(c: SimCluster, n: SimNode, root: Sysroot, readyDelayMs: number): boolean {
  return root.exists() && root.active('kubelet') && c.cni !== undefined && Date.now() - n.createdAt >= readyDelayMs;
}
