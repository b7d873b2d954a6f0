/**
 * EC2's part of VM isolation: an instance joins its VPC's bridge, its inbound firewall is the
 * union of its security groups' ingress rules and its outbound one that of their egress rules
 * (allow-only; a group as source or destination means the private IPs of the running instances in
 * that group).
 */
import type { FirewallRule, VmNetPolicy } from '../vm/isolation/policy.js';
import { prefixOf } from '../vm/isolation/policy.js';
import type { Instance, RegionData, SgRule } from './model.js';

function sourcesOf(r: SgRule, region: RegionData): string[] {
  if (r.cidrIpv4) return [r.cidrIpv4];
  if (!r.groupId) return [];
  return [...region.instances.values()].filter((i) => i.groupIds.includes(r.groupId ?? '') && i.state === 'running').map((i) => i.privateIp);
}

function ruleOf(r: SgRule, region: RegionData): FirewallRule {
  const protocol = r.protocol === '-1' ? 'all' : r.protocol;
  const allPorts = r.fromPort === undefined || r.fromPort === -1 || protocol === 'all';
  return { action: 'accept', protocol, ...(allPorts ? {} : { ports: [[r.fromPort ?? 0, r.toPort ?? r.fromPort ?? 0]] }), sources: sourcesOf(r, region) };
}

export function ec2VmPolicy(regions: RegionData[], vmId: string): VmNetPolicy | undefined {
  for (const region of regions) {
    const inst: Instance | undefined = region.instances.get(vmId);
    if (!inst) continue;
    const rules = inst.groupIds.flatMap((g) => region.securityGroups.get(g)?.rules ?? []);
    const name = inst.tags.find((t) => t.key === 'Name')?.value;
    const prefixLength = prefixOf(region.subnets.get(inst.subnetId)?.cidr);
    return {
      network: `aws:${region.name}:${inst.vpcId}`,
      privateIp: inst.privateIp,
      ...(prefixLength !== undefined ? { prefixLength } : {}),
      hostname: name ?? `ip-${inst.privateIp.replace(/\./g, '-')}`,
      layers: [rules.filter((r) => !r.egress).map((r) => ruleOf(r, region))],
      egress: [rules.filter((r) => r.egress).map((r) => ruleOf(r, region))],
    };
  }
  return undefined;
}
