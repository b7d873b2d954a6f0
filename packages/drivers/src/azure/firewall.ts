/**
 * Cluster port openings on the connection's NSG: one inbound Allow rule per protocol of a rule set,
 * named from the protocol and a hash of its ports, with `destinationPortRanges` = the ports and
 * `sourceAddressPrefixes` = the nodes allowed in. Opening adds the missing sources (createOrUpdate,
 * keeping the rule's priority); closing removes the given ones and deletes the rule when none is
 * left. Repeating either call is harmless, and clusters sharing an NSG and a rule set share a rule
 * without closing each other's nodes. New rules take the lowest free priority in 900-999: below the
 * SSH rule's 1000, and never one another's (Azure refuses equal priorities in one direction).
 */
import { createHash } from 'node:crypto';
import type { SecurityRule } from '@azure/arm-network';
import type { DefaultNetwork, IngressRule, NetworkApi } from '@cloud-barista/core/driver/port';
import { OperationError } from '@cloud-barista/core/errors';
import { az, type AzureContext, lro } from './context.js';
import { parseArmId } from './names.js';
import { gone, orNone } from './network.js';

type Req = { rules: IngressRule[]; sources: string[] };
const FIRST_PRIORITY = 900;
const LAST_PRIORITY = 999;

const portsOf = (r: IngressRule) => (r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`);

/** One wanted rule per protocol: its name, protocol and sorted port ranges. */
export function ruleSets(rules: IngressRule[]): { name: string; protocol: 'Tcp' | 'Udp'; ports: string[]; description: string }[] {
  const by = new Map<string, IngressRule[]>();
  for (const r of rules) by.set(r.protocol, [...(by.get(r.protocol) ?? []), r]);
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([proto, rs]) => {
    const ports = [...new Set(rs.map(portsOf))].sort();
    const hash = createHash('sha256').update(`${proto}:${ports.join(',')}`).digest('hex').slice(0, 8);
    return {
      name: `cb-k8s-${proto}-${hash}`,
      protocol: proto === 'udp' ? 'Udp' : 'Tcp',
      ports,
      description: `Cloud-Barista k8s: ${rs.map((r) => r.description).join(', ')}`.slice(0, 140),
    };
  });
}

export function createFirewall(ctx: AzureContext): Pick<NetworkApi, 'allowIngress' | 'revokeIngress'> {
  const { network } = ctx.clients;

  function nsgOf(net: DefaultNetwork): { group: string; nsg: string } {
    const id = parseArmId(net.securityGroupId);
    if (!id) throw new OperationError(`not an Azure network security group id: ${net.securityGroupId}`);
    return { group: id.resourceGroup, nsg: id.name };
  }

  const put = (group: string, nsg: string, name: string, rule: SecurityRule) =>
    az(ctx, () => network.securityRules.beginCreateOrUpdateAndWait(group, nsg, name, rule, lro(ctx)));

  return {
    async allowIngress(net: DefaultNetwork, req: Req): Promise<void> {
      if (req.rules.length === 0 || req.sources.length === 0) return;
      const { group, nsg } = nsgOf(net);
      const found = await az(ctx, () => network.networkSecurityGroups.get(group, nsg));
      const rules = found.securityRules ?? [];
      const taken = new Set(rules.filter((r) => r.direction === 'Inbound').map((r) => r.priority));
      for (const want of ruleSets(req.rules)) {
        const have = rules.find((r) => r.name === want.name);
        const prefixes = have?.sourceAddressPrefixes ?? [];
        const missing = req.sources.filter((s) => !prefixes.includes(s));
        if (have && missing.length === 0) continue;
        let priority = have?.priority;
        if (priority === undefined) {
          priority = FIRST_PRIORITY;
          while (taken.has(priority) && priority <= LAST_PRIORITY) priority++;
          if (priority > LAST_PRIORITY) throw new OperationError(`no free priority in ${FIRST_PRIORITY}-${LAST_PRIORITY} on network security group ${nsg}`);
          taken.add(priority);
        }
        await put(group, nsg, want.name, {
          protocol: want.protocol,
          sourcePortRange: '*',
          sourceAddressPrefixes: [...new Set([...prefixes, ...missing])].sort(),
          destinationAddressPrefix: '*',
          destinationPortRanges: want.ports,
          access: 'Allow',
          priority,
          direction: 'Inbound',
          description: want.description,
        });
      }
    },

    async revokeIngress(net: DefaultNetwork, req: Req): Promise<void> {
      if (req.rules.length === 0) return;
      const { group, nsg } = nsgOf(net);
      const found = await orNone(az(ctx, () => network.networkSecurityGroups.get(group, nsg)));
      if (!found) return;
      for (const want of ruleSets(req.rules)) {
        const have = found.securityRules?.find((r) => r.name === want.name);
        if (!have) continue;
        const prefixes = have.sourceAddressPrefixes ?? [];
        const left = prefixes.filter((s) => !req.sources.includes(s));
        if (left.length === prefixes.length && prefixes.length > 0) continue;
        if (left.length === 0) await gone(az(ctx, () => network.securityRules.beginDeleteAndWait(group, nsg, want.name, lro(ctx))));
        else await put(group, nsg, want.name, { ...have, sourceAddressPrefixes: left });
      }
    },
  };
}
