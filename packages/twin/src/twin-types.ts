/** What a running twin reports about itself and its VMs (the admin API's answers). */
import type { InstanceStateName } from './ec2/model.js';
import type { FaultRule } from './faults.js';
import type { IsolationCost, IsolationStatus } from './vm/isolation/isolation.js';

/** The listeners' ports: aws is the EC2, GCE, pricing and admin listener; azure is ARM's HTTPS one. */
export interface TwinPorts {
  aws?: number | undefined;
  azure?: number | undefined;
  alibaba?: number | undefined;
  docker?: number | undefined;
}

export type InstanceCounts = Record<InstanceStateName, number> & { total: number };

export interface TwinStatus {
  pid: number;
  startedAt: string;
  endpoints: TwinEndpoints;
  /** The CA (PEM file) that clients of the HTTPS endpoint (azure) trust. */
  caFile: string;
  adminUrl: string;
  sshPort: number;
  bootDelayMs: number;
  stopDelayMs: number;
  stateDir: string;
  instances: InstanceCounts;
  sshServers: number;
  regions: string[];
  faults: FaultRule[];
  outages: string[];
  /** GCE instances by status, and the projects that hold data. */
  gce: { instances: Record<string, number>; projects: string[] };
  /** Azure VMs by PowerState, and the subscriptions that hold data. */
  azure: { vms: Record<string, number>; subscriptions: string[] };
  /** ECS instances by Status, and the regions that hold data. */
  alibaba: { instances: Record<string, number>; regions: string[] };
  /** OpenStack servers by the lifecycle's state, and the regions. */
  openstack: { servers: Record<string, number>; regions: string[] };
  /** Docker containers by state; the daemon's host name (a Docker connection's region) and TCP endpoint. */
  docker: { containers: Record<string, number>; host: string; tcp: string };
  /** Cloudit servers by the lifecycle's state, and the clusters (zones). */
  cloudit: { servers: Record<string, number>; zones: string[] };
  /** Whether VMs run in their own namespaces, and why not. */
  isolation: IsolationStatus;
  /** What isolation costs per VM (when it is on). */
  isolationCost?: IsolationCost;
}

/**
 * aws: the EC2 Query API; gcp: GCE REST; azure: ARM over HTTPS; alibaba: the ECS RPC API (its own port);
 * openstack: Keystone's auth URL (…/identity/v3); cloudit: the identity base CB-Spider's client adds
 * /cloudit/v5.0/… to; docker: the Engine API's socket (`unix://…/docker.sock`).
 */
export interface TwinEndpoints {
  aws: string;
  gcp: string;
  azure: string;
  alibaba: string;
  openstack: string;
  docker: string;
  cloudit: string;
}

/** A VM of any of the three APIs, in the lifecycle's (EC2's) state names. */
export interface TwinInstanceInfo {
  provider: 'aws' | 'gcp' | 'azure' | 'alibaba' | 'openstack' | 'cloudit';
  /** EC2 instance id; the GCE instance's or Azure VM's name. */
  instanceId: string;
  /** Region (GCE: the zone's region; Azure: the location). */
  region: string;
  state: InstanceStateName;
  /** Instance type, machine type or VM size. */
  instanceType: string;
  imageId: string;
  keyName?: string;
  publicIp?: string;
  privateIp?: string;
  sshUser: string;
  sshPort: number;
  hostPublicKey: string;
  homeDir: string;
}
