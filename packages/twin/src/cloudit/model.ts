/** The twin's Cloudit tenant: what IAM, ACE and DNA keep, in Cloudit's own field names. */
import type { BackedVm } from '../vm/lifecycle.js';

export interface Subnet {
  id: string;
  name: string;
  /** The network address ("10.10.1.0"): DNA names a subnet by it in server creates and deletes. */
  addr: string;
  prefix: string;
  gateway: string;
  state: 'OK';
  vlan: number;
  protection: number;
  description: string;
  createdAt: string;
  creator: string;
  /** Addresses handed out so far (.1 is the gateway). */
  used: number;
}

export interface SecurityRule {
  id: string;
  secgroupId: string;
  name: string;
  /** `inbound` or `outbound`. */
  type: string;
  /** `22`, `8000-8080`, or `0` for every port. */
  port: string;
  /** Source (inbound) or destination (outbound) CIDR. */
  target: string;
  /** `tcp`, `udp`, `icmp` or `all`. */
  protocol: string;
  creator: string;
  createdAt: string;
}

export interface SecurityGroup {
  id: string;
  name: string;
  state: 'CREATED';
  protection: number;
  description: string;
  createdAt: string;
  creator: string;
  rules: SecurityRule[];
}

export interface Server {
  id: string;
  name: string;
  hostName: string;
  clusterId: string;
  specId: string;
  templateId: string;
  subnetAddr: string;
  privateIp: string;
  mac: string;
  secgroups: string[];
  description: string;
  protection: number;
  createdAt: string;
  sshKeyName?: string;
  /** Set when the server failed to be placed (an injected fault): state Failed. */
  failed?: string;
  /** Has been Running once: pending again means Starting, not Creating. */
  built: boolean;
  deleting: boolean;
  /** A reboot in progress until then (epoch ms). */
  rebootUntil?: number;
  vm: BackedVm;
}

export interface AdaptiveIp {
  id: string;
  ip: string;
  name: string;
  privateIp: string;
  state: 'ATTACHED';
  protection: number;
  description: string;
  createdAt: string;
  creator: string;
}

export interface Tenant {
  subnets: Map<string, Subnet>;
  securityGroups: Map<string, SecurityGroup>;
  servers: Map<string, Server>;
  adaptiveIps: Map<string, AdaptiveIp>;
  /** Public addresses the tenant may take (`GET dna/…/ips`), handed out from the twin's loopback pool. */
  freeIps: string[];
}

export const TENANT_MAPS = ['subnets', 'securityGroups', 'servers', 'adaptiveIps'] as const;
