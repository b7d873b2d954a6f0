/**
 * GCE's part of VM isolation: an instance joins its network's bridge; its inbound firewall is the
 * network's enabled INGRESS rules that target it (no target tags, or one of its tags), by priority
 * (a lower number first), with GCE's implied deny at the end; its outbound one the EGRESS rules
 * (to their destination ranges) by priority, then GCE's implied allow. Source tags mean the internal
 * IPs of the running instances that carry them.
 */
import type { FirewallRule, VmNetPolicy } from '../vm/isolation/policy.js';
import { portRanges, prefixOf } from '../vm/isolation/policy.js';
import type { GceFirewall, GceInstance, GceProject } from './model.js';

function sourcesOf(f: GceFirewall, p: GceProject): string[] | undefined {
  if (f.direction === 'EGRESS') return f.destinationRanges?.length ? f.destinationRanges : undefined;
  if (!f.sourceRanges?.length && !f.sourceTags?.length) return undefined;
  const tagged = (f.sourceTags ?? []).length
    ? [...p.instances.values()].filter((i) => i.network === f.network && i.vm.state === 'running' && i.tags.some((t) => f.sourceTags?.includes(t))).map((i) => i.networkIP)
    : [];
  return [...(f.sourceRanges ?? []), ...tagged];
}

function rulesOf(f: GceFirewall, p: GceProject): FirewallRule[] {
  const sources = sourcesOf(f, p);
  const of = (action: FirewallRule['action']) => (r: { IPProtocol: string; ports?: string[] }): FirewallRule => {
    const ports = portRanges(r.ports);
    return { action, protocol: r.IPProtocol, ...(ports ? { ports } : {}), ...(sources ? { sources } : {}) };
  };
  return [...(f.denied ?? []).map(of('drop')), ...(f.allowed ?? []).map(of('accept'))];
}

function targets(f: GceFirewall, i: GceInstance, direction: GceFirewall['direction']): boolean {
  return f.network === i.network && f.direction === direction && !f.disabled && (!f.targetTags?.length || f.targetTags.some((t) => i.tags.includes(t)));
}

/** The rules of one direction that apply to `inst`; a deny wins over an allow of the same priority, as on GCE. */
function ordered(p: GceProject, inst: GceInstance, direction: GceFirewall['direction']): FirewallRule[] {
  const rules = [...p.firewalls.values()].filter((f) => targets(f, inst, direction)).sort((a, b) => a.priority - b.priority || Number(!!b.denied) - Number(!!a.denied));
  return rules.flatMap((f) => rulesOf(f, p));
}

export function gceVmPolicy(projects: GceProject[], vmId: string): VmNetPolicy | undefined {
  for (const p of projects) {
    const inst = [...p.instances.values()].find((i) => i.vm.id === vmId);
    if (!inst) continue;
    const prefixLength = prefixOf(p.subnetworks.get(`${inst.region}/${inst.subnetwork}`)?.ipCidrRange);
    return {
      network: `gcp:${p.id}:${inst.network}`,
      privateIp: inst.networkIP,
      ...(prefixLength !== undefined ? { prefixLength } : {}),
      hostname: inst.name,
      layers: [ordered(p, inst, 'INGRESS')],
      // GCE's implied allow-all egress comes last.
      egress: [[...ordered(p, inst, 'EGRESS'), { action: 'accept', protocol: 'all' }]],
    };
  }
  return undefined;
}
