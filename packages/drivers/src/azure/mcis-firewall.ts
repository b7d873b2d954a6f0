/**
 * The MCIS firewall on Azure. The connection's NSG sits on the subnet and gates every VM's traffic
 * (an NSG on the NIC would only add a second gate the subnet's still closes), so the MCIS rules go
 * into that NSG with `destinationAddressPrefixes` = the MCIS's VMs' private IPs, kept in sync as
 * VMs come and go. One inbound Allow rule per protocol and port range (sources as
 * `sourceAddressPrefixes`), named `<prefix>-<proto>-<ports>`; when the rules do not open SSH to
 * 0.0.0.0/0, a Deny of tcp:22 to those VMs comes before the default SSH rule (1000). Allows take
 * free priorities in 400-849, the deny 850-899: before the k8s rules (900-999) and SSH (1000).
 */
import { createHash } from 'node:crypto';
import type { SecurityRule } from '@azure/arm-network';
import type { DefaultNetwork, FirewallApi, FirewallRule } from '@cloud-barista/core/driver/port';
import { OperationError } from '@cloud-barista/core/errors';
import { az, type AzureContext, lro } from './context.js';
import { parseArmId } from './names.js';
import { gone, orNone } from './network.js';

const ALLOW = { first: 400, last: 849 };
const DENY = { first: 850, last: 899 };
const MARK = 'Cloud-Barista MCIS firewall ';

type Wanted = Required<Pick<SecurityRule, 'name' | 'protocol' | 'access' | 'destinationPortRange' | 'destinationAddressPrefixes'>> & Pick<SecurityRule, 'sourceAddressPrefixes' | 'sourceAddressPrefix'>;

/** Rule names: ARM allows 80 characters; long MCIS names are cut and hashed. */
export function rulePrefix(name: string): string {
  return name.length <= 50 ? name : `${name.slice(0, 41)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

const portsOf = (r: FirewallRule) => (r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`);

/** What the NSG must hold for these VMs: no VMs, no rules (a rule needs a destination). */
export function wantedRules(prefix: string, rules: FirewallRule[], targets: string[]): Wanted[] {
  if (targets.length === 0) return [];
  const destinationAddressPrefixes = [...targets].sort();
  const by = new Map<string, FirewallRule[]>();
  for (const r of rules) by.set(`${r.protocol}-${portsOf(r)}`, [...(by.get(`${r.protocol}-${portsOf(r)}`) ?? []), r]);
  const out: Wanted[] = [...by].map(([k, rs]) => ({
    name: `${prefix}-${k}`,
    protocol: rs[0]!.protocol === 'udp' ? 'Udp' : 'Tcp',
    access: 'Allow',
    destinationPortRange: portsOf(rs[0]!),
    sourceAddressPrefixes: [...new Set(rs.map((r) => r.source))].sort(),
    destinationAddressPrefixes,
  }));
  const sshOpen = rules.some((r) => r.protocol === 'tcp' && r.fromPort <= 22 && r.toPort >= 22 && r.source === '0.0.0.0/0');
  if (!sshOpen) out.push({ name: `${prefix}-deny-ssh`, protocol: 'Tcp', access: 'Deny', destinationPortRange: '22', sourceAddressPrefix: '*', destinationAddressPrefixes });
  return out;
}

const sorted = (a: string[] | undefined) => JSON.stringify([...(a ?? [])].sort());
const same = (h: SecurityRule, w: Wanted) =>
  h.access === w.access &&
  h.protocol === w.protocol &&
  h.destinationPortRange === w.destinationPortRange &&
  sorted(h.destinationAddressPrefixes) === sorted(w.destinationAddressPrefixes) &&
  (w.sourceAddressPrefixes ? sorted(h.sourceAddressPrefixes) === sorted(w.sourceAddressPrefixes) : h.sourceAddressPrefix === w.sourceAddressPrefix);

export function createMcisFirewall(ctx: AzureContext): FirewallApi {
  const { network } = ctx.clients;

  function nsgOf(net: DefaultNetwork): { group: string; nsg: string } {
    const id = parseArmId(net.securityGroupId);
    if (!id) throw new OperationError(`not an Azure network security group id: ${net.securityGroupId}`);
    return { group: id.resourceGroup, nsg: id.name };
  }

  const mine = (rules: SecurityRule[] | undefined, prefix: string) => (rules ?? []).filter((r) => r.name?.startsWith(`${prefix}-`));
  const remove = (group: string, nsg: string, rule: string) => gone(az(ctx, () => network.securityRules.beginDeleteAndWait(group, nsg, rule, lro(ctx))));

  return {
    // Nothing to create: the rules live in the connection's NSG under this prefix.
    ensure: async ({ name }) => ({ id: rulePrefix(name), name }),

    async setRules(ref, { network: net, rules, targets }) {
      const { group, nsg } = nsgOf(net);
      const found = await az(ctx, () => network.networkSecurityGroups.get(group, nsg));
      const have = mine(found.securityRules, ref.id);
      const want = wantedRules(ref.id, rules, targets);
      const extra = have.filter((x) => !want.some((w) => w.name === x.name));
      for (const h of extra) await remove(group, nsg, h.name!);
      // Azure refuses two inbound rules of one priority: new ones take what no remaining rule holds.
      const taken = new Set((found.securityRules ?? []).filter((r) => r.direction === 'Inbound' && !extra.includes(r)).map((r) => r.priority));
      for (const w of want) {
        const h = have.find((x) => x.name === w.name);
        if (h && same(h, w)) continue;
        let priority = h?.priority;
        if (priority === undefined) {
          const range = w.access === 'Deny' ? DENY : ALLOW;
          priority = range.first;
          while (taken.has(priority) && priority <= range.last) priority++;
          if (priority > range.last) throw new OperationError(`no free priority in ${range.first}-${range.last} on network security group ${nsg}`);
          taken.add(priority);
        }
        await az(ctx, () =>
          network.securityRules.beginCreateOrUpdateAndWait(
            group,
            nsg,
            w.name,
            { ...w, sourcePortRange: '*', destinationAddressPrefix: undefined, priority, direction: 'Inbound', description: `${MARK}${ref.name}` },
            lro(ctx),
          ),
        );
      }
    },

    // The rules name the VMs' addresses: a VM is covered once setRules lists it among the targets.
    attach: async () => {},

    async read(ref, net) {
      const { group, nsg } = nsgOf(net);
      const found = await az(ctx, () => network.networkSecurityGroups.get(group, nsg));
      const rules: FirewallRule[] = [];
      const targets = new Set<string>();
      for (const r of mine(found.securityRules, ref.id).filter((x) => x.access === 'Allow')) {
        const [from, to] = (r.destinationPortRange ?? '').split('-').map(Number);
        for (const source of r.sourceAddressPrefixes ?? []) rules.push({ protocol: r.protocol === 'Udp' ? 'udp' : 'tcp', fromPort: from ?? 0, toPort: to ?? from ?? 0, source });
        for (const t of r.destinationAddressPrefixes ?? []) targets.add(t);
      }
      return { rules, targets: [...targets].sort() };
    },

    async list(net) {
      const { group, nsg } = nsgOf(net);
      const found = await orNone(az(ctx, () => network.networkSecurityGroups.get(group, nsg)));
      const names = new Set((found?.securityRules ?? []).flatMap((r) => (r.description?.startsWith(MARK) ? [r.description.slice(MARK.length)] : [])));
      return [...names].sort().map((name) => ({ id: rulePrefix(name), name }));
    },

    async delete({ name, network: net }) {
      const { group, nsg } = nsgOf(net);
      const found = await orNone(az(ctx, () => network.networkSecurityGroups.get(group, nsg)));
      for (const r of mine(found?.securityRules, rulePrefix(name))) await remove(group, nsg, r.name!);
    },
  };
}
