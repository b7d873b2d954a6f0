/** The simulated clusters the twin keeps: what kubeadm made, which VMs joined, what kubectl changed. */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterPki } from './pki.js';

export interface SimNode {
  name: string;
  uid: string;
  instanceId: string;
  internalIp: string;
  labels: Record<string, string>;
  /** Set by `kubectl annotate` (e.g. the CNI's tunnel endpoint). */
  annotations?: Record<string, string>;
  controlPlane: boolean;
  unschedulable: boolean;
  createdAt: number;
  kubeletVersion: string;
}

export interface SimCluster {
  id: string;
  name: string;
  /** host:port of the control-plane endpoint, as kubeadm's config said. */
  endpoint: string;
  version: string;
  podCidr: string;
  serviceCidr: string;
  pki: ClusterPki;
  /** Bootstrap tokens → expiry (epoch ms). */
  tokens: Map<string, number>;
  certKey?: { key: string; expiresAt: number };
  cni?: string;
  nodes: Map<string, SimNode>;
  /** host:port → instance id: where an API server of this cluster listens (every control plane). */
  apiServers: Map<string, string>;
  createdAt: number;
}

export function newToken(): string {
  const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const pick = (n: number) => Array.from(randomBytes(n), (b) => alnum[b % alnum.length]).join('');
  return `${pick(6)}.${pick(16)}`;
}

export function newUid(): string {
  return randomUUID();
}

/** Twin-side state of one VM's system root (what the shell shims of ./shims.ts wrote). */
export class Sysroot {
  constructor(readonly root: string) {}
  private state(...p: string[]): string {
    return join(this.root, 'var', 'lib', 'cloud-twin', ...p);
  }
  exists(): boolean {
    return existsSync(this.root);
  }
  file(path: string): string {
    return join(this.root, path);
  }
  read(path: string): string | undefined {
    try {
      return readFileSync(this.file(path), 'utf8');
    } catch {
      return undefined;
    }
  }
  installed(pkg: string): string | undefined {
    try {
      return readFileSync(this.state('pkgs', pkg), 'utf8').trim();
    } catch {
      return undefined;
    }
  }
  active(unit: string): boolean {
    return existsSync(this.state('units', `${unit}.active`));
  }
  sysctl(key: string): string | undefined {
    try {
      return readFileSync(this.state('sysctl', key), 'utf8').trim();
    } catch {
      return undefined;
    }
  }
  /** IPv4 addresses on the VM's interfaces: lo's 127.0.0.1 and what the simulated `ip addr add` put there. */
  addresses(): string[] {
    const text = this.read('var/lib/cloud-twin/addrs') ?? 'lo 127.0.0.1/8\n';
    return text.split('\n').flatMap((l) => {
      const cidr = l.trim().split(/\s+/)[1];
      return cidr ? [cidr.replace(/\/\d+$/, '')] : [];
    });
  }
  /** `--node-ip` and `--node-labels` from /etc/default/kubelet, where the bootstrap puts them. */
  kubeletArgs(): { nodeIp?: string; labels: Record<string, string> } {
    const text = this.read('etc/default/kubelet') ?? '';
    const ip = /--node-ip=([^\s"]+)/.exec(text)?.[1];
    const labels: Record<string, string> = {};
    const l = /--node-labels=([^\s"]+)/.exec(text)?.[1];
    for (const pair of l ? l.split(',') : []) {
      const eq = pair.indexOf('=');
      if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return { ...(ip ? { nodeIp: ip } : {}), labels };
  }
}
