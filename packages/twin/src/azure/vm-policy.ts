/**
 * Azure's part of VM isolation: a VM joins its primary NIC's VNet bridge; its inbound firewall has
 * one layer per NSG in its path (the subnet's, then the NIC's; traffic must pass both, as on Azure),
 * each the NSG's Inbound rules and Azure's default ones by priority; its outbound firewall the same
 * of the Outbound rules (NIC's NSG first). No NSG: all open, as on Azure.
 * Service tags: `*` and `Internet` mean anywhere, `VirtualNetwork` the VNet's address space.
 */
import type { FirewallRule, VmNetPolicy } from '../vm/isolation/policy.js';
import { portRanges, prefixOf } from '../vm/isolation/policy.js';
import type { NetworkSecurityGroup, SecurityRule, SubscriptionData, VirtualNetwork } from './model.js';
import { DEFAULT_RULES } from './security-groups.js';

type Direction = SecurityRule['direction'];

/** The other end of the traffic: the source of inbound rules, the destination of outbound ones. */
function peersOf(r: SecurityRule, vnet: VirtualNetwork | undefined): string[] | undefined {
  const prefixes = r.direction === 'Outbound'
    ? (r.destinationAddressPrefixes?.length ? r.destinationAddressPrefixes : [r.destinationAddressPrefix])
    : (r.sourceAddressPrefixes?.length ? r.sourceAddressPrefixes : [r.sourceAddressPrefix]);
  if (prefixes.some((p) => p === '*' || p === 'Internet' || p === '0.0.0.0/0')) return undefined;
  return prefixes.flatMap((p) => (p === 'VirtualNetwork' ? (vnet?.addressPrefixes ?? []) : [p]));
}

function layerOf(nsg: NetworkSecurityGroup, vnet: VirtualNetwork | undefined, direction: Direction): FirewallRule[] {
  const rules = [...nsg.rules, ...DEFAULT_RULES].filter((r) => r.direction === direction).sort((a, b) => a.priority - b.priority);
  return rules.map((r): FirewallRule => {
    const ports = portRanges(r.destinationPortRanges?.length ? r.destinationPortRanges : [r.destinationPortRange]);
    const sources = peersOf(r, vnet);
    return { action: r.access === 'Allow' ? 'accept' : 'drop', protocol: r.protocol === '*' ? 'all' : r.protocol, ...(ports ? { ports } : {}), ...(sources ? { sources } : {}) };
  });
}

export function azureVmPolicy(subscriptions: SubscriptionData[], vmId: string): VmNetPolicy | undefined {
  for (const s of subscriptions) {
    const vm = [...s.vms.values()].find((v) => v.power.id === vmId);
    if (!vm) continue;
    const ref = vm.nics.find((n) => n.primary) ?? vm.nics[0];
    const nic = ref ? s.nics.get(ref.id.toLowerCase()) : undefined;
    const ipc = nic?.ipConfigurations.find((c) => c.primary) ?? nic?.ipConfigurations[0];
    const vnetId = ipc?.subnetId.toLowerCase().replace(/\/subnets\/[^/]+$/, '');
    const vnet = vnetId ? s.vnets.get(vnetId) : undefined;
    const subnet = vnet?.subnets.find((sn) => ipc?.subnetId.toLowerCase().endsWith(`/subnets/${sn.name.toLowerCase()}`));
    const nsgs = [subnet?.nsgId, nic?.nsgId].flatMap((id) => (id ? [s.nsgs.get(id.toLowerCase())] : [])).filter((n): n is NetworkSecurityGroup => n !== undefined);
    const prefixLength = prefixOf(subnet?.addressPrefix);
    return {
      network: `azure:${s.id}:${vnetId ?? 'none'}`,
      ...(ipc ? { privateIp: ipc.privateIp } : {}),
      ...(prefixLength !== undefined ? { prefixLength } : {}),
      hostname: vm.name,
      layers: nsgs.map((n) => layerOf(n, vnet, 'Inbound')),
      // Outbound passes the NIC's NSG, then the subnet's.
      ...(nsgs.length ? { egress: [...nsgs].reverse().map((n) => layerOf(n, vnet, 'Outbound')) } : {}),
    };
  }
  return undefined;
}
