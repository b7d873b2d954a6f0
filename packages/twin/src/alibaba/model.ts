/** ECS resources as the twin keeps them, per region of the one twin account. */
import type { BackedVm } from '../vm/lifecycle.js';

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

export interface EcsRegion {
  id: string;
  vpcs: Map<string, EcsVpc>;
  vSwitches: Map<string, EcsVSwitch>;
  securityGroups: Map<string, EcsSecurityGroup>;
  keyPairs: Map<string, EcsKeyPair>;
  instances: Map<string, EcsInstance>;
  /** ClientToken → what the first request with it answered (ids of what it made). */
  clientTokens: Map<string, { action: string; ids: string[]; fingerprint: string }>;
}

export function newEcsRegion(id: string): EcsRegion {
  return { id, vpcs: new Map(), vSwitches: new Map(), securityGroups: new Map(), keyPairs: new Map(), instances: new Map(), clientTokens: new Map() };
}
