/**
 * Alibaba's part of VM isolation: an ECS instance joins its VPC's bridge, and its inbound firewall
 * is the ingress rules of all its security groups in one layer, ordered as ECS decides them: by
 * Priority (1 first), a Drop before an Accept of the same priority. Instances that share a group
 * reach each other first (the group's InnerAccessPolicy, Accept in the twin).
 */
import type { FirewallRule, VmNetPolicy } from '../vm/isolation/policy.js';
import { prefixOf } from '../vm/isolation/policy.js';
import type { EcsInstance, EcsPermission, EcsRegion } from './model.js';

/** `22/22`, `8000/8080` → a range; `-1/-1` or `1/65535` → every port. */
function portsOf(range: string): Array<[number, number]> | undefined {
  const [from = -1, to = -1] = range.split('/').map(Number);
  return from <= 1 && (to === -1 || to >= 65535) ? undefined : [[from, to]];
}

function ruleOf(p: EcsPermission): FirewallRule {
  const protocol = p.IpProtocol.toLowerCase();
  const ports = protocol === 'tcp' || protocol === 'udp' ? portsOf(p.PortRange) : undefined;
  return { action: p.Policy === 'Drop' ? 'drop' : 'accept', protocol, ...(ports ? { ports } : {}), sources: [p.SourceCidrIp] };
}

/** Lower Priority first; at one priority Drop wins. */
function precedence(a: EcsPermission, b: EcsPermission): number {
  return Number(a.Priority) - Number(b.Priority) || (a.Policy === 'Drop' ? 0 : 1) - (b.Policy === 'Drop' ? 0 : 1);
}

function peersOf(inst: EcsInstance, region: EcsRegion): string[] {
  return [...region.instances.values()].filter((i) => i.state === 'running' && i.securityGroupIds.some((g) => inst.securityGroupIds.includes(g))).map((i) => i.privateIp);
}

export function ecsVmPolicy(regions: EcsRegion[], vmId: string): VmNetPolicy | undefined {
  for (const region of regions) {
    const inst = region.instances.get(vmId);
    if (!inst) continue;
    const permissions = inst.securityGroupIds.flatMap((g) => region.securityGroups.get(g)?.permissions.filter((p) => p.Direction === 'ingress') ?? []);
    const inner: FirewallRule = { action: 'accept', protocol: 'all', sources: peersOf(inst, region) };
    const prefixLength = prefixOf(region.vSwitches.get(inst.vSwitchId)?.cidr);
    return {
      network: `alibaba:${region.id}:${inst.vpcId}`,
      privateIp: inst.privateIp,
      ...(prefixLength !== undefined ? { prefixLength } : {}),
      hostname: inst.hostName || inst.name,
      layers: [[inner, ...permissions.sort(precedence).map(ruleOf)]],
    };
  }
  return undefined;
}
