/** ECS resources as the twin keeps them, per region of the one twin account. */
import type { BackedVm } from '../vm/lifecycle.js';
import { newTables, type Tables } from '../region-tables.js';

export interface EcsTag {
  TagKey: string;
  TagValue: string;
}

export interface EcsVpc {
  id: string;
  name: string;
  description: string;
  cidr: string;
  vRouterId: string;
  routeTableId: string;
  createdAt: number;
  isDefault: boolean;
}

export interface EcsVSwitch {
  id: string;
  vpcId: string;
  zoneId: string;
  cidr: string;
  name: string;
  description: string;
  createdAt: number;
  /** Host addresses handed out so far (private IPs). */
  nextHost: number;
}

export interface EcsPermission {
  IpProtocol: string;
  PortRange: string;
  SourceCidrIp: string;
  Policy: string;
  Priority: string;
  Description: string;
  Direction: 'ingress';
  CreateTime: string;
}

export interface EcsSecurityGroup {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  createdAt: number;
  tags: EcsTag[];
  permissions: EcsPermission[];
}

export interface EcsKeyPair {
  name: string;
  fingerprint: string;
  publicKey: string;
  createdAt: number;
  tags: EcsTag[];
}

export interface EcsInstance extends BackedVm {
  regionId: string;
  zoneId: string;
  name: string;
  hostName: string;
  description: string;
  instanceType: string;
  imageId: string;
  vpcId: string;
  vSwitchId: string;
  securityGroupIds: string[];
  privateIp: string;
  internetMaxBandwidthOut: number;
  keyPairName?: string;
  tags: EcsTag[];
  createdAt: number;
  startedAt?: number;
  /** Whether it ever reached Running: a booting instance is Pending first, Starting after a stop. */
  everRan: boolean;
  stoppedMode: 'KeepCharging' | 'StopCharging' | 'Not-applicable';
  systemDisk: { category: string; sizeGiB: number };
}

/** A region's resources by kind (each kept in a Map by id: Tables). */
export interface EcsResources {
  vpcs: EcsVpc;
  vSwitches: EcsVSwitch;
  securityGroups: EcsSecurityGroup;
  keyPairs: EcsKeyPair;
  instances: EcsInstance;
  /** ClientToken → what the first request with it answered (ids of what it made). */
  clientTokens: { action: string; ids: string[]; fingerprint: string };
}

export const ECS_KINDS: readonly (keyof EcsResources)[] = ['vpcs', 'vSwitches', 'securityGroups', 'keyPairs', 'instances', 'clientTokens'];

export interface EcsRegion extends Tables<EcsResources> {
  id: string;
}

export function newEcsRegion(id: string): EcsRegion {
  return { id, ...newTables<EcsResources>(ECS_KINDS) };
}
