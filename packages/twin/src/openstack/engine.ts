/**
 * The OpenStack engine: per region the project's resources (./model.ts), the external network
 * floating IPs come from, and the bridge to the shared VM lifecycle. A floating IP is a loopback
 * address of the twin's pool; associating it with a server's port brings that server's SSH server
 * up there, as a floating IP makes a real server reachable.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EngineBase, type EngineHooks } from '../engine-base.js';
import { intToIp, ipToInt, parseCidr } from '../ec2/cidr.js';
import type { LoopbackIps } from '../vm/ips.js';
import type { AddressBacking, VmBacking } from '../vm/lifecycle.js';
import { OPENSTACK_REGIONS } from './catalog.js';
import { OsError } from './errors.js';
import { floatingAddressOf, OPENSTACK_KINDS, type Network, type OpenStackResources, type Port, type RegionData, type Stamped, type Subnet } from './model.js';
import { newTables, tableEntries, tablesFrom, type TableEntries } from '../region-tables.js';

export type OpenStackLifecycle = VmBacking & AddressBacking;

export interface OpenStackEngineOptions extends EngineHooks<OpenStackLifecycle> {
  ips: LoopbackIps;
  bootDelayMs: number;
  /** Nova's `instances` quota per region (default 100). */
  instanceQuota?: number;
}

export interface OpenStackSnapshot {
  seq: number;
  regions: Record<string, TableEntries<OpenStackResources>>;
}

/** The external network every region has, as DevStack names it; its subnet is the twin's loopback pool. */
export const PUBLIC_NETWORK = 'public';

export class OpenStackEngine extends EngineBase<OpenStackLifecycle> {
  private readonly regions = new Map<string, RegionData>();

  constructor(readonly o: OpenStackEngineOptions) {
    super(o);
  }

  get bootDelayMs(): number {
    return this.o.bootDelayMs;
  }

  get instanceQuota(): number {
    return this.o.instanceQuota ?? 100;
  }

  /** Floating IPs and router gateways: the API fixes them, so only addresses this machine can serve. */
  allocatePublicIp(): string {
    return this.o.ips.allocateFree();
  }

  iso(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  /** Fresh id and timestamps for a new resource. */
  stamp(): Stamped {
    const at = this.iso();
    return { id: randomUUID(), created_at: at, updated_at: at, seq: this.nextSeq() };
  }

  region(name: string): RegionData {
    let r = this.regions.get(name);
    if (!r) {
      r = { name, ...newTables<OpenStackResources>(OPENSTACK_KINDS) };
      this.regions.set(name, r);
      this.seed(r);
    }
    return r;
  }

  allRegions(): RegionData[] {
    return OPENSTACK_REGIONS.map((r) => this.region(r.name));
  }

  /** What an operator set up before users came: the external network and the project's default group. */
  private seed(r: RegionData): void {
    const net: Network = { ...this.stamp(), name: PUBLIC_NETWORK, description: '', external: true, mtu: 1500, tags: [] };
    r.networks.set(net.id, net);
    const sub: Subnet = { ...this.stamp(), name: 'public-subnet', description: '', network_id: net.id, cidr: '127.0.0.0/8', gateway_ip: '127.0.0.1', used: 0, tags: [] };
    r.subnets.set(sub.id, sub);
    const sg = { ...this.stamp(), name: 'default', description: 'Default security group', tags: [] };
    r.securityGroups.set(sg.id, sg);
    for (const ethertype of ['IPv4', 'IPv6'] as const) {
      for (const direction of ['ingress', 'egress'] as const) {
        const rule = { ...this.stamp(), security_group_id: sg.id, direction, ethertype, protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: direction === 'ingress' ? sg.id : null, description: '' };
        r.rules.set(rule.id, rule);
      }
    }
  }

  externalNetwork(r: RegionData): Network {
    return [...r.networks.values()].find((n) => n.external)!;
  }

  /** The next free address of a tenant subnet (.1 is the gateway). */
  allocateFixedIp(subnet: Subnet): string {
    const c = parseCidr(subnet.cidr)!;
    const n = subnet.used + 2;
    if (n >= 2 ** (32 - c.prefix) - 1) throw new OsError('network', 409, `No more IP addresses available on network ${subnet.network_id}.`, 'IpAddressGenerationFailure');
    subnet.used++;
    return intToIp(c.base + n);
  }

  newPort(r: RegionData, net: Network, o: { device_id?: string; device_owner?: string; name?: string; security_groups?: string[]; ip?: { subnet: Subnet; address?: string } }): Port {
    const subnet = o.ip?.subnet ?? [...r.subnets.values()].find((s) => s.network_id === net.id);
    const mac = `fa:16:3e:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`;
    const port: Port = {
      ...this.stamp(),
      name: o.name ?? '',
      network_id: net.id,
      mac_address: mac,
      fixed_ips: subnet ? [{ subnet_id: subnet.id, ip_address: o.ip?.address ?? (net.external ? this.allocatePublicIp() : this.allocateFixedIp(subnet)) }] : [],
      device_id: o.device_id ?? '',
      device_owner: o.device_owner ?? '',
      security_groups: o.security_groups ?? (net.external || o.device_owner?.startsWith('network:') ? [] : [this.defaultGroup(r)]),
      tags: [],
    };
    r.ports.set(port.id, port);
    return port;
  }

  defaultGroup(r: RegionData): string {
    return [...r.securityGroups.values()].find((g) => g.name === 'default')!.id;
  }

  /** The server's SSH now answers on its floating IP (or stops answering once it has none). */
  addressChanged(r: RegionData, serverId: string): void {
    const server = r.servers.get(serverId);
    if (!server || server.deleting) return;
    const address = floatingAddressOf(r, serverId);
    if (address === server.vm.publicIp) return;
    if (address) {
      server.vm.publicIp = address;
      server.vm.assignPublicIp = true;
      this.lifecycle.attachAddress(server.vm);
    } else {
      server.vm.assignPublicIp = false;
      this.lifecycle.detachAddress(server.vm);
    }
  }

  /**
   * Finishes what the lifecycle finished: a server that was deleted and has shut down goes, with
   * the ports Nova made for it (their floating IPs stay, unassociated, as in Neutron).
   */
  settle(): void {
    let changed = false;
    for (const r of this.regions.values()) {
      for (const [id, s] of r.servers) {
        if (s.vm.state === 'running' && !s.built) {
          s.built = true;
          changed = true;
        }
        if (!s.deleting || (s.vm.state !== 'terminated' && !s.fault)) continue;
        r.servers.delete(id);
        this.dropServerPorts(r, id);
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  dropServerPorts(r: RegionData, serverId: string): void {
    for (const [pid, p] of r.ports) {
      if (p.device_id !== serverId || p.device_owner !== 'compute:nova') continue;
      r.ports.delete(pid);
      for (const f of r.floatingIps.values()) {
        if (f.port_id === pid) {
          f.port_id = null;
          f.fixed_ip_address = null;
          f.router_id = null;
        }
      }
    }
  }

  /** Servers by status, for the twin's status. */
  serverCounts(): Record<string, number> {
    this.settle();
    const out: Record<string, number> = {};
    for (const r of this.regions.values()) for (const s of r.servers.values()) out[s.vm.state] = (out[s.vm.state] ?? 0) + 1;
    return out;
  }

  snapshot(): OpenStackSnapshot {
    const regions: OpenStackSnapshot['regions'] = {};
    for (const r of this.regions.values()) {
      regions[r.name] = tableEntries<OpenStackResources>(r, OPENSTACK_KINDS);
    }
    return { seq: this.seq, regions };
  }

  restore(snap: OpenStackSnapshot): void {
    this.seq = snap.seq;
    for (const [name, entry] of Object.entries(snap.regions)) {
      this.regions.set(name, { name, ...tablesFrom<OpenStackResources>(entry, OPENSTACK_KINDS) });
    }
    const vms = this.allRegions().flatMap((r) => [...r.servers.values()].filter((s) => !s.fault).map((s) => s.vm));
    this.lifecycle.resume({ instances: new Map(vms.map((v) => [v.id, v])) });
  }
}

/** Whether `ip` lies in the subnet's CIDR. */
export function inSubnet(subnet: Subnet, ip: string): boolean {
  const c = parseCidr(subnet.cidr);
  const n = ipToInt(ip);
  return c !== undefined && n !== undefined && n >= c.base && n < c.base + 2 ** (32 - c.prefix);
}
