/**
 * The OpenStack side of the twin, in OpenStack's own model: one project (the twin's), per region
 * the Nova servers and key pairs, Neutron networks, subnets, ports, routers, security groups and
 * floating IPs. Glance images and Nova flavors are fixed data (./catalog.ts). Every resource keeps
 * its fields under OpenStack's names so the views stay thin.
 */
import type { BackedVm } from '../vm/lifecycle.js';
import type { Tables } from '../region-tables.js';
import type { RootVolume } from './boot-volume.js';

export interface Stamped {
  id: string;
  created_at: string;
  updated_at: string;
  /** Creation order: listings are sorted by it. */
  seq: number;
}

export interface Network extends Stamped {
  name: string;
  description: string;
  external: boolean;
  mtu: number;
  tags: string[];
}

export interface Subnet extends Stamped {
  name: string;
  description: string;
  network_id: string;
  cidr: string;
  gateway_ip: string;
  /** Host addresses handed out so far (the gateway is .1, so the first port gets .2 upwards). */
  used: number;
  tags: string[];
}

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

export interface Port extends Stamped {
  name: string;
  network_id: string;
  mac_address: string;
  fixed_ips: FixedIp[];
  device_id: string;
  /** `compute:nova`, `network:router_interface`, `network:router_gateway`, `network:floatingip`, or ''. */
  device_owner: string;
  security_groups: string[];
  tags: string[];
}

export interface Router extends Stamped {
  name: string;
  description: string;
  /** The external network this router reaches out through (its gateway), if set. */
  gateway?: { network_id: string; ip_address: string; subnet_id: string };
  tags: string[];
}

export interface SecurityGroupRule extends Stamped {
  security_group_id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  description: string;
}

export interface SecurityGroup extends Stamped {
  name: string;
  description: string;
  tags: string[];
}

export interface FloatingIp extends Stamped {
  floating_ip_address: string;
  floating_network_id: string;
  port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  description: string;
  tags: string[];
}

export interface KeyPair {
  name: string;
  public_key: string;
  fingerprint: string;
  type: 'ssh' | 'x509';
  created_at: string;
  id: number;
}

/** A Nova server; `vm` is what the shared lifecycle runs (state timers, SSH). */
export interface Server extends Stamped {
  name: string;
  flavor: string;
  image: string;
  key_name: string | null;
  metadata: Record<string, string>;
  tags: string[];
  user_data: string | null;
  availability_zone: string;
  /** Security group names as the request gave them. */
  security_groups: string[];
  /** The volume it boots from (block_device_mapping_v2), when not from its image on the flavor's disk. */
  root_volume?: RootVolume;
  /** Set once the server has been ACTIVE: a later pending is a start from SHUTOFF, not a build. */
  built: boolean;
  /** A reboot in progress ends at this time (status REBOOT until then). */
  rebootUntil?: number;
  /** Why a build failed (status ERROR), as Nova's `fault`. */
  fault?: { code: number; message: string; created: string };
  /** Asked to be deleted: goes from listings once the lifecycle has shut it down. */
  deleting: boolean;
  vm: BackedVm;
}

/** A region's resources by kind (each kept in a Map by id: Tables). */
export interface OpenStackResources {
  networks: Network;
  subnets: Subnet;
  ports: Port;
  routers: Router;
  securityGroups: SecurityGroup;
  rules: SecurityGroupRule;
  floatingIps: FloatingIp;
  keypairs: KeyPair;
  servers: Server;
}

export const OPENSTACK_KINDS: readonly (keyof OpenStackResources)[] = ['networks', 'subnets', 'ports', 'routers', 'securityGroups', 'rules', 'floatingIps', 'keypairs', 'servers'];

export interface RegionData extends Tables<OpenStackResources> {
  name: string;
}

/** The address of a server's first port with a floating IP, if any. */
export function floatingAddressOf(region: RegionData, serverId: string): string | undefined {
  const ports = new Set([...region.ports.values()].filter((p) => p.device_id === serverId).map((p) => p.id));
  return [...region.floatingIps.values()].find((f) => f.port_id !== null && ports.has(f.port_id))?.floating_ip_address;
}
