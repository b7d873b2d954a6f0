/**
 * What an operator would have set up in the twin's Cloudit: two clusters (the zones a tenant can
 * place servers in; `GET ace/…/clusters`), the specs (`ace/…/specs`, memory in MiB, disk in GiB)
 * and the templates (`ace/…/templates`, Cloudit's images). Cloudit has no pricing API: nothing here
 * has a price; a connection's price file gives one.
 */
import { createHash } from 'node:crypto';

/** A stable UUID per name, as Cloudit's ids are UUIDs. */
export function uuidOf(text: string): string {
  const h = createHash('sha256').update(`cloudit:${text}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface Cluster {
  id: string;
  name: string;
}

export const CLOUDIT_CLUSTERS: readonly Cluster[] = ['kr-seoul-1', 'kr-daejeon-1'].map((name) => ({ id: uuidOf(`cluster:${name}`), name }));

export function findCluster(ref: string): Cluster | undefined {
  return CLOUDIT_CLUSTERS.find((c) => c.id === ref || c.name === ref);
}

export interface ClouditSpec {
  id: string;
  name: string;
  cpu: number;
  /** MiB. */
  mem: number;
  /** GiB. */
  disk: number;
  gpu: number;
  enabled: number;
}

export const CLOUDIT_SPECS: readonly ClouditSpec[] = (
  [
    ['micro-1', 1, 1024, 20],
    ['small-2', 1, 2048, 40],
    ['medium-4', 2, 4096, 60],
    ['large-8', 4, 8192, 80],
    ['xlarge-16', 8, 16384, 100],
  ] as const
).map(([name, cpu, mem, disk]) => ({ id: uuidOf(`spec:${name}`), name, cpu, mem, disk, gpu: 0, enabled: 1 }));

export function findSpec(ref: string): ClouditSpec | undefined {
  return CLOUDIT_SPECS.find((s) => s.id === ref || s.name === ref);
}

export interface ClouditTemplate {
  id: string;
  name: string;
  os: string;
  arch: string;
  /** GiB. */
  size: number;
  format: string;
  ownership: 'TENANT' | 'PUBLIC';
  templateType: string;
  state: 'available';
  enabled: number;
  createdAt: string;
  description: string;
}

export const CLOUDIT_TEMPLATES: readonly ClouditTemplate[] = (
  [
    ['Ubuntu 22.04', 'Ubuntu', '2024-03-04 09:00:00'],
    ['Ubuntu 20.04', 'Ubuntu', '2022-05-10 09:00:00'],
    ['Debian 12', 'Debian', '2024-01-15 09:00:00'],
    ['Rocky Linux 9', 'Rocky', '2023-11-20 09:00:00'],
  ] as const
).map(([name, os, createdAt]) => ({
  id: uuidOf(`template:${name}`),
  name,
  os,
  arch: 'x86_64',
  size: 20,
  format: 'qcow2',
  ownership: 'PUBLIC',
  templateType: 'DEFAULT',
  state: 'available',
  enabled: 1,
  createdAt,
  description: `${name} (cloud image, root login)`,
}));

export function findTemplate(ref: string): ClouditTemplate | undefined {
  return CLOUDIT_TEMPLATES.find((t) => t.id === ref);
}

/** Cloudit's templates log in as root (the password set at create, or the key given with it). */
export const CLOUDIT_SSH_USER = 'root';
