/**
 * Which ports the cluster's nodes must reach on each other, and why. Nodes sit in different clouds
 * and share only public IPs, so every rule names the other nodes' public addresses (/32) as sources:
 * nothing is opened to the internet at large.
 *
 * - 6443/tcp: the API server, which kubelets, kube-proxy and the CNI agents of every node call.
 * - 2379-2380/tcp: etcd client and peer traffic between control-plane nodes (stacked etcd).
 * - 10250/tcp: the kubelet API, which the API server calls for logs, exec and metrics.
 * - CNI: flannel's WireGuard backend and Kilo tunnel pod traffic in WireGuard (51820/udp, and
 *   51821/udp for flannel's IPv6 tunnel) — encrypted, because it crosses the public internet. Calico
 *   across clouds uses VXLAN (4789/udp) plus BGP (179/tcp); its traffic is not encrypted.
 * NodePorts (30000-32767) stay closed: exposing services is a separate, deliberate decision.
 */
import type { Cni } from './manifest.js';

export interface PortRule {
  protocol: 'tcp' | 'udp';
  fromPort: number;
  toPort: number;
  description: string;
}

export function clusterPorts(cni: Cni): PortRule[] {
  const base: PortRule[] = [
    { protocol: 'tcp', fromPort: 6443, toPort: 6443, description: 'kube-apiserver' },
    { protocol: 'tcp', fromPort: 2379, toPort: 2380, description: 'etcd' },
    { protocol: 'tcp', fromPort: 10250, toPort: 10250, description: 'kubelet' },
  ];
  if (cni === 'flannel') return [...base, { protocol: 'udp', fromPort: 51820, toPort: 51821, description: 'flannel wireguard' }];
  if (cni === 'kilo') return [...base, { protocol: 'udp', fromPort: 51820, toPort: 51820, description: 'kilo wireguard' }];
  return [...base, { protocol: 'udp', fromPort: 4789, toPort: 4789, description: 'calico vxlan' }, { protocol: 'tcp', fromPort: 179, toPort: 179, description: 'calico bgp' }];
}

/** The ports the preflight step checks are free on a node. */
export function preflightPorts(apiPort: number, role: 'control-plane' | 'worker'): number[] {
  return role === 'control-plane' ? [apiPort, 2379, 2380, 10250] : [10250];
}

/** Where the CNI manifest comes from (the projects' own release URLs). */
export function cniManifestUrl(cni: Cni): string {
  switch (cni) {
    case 'flannel':
      return 'https://github.com/flannel-io/flannel/releases/download/v0.25.5/kube-flannel.yml';
    case 'kilo':
      return 'https://raw.githubusercontent.com/squat/kilo/0.6.0/manifests/kilo-kubeadm.yaml';
    case 'calico':
      return 'https://raw.githubusercontent.com/projectcalico/calico/v3.28.0/manifests/calico-vxlan.yaml';
  }
}
