/**
 * OpenStack's part of VM isolation: a server joins its port's network bridge, and its inbound and
 * outbound firewalls are the IPv4 ingress and egress rules of the port's Neutron security groups
 * (allow-only; no protocol means any; a remote group means the fixed IPs of the ports in that group).
 */
import type { FirewallRule, VmNetPolicy } from '../vm/isolation/policy.js';
import { prefixOf } from '../vm/isolation/policy.js';
import type { RegionData, SecurityGroupRule } from './model.js';

/** Neutron takes protocol names or IP protocol numbers. */
const NUMBERED: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp' };

function sourcesOf(r: SecurityGroupRule, region: RegionData): string[] | undefined {
  if (r.remote_ip_prefix) return [r.remote_ip_prefix];
  if (!r.remote_group_id) return undefined;
  const group = r.remote_group_id;
  return [...region.ports.values()].filter((p) => p.security_groups.includes(group) && p.device_owner === 'compute:nova').flatMap((p) => p.fixed_ips.map((f) => f.ip_address));
}

function ruleOf(r: SecurityGroupRule, region: RegionData): FirewallRule {
  const protocol = r.protocol === null || r.protocol === 'any' ? 'all' : (NUMBERED[r.protocol] ?? r.protocol);
  const ports: Array<[number, number]> | undefined = r.port_range_min !== null && (protocol === 'tcp' || protocol === 'udp') ? [[r.port_range_min, r.port_range_max ?? r.port_range_min]] : undefined;
  const sources = sourcesOf(r, region);
  return { action: 'accept', protocol, ...(ports ? { ports } : {}), ...(sources ? { sources } : {}) };
}

export function openstackVmPolicy(regions: RegionData[], vmId: string): VmNetPolicy | undefined {
  for (const region of regions) {
    const server = [...region.servers.values()].find((v) => v.vm.id === vmId);
    if (!server) continue;
    const port = [...region.ports.values()].find((p) => p.device_id === server.id);
    const fixed = port?.fixed_ips[0];
    const groups = port?.security_groups ?? [];
    const rules = [...region.rules.values()].filter((r) => groups.includes(r.security_group_id) && r.ethertype === 'IPv4');
    const of = (direction: SecurityGroupRule['direction']) => rules.filter((r) => r.direction === direction).map((r) => ruleOf(r, region));
    const prefixLength = prefixOf(fixed ? region.subnets.get(fixed.subnet_id)?.cidr : undefined);
    return {
      network: `openstack:${region.name}:${port?.network_id ?? 'none'}`,
      ...(fixed ? { privateIp: fixed.ip_address } : {}),
      ...(prefixLength !== undefined ? { prefixLength } : {}),
      hostname: server.name,
      // A port without groups has port security off in the twin: open, as Neutron leaves it.
      layers: groups.length === 0 ? [] : [of('ingress')],
      ...(groups.length === 0 ? {} : { egress: [of('egress')] }),
    };
  }
  return undefined;
}
