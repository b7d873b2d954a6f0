/**
 * Cloudit's part of VM isolation: a server joins its subnet's bridge, and its inbound firewall is
 * the inbound rules of its IAM security groups (allow-only; port `0` means every port).
 */
import type { FirewallRule, VmNetPolicy } from '../vm/isolation/policy.js';
import { portRanges } from '../vm/isolation/policy.js';
import type { SecurityRule, Tenant } from './model.js';

function ruleOf(r: SecurityRule): FirewallRule {
  const protocol = r.protocol.toLowerCase();
  const ports = r.port === '0' || !(protocol === 'tcp' || protocol === 'udp') ? undefined : portRanges([r.port]);
  return { action: 'accept', protocol, ...(ports ? { ports } : {}), sources: [r.target] };
}

export function clouditVmPolicy(tenant: Tenant, vmId: string): VmNetPolicy | undefined {
  const server = [...tenant.servers.values()].find((s) => s.vm.id === vmId);
  if (!server) return undefined;
  const subnet = [...tenant.subnets.values()].find((s) => s.addr === server.subnetAddr);
  const rules = server.secgroups.flatMap((id) => tenant.securityGroups.get(id)?.rules ?? []);
  const prefixLength = Number(subnet?.prefix);
  return {
    network: `cloudit:${server.subnetAddr}`,
    privateIp: server.privateIp,
    ...(Number.isInteger(prefixLength) && prefixLength > 0 ? { prefixLength } : {}),
    hostname: server.hostName || server.name,
    layers: [rules.filter((r) => r.type === 'inbound').map(ruleOf)],
    // Cloudit's groups hold outbound rules too, but a group with none lets everything out.
    ...(rules.some((r) => r.type === 'outbound') ? { egress: [rules.filter((r) => r.type === 'outbound').map(ruleOf)] } : {}),
  };
}
