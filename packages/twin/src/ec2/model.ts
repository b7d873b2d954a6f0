/** The twin's EC2 resources as stored (and snapshotted to state.json). */
import type { Tables } from '../region-tables.js';

export interface Tag {
  key: string;
  value: string;
}

interface Resource {
  id: string;
  /** Creation order, global and monotonic: the sort key for listings and NextToken. */
  seq: number;
  tags: Tag[];
}

export interface Vpc extends Resource {
  cidr: string;
  cidrAssociationId: string;
  isDefault: boolean;
  dhcpOptionsId: string;
  /** EC2 turns DNS hostnames on for default VPCs only. */
  dnsHostnames: boolean;
}

export interface Subnet extends Resource {
  vpcId: string;
  cidr: string;
  az: string;
  azId: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  /** Where the next private IP search starts (offset in the CIDR). */
  nextIpOffset: number;
}

export interface InternetGateway extends Resource {
  vpcId?: string;
}

export interface Route {
  destination: string;
  /** `local` for the VPC's own route, else an internet gateway id. */
  gatewayId: string;
  origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface RouteTableAssociation {
  id: string;
  main: boolean;
  subnetId?: string;
}

export interface RouteTable extends Resource {
  vpcId: string;
  routes: Route[];
  associations: RouteTableAssociation[];
}

export interface SgRule {
  id: string;
  egress: boolean;
  /** `tcp`, `udp`, `icmp`, `-1` (all) or a protocol number. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  groupId?: string;
  description?: string;
}

export interface SecurityGroup extends Resource {
  name: string;
  description: string;
  vpcId: string;
  rules: SgRule[];
}

export interface KeyPair extends Resource {
  name: string;
  keyType: 'rsa' | 'ed25519';
  fingerprint: string;
  /** The OpenSSH public key line as imported. */
  publicKey: string;
  createTime: number;
}

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Volume {
  id: string;
  deviceName: string;
  sizeGiB: number;
  volumeType: string;
  deleteOnTermination: boolean;
  attachTime: number;
  tags: Tag[];
}

export interface NetworkInterface {
  id: string;
  attachmentId: string;
  macAddress: string;
  attachTime: number;
  tags: Tag[];
}

export interface Instance extends Resource {
  reservationId: string;
  imageId: string;
  instanceType: string;
  architecture: string;
  keyName?: string;
  /** The key pair's public key at launch: what the VM's SSH server accepts. */
  authorizedKey?: string;
  sshUser: string;
  hostKey: { privateKey: string; publicKey: string };
  launchIndex: number;
  launchTime: number;
  az: string;
  subnetId: string;
  vpcId: string;
  privateIp: string;
  assignPublicIp: boolean;
  publicIp?: string;
  groupIds: string[];
  clientToken?: string;
  state: InstanceStateName;
  /** When the current transitional state is due to end (epoch ms). */
  dueAt?: number;
  stateTransitionReason: string;
  stateReason?: { code: string; message: string };
  terminatedAt?: number;
  eni: NetworkInterface;
  volumes: Volume[];
}

export interface ClientTokenRecord {
  fingerprint: string;
  reservationId: string;
  instanceIds: string[];
  createdAt: number;
}

/** A region's resources by kind (each kept in a Map by id: Tables). */
export interface Ec2Resources {
  vpcs: Vpc;
  subnets: Subnet;
  internetGateways: InternetGateway;
  routeTables: RouteTable;
  securityGroups: SecurityGroup;
  keyPairs: KeyPair;
  instances: Instance;
  clientTokens: ClientTokenRecord;
}

export const EC2_KINDS: readonly (keyof Ec2Resources)[] = ['vpcs', 'subnets', 'internetGateways', 'routeTables', 'securityGroups', 'keyPairs', 'instances', 'clientTokens'];

/** Everything the twin holds for one region. */
export interface RegionData extends Tables<Ec2Resources> {
  name: string;
  defaultVpcId?: string;
}

/** The twin's AWS account id (the one AWS documentation uses in examples). */
export const ACCOUNT_ID = '123456789012';
