/** The twin's ARM resources as stored (and snapshotted). Names keep the case they were created with. */
import type { BackedVm } from '../vm/lifecycle.js';

export type Tags = Record<string, string>;

export interface Tracked {
  /** Creation order: the listing order and paging position. */
  seq: number;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Tags;
  /** A GUID, as ARM gives every network resource (resourceGuid) and VM (vmId). */
  guid: string;
}

export interface ResourceGroup {
  seq: number;
  name: string;
  location: string;
  tags: Tags;
  deleting: boolean;
}

export interface Subnet {
  name: string;
  addressPrefix: string;
  nsgId?: string;
}

export interface VirtualNetwork extends Tracked {
  addressPrefixes: string[];
  subnets: Subnet[];
}

export interface SecurityRule {
  name: string;
  protocol: string;
  sourcePortRange: string;
  destinationPortRange: string;
  sourceAddressPrefix: string;
  destinationAddressPrefix: string;
  /** The plural forms replace the singular ones (which Azure then leaves out). */
  sourceAddressPrefixes?: string[];
  destinationAddressPrefixes?: string[];
  destinationPortRanges?: string[];
  access: 'Allow' | 'Deny';
  priority: number;
  direction: 'Inbound' | 'Outbound';
  description?: string;
}

export interface NetworkSecurityGroup extends Tracked {
  rules: SecurityRule[];
}

export interface PublicIp extends Tracked {
  sku: 'Basic' | 'Standard';
  allocation: 'Static' | 'Dynamic';
  ipAddress?: string;
  zones?: string[];
}

export interface IpConfiguration {
  name: string;
  subnetId: string;
  privateIp: string;
  publicIpId?: string;
  primary: boolean;
}

export interface NetworkInterface extends Tracked {
  ipConfigurations: IpConfiguration[];
  nsgId?: string;
  macAddress: string;
  /** The VM it is attached to. */
  vmId?: string;
}

export interface Disk extends Tracked {
  sizeGb: number;
  sku: string;
  zones?: string[];
  managedBy?: string;
  image: string;
}

export type DeleteOption = 'Delete' | 'Detach';

export interface VmNic {
  id: string;
  primary: boolean;
  deleteOption: DeleteOption;
}

export interface VirtualMachine extends Tracked {
  zones?: string[];
  vmSize: string;
  image: { publisher: string; offer: string; sku: string; version: string; exactVersion: string };
  osDisk: { name: string; id: string; sizeGb: number; storageAccountType: string; caching: string; deleteOption: DeleteOption };
  osProfile: { computerName: string; adminUsername: string; disablePasswordAuthentication: boolean; publicKeys: { path: string; keyData: string }[] };
  nics: VmNic[];
  timeCreated: string;
  /** The lifecycle's record: power state, public IP, SSH server. */
  power: BackedVm;
  /** Whether the last stop was a deallocate (Azure bills a merely stopped VM). */
  deallocated: boolean;
  /** The last operation asked: create until the first boot ends, then start/stop/… */
  lastOp: 'create' | 'start' | 'stop' | 'restart' | 'delete' | 'update';
  deleting: boolean;
  /** Provisioning failed (AllocationFailed…): the VM exists but never ran. */
  failed?: { code: string; message: string };
}

export type OperationKind = 'done' | 'vm-running' | 'vm-stopped' | 'vm-restart' | 'vm-deleted' | 'rg-deleted';

/** A long-running operation; its status is worked out from the resource it is about. */
export interface AsyncOperation {
  id: string;
  subscription: string;
  kind: OperationKind;
  /** The resource's ARM id (lower-cased) or the resource group's name. */
  target: string;
  startTime: number;
  /** For operations that take a fixed time (restart). */
  dueAt?: number;
  error?: { code: string; message: string };
  /** Set once a terminal status was first reported, so it stays put. */
  endTime?: number;
  endStatus?: 'Succeeded' | 'Failed';
}

/** The resources a subscription holds, by the name of the map that holds each type. */
interface Resources {
  vnets: VirtualNetwork;
  nsgs: NetworkSecurityGroup;
  pips: PublicIp;
  nics: NetworkInterface;
  disks: Disk;
  vms: VirtualMachine;
}

export const RESOURCE_MAPS = ['vnets', 'nsgs', 'pips', 'nics', 'disks', 'vms'] as const satisfies ReadonlyArray<keyof Resources>;
export type ResourceMap = (typeof RESOURCE_MAPS)[number];

/** Everything one subscription holds; maps are keyed by lower-cased ARM id (or group name). */
export type SubscriptionData = {
  id: string;
  groups: Map<string, ResourceGroup>;
} & { [K in ResourceMap]: Map<string, Resources[K]> };

export const TYPES: Record<ResourceMap, string> = {
  vnets: 'Microsoft.Network/virtualNetworks',
  nsgs: 'Microsoft.Network/networkSecurityGroups',
  pips: 'Microsoft.Network/publicIPAddresses',
  nics: 'Microsoft.Network/networkInterfaces',
  disks: 'Microsoft.Compute/disks',
  vms: 'Microsoft.Compute/virtualMachines',
};

export function resourceId(sub: string, rg: string, type: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;
}

export function idOf(sub: string, map: ResourceMap, r: { resourceGroup: string; name: string }): string {
  return resourceId(sub, r.resourceGroup, TYPES[map], r.name);
}

/** Parses an ARM resource id into its group, type and name (and child segments). */
export function parseId(id: string): { subscription: string; resourceGroup: string; type: string; name: string; child?: { type: string; name: string } } | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?\/?$/i.exec(id);
  if (!m) return undefined;
  return {
    subscription: m[1] ?? '',
    resourceGroup: m[2] ?? '',
    type: m[3] ?? '',
    name: m[4] ?? '',
    ...(m[5] && m[6] ? { child: { type: m[5], name: m[6] } } : {}),
  };
}
