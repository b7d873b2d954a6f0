/** The twin's GCE resources as stored (and snapshotted to state.json). Paths are partial. */
import type { BackedVm } from '../vm/lifecycle.js';

interface Resource {
  id: string;
  name: string;
  description?: string;
  createdAt: number;
}

export interface GceNetwork extends Resource {
  autoCreateSubnetworks: boolean;
  routingMode: 'REGIONAL' | 'GLOBAL';
  mtu: number;
}

export interface GceSubnetwork extends Resource {
  region: string;
  /** Network name (same project). */
  network: string;
  ipCidrRange: string;
  fingerprint: string;
  privateIpGoogleAccess: boolean;
  /** Next host offset in the range to try for an instance's networkIP. */
  nextIpOffset: number;
}

export interface FirewallRule {
  IPProtocol: string;
  ports?: string[];
}

export interface GceFirewall extends Resource {
  network: string;
  priority: number;
  direction: 'INGRESS' | 'EGRESS';
  allowed?: FirewallRule[];
  denied?: FirewallRule[];
  sourceRanges?: string[];
  destinationRanges?: string[];
  sourceTags?: string[];
  targetTags?: string[];
  disabled: boolean;
}

export interface MetadataItem {
  key: string;
  value: string;
}

export interface GceInstance extends Resource {
  zone: string;
  machineType: string;
  /** Image path (`projects/ubuntu-os-cloud/global/images/…`) the boot disk was made from. */
  sourceImage: string;
  diskSizeGb: number;
  diskType: string;
  diskName: string;
  architecture: string;
  licenses: string[];
  network: string;
  subnetwork: string;
  /** Subnetwork region (same as the zone's). */
  region: string;
  networkIP: string;
  /** One ONE_TO_ONE_NAT access config (an ephemeral external IP: the VM's 127.x.y.z). */
  externalAccess: boolean;
  labels: Record<string, string>;
  labelFingerprint: string;
  metadata: MetadataItem[];
  metadataFingerprint: string;
  tags: string[];
  tagsFingerprint: string;
  serviceAccounts: unknown[];
  scheduling: Record<string, unknown>;
  deletionProtection: boolean;
  lastStartTimestamp?: number;
  lastStopTimestamp?: number;
  /** The VM behind it: states, SSH server, public IP. */
  vm: BackedVm;
}

export type OperationScope = { zone: string } | { region: string } | { global: true };

/** What a pending operation waits for before it reports DONE. */
export type OperationGoal =
  | { kind: 'time' }
  | { kind: 'instance'; key: string; until: 'running' | 'stopped' | 'gone' };

export interface GceOperation {
  id: string;
  name: string;
  scope: OperationScope;
  operationType: string;
  targetLink: string;
  targetId: string;
  user: string;
  insertTime: number;
  startTime: number;
  endTime?: number;
  /** Earliest time the operation may finish. */
  doneAt: number;
  goal: OperationGoal;
  status: 'PENDING' | 'RUNNING' | 'DONE';
  error?: { code: string; message: string };
  httpErrorStatusCode?: number;
  httpErrorMessage?: string;
  requestId?: string;
}

/** What a project holds, one map per type, keyed by name (subnetworks: `region/name`; instances: `zone/name`). */
interface GceResources {
  networks: GceNetwork;
  subnetworks: GceSubnetwork;
  firewalls: GceFirewall;
  instances: GceInstance;
  operations: GceOperation;
}

export type GceProject = {
  id: string;
  number: string;
  createdAt: number;
  /** Request id → operation name, so a repeated request returns the first one's operation. */
  requestIds: Map<string, string>;
} & { [K in keyof GceResources]: Map<string, GceResources[K]> };

export function instanceKey(zone: string, name: string): string {
  return `${zone}/${name}`;
}

export function instancePath(project: string, i: { zone: string; name: string }): string {
  return `projects/${project}/zones/${i.zone}/instances/${i.name}`;
}

export function networkPath(project: string, name: string): string {
  return `projects/${project}/global/networks/${name}`;
}

export function subnetworkPath(project: string, region: string, name: string): string {
  return `projects/${project}/regions/${region}/subnetworks/${name}`;
}

export function firewallPath(project: string, name: string): string {
  return `projects/${project}/global/firewalls/${name}`;
}
