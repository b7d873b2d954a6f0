/**
 * The MCIS firewall on Neutron: a security group per MCIS (named, tagged `key=value` like the
 * default network's pieces), the servers' only group: it carries SSH itself, so `spec.ssh` can
 * narrow it (Neutron groups only add up, so keeping the default group would leave SSH open to
 * all). Servers get it at boot (`security_groups`); servers booted before it get it on their
 * ports (`PUT /ports/{id}`, which replaces the port's groups in one call). setRules diffs the
 * group's IPv4 ingress rules with the wanted set and deletes or adds only what differs. Neutron
 * refuses port 0 for TCP/UDP; all ports of a protocol is a rule without a port range.
 */
import type { DefaultNetwork, FirewallApi, FirewallRef, FirewallRule } from '@cloud-barista/core/driver/port';
import { gone, retryWhile } from '../common/retry.js';
import type { OsClient } from './client.js';
import { hasCode, isNotFound } from './errors.js';
import { neutronTags } from './network.js';

interface NeutronRule {
  /** A UUID; old samples use numbers. */
  id: string | number;
  direction: string;
  ethertype?: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id?: string | null;
}

interface NeutronGroup {
  id: string;
  name: string;
  tags?: string[];
}

const keyOf = (r: FirewallRule) => `${r.protocol}/${r.fromPort}-${r.toPort}/${r.source}`;
const MANAGED = 'cb-managed=true';

/** A Neutron ingress rule as setRules takes it, or undefined for rules it does not manage (egress, IPv6, other protocols, group sources). */
export function fromNeutronRule(r: NeutronRule): FirewallRule | undefined {
  // Older Neutron samples leave ethertype out; an IPv4 prefix says it.
  const v4 = (r.ethertype ?? 'IPv4') === 'IPv4' && !r.remote_ip_prefix?.includes(':');
  if (r.direction !== 'ingress' || !v4 || (r.protocol !== 'tcp' && r.protocol !== 'udp') || !r.remote_ip_prefix) return undefined;
  const all = r.port_range_min === null && r.port_range_max === null;
  return { protocol: r.protocol, fromPort: all ? 0 : (r.port_range_min ?? 0), toPort: all ? 65535 : (r.port_range_max ?? r.port_range_min ?? 0), source: r.remote_ip_prefix };
}

/** The rule's Neutron body (all ports: no range, as Neutron spells it). */
export function toNeutronRule(groupId: string, r: FirewallRule): Record<string, unknown> {
  const all = r.fromPort === 0 && r.toPort === 65535;
  return {
    security_group_id: groupId,
    direction: 'ingress',
    ethertype: 'IPv4',
    protocol: r.protocol,
    ...(all ? {} : { port_range_min: Math.max(1, r.fromPort), port_range_max: r.toPort }),
    remote_ip_prefix: r.source,
    description: 'cb mcis',
  };
}

export function createMcisFirewall(client: OsClient): FirewallApi {
  const net = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => client.call<T>('network', method, path, body);

  async function lookup(name: string): Promise<NeutronGroup | undefined> {
    const r = await net<{ security_groups: NeutronGroup[] }>('GET', `/security-groups?name=${encodeURIComponent(name)}`);
    // Ours carry cb-managed (a group cut off between create and tagging has no tags yet).
    return r.security_groups.filter((g) => (g.tags ?? []).length === 0 || g.tags?.includes(MANAGED)).sort((a, b) => a.id.localeCompare(b.id))[0];
  }

  /** The group's ingress rules; `rule` is unset for those setRules cannot express (it removes them). */
  async function ingress(groupId: string): Promise<Array<{ id: string; rule: FirewallRule | undefined }>> {
    const r = await net<{ security_group_rules: NeutronRule[] }>('GET', `/security-group-rules?security_group_id=${groupId}&direction=ingress`);
    return r.security_group_rules.filter((x) => x.direction === 'ingress').map((x) => ({ id: String(x.id), rule: fromNeutronRule(x) }));
  }

  return {
    async ensure({ name, tags }): Promise<FirewallRef> {
      const t = neutronTags(tags);
      const found = await lookup(name);
      const group = found ?? (await net<{ security_group: NeutronGroup }>('POST', '/security-groups', { security_group: { name, description: `Cloud-Barista MCIS firewall (${name})` } })).security_group;
      if (!t.every((x) => group.tags?.includes(x))) await net('PUT', `/security-groups/${group.id}/tags`, { tags: t });
      return { id: group.id, name };
    },

    async setRules(fw, { rules }) {
      const have = await ingress(fw.id);
      const want = new Map(rules.map((r) => [keyOf(r), r]));
      const haveKeys = new Set(have.flatMap((h) => (h.rule ? [keyOf(h.rule)] : [])));
      // Exactly the wanted rules: anything else admitted (other protocols, IPv6, group sources) goes too.
      for (const h of have) if (!h.rule || !want.has(keyOf(h.rule))) await gone(() => net('DELETE', `/security-group-rules/${h.id}`));
      for (const [k, r] of want) {
        if (haveKeys.has(k)) continue;
        try {
          await net('POST', '/security-group-rules', { security_group_rule: toNeutronRule(fw.id, r) });
        } catch (e) {
          // Another process added it between our read and write.
          if (!hasCode(e, 'SecurityGroupRuleExists')) throw e;
        }
      }
    },

    async attach(fw, { providerIds }) {
      for (const id of providerIds) {
        const ports = (await net<{ ports: Array<{ id: string; security_groups: string[] }> }>('GET', `/ports?device_id=${encodeURIComponent(id)}`)).ports;
        for (const p of ports) {
          if (p.security_groups.length === 1 && p.security_groups[0] === fw.id) continue;
          try {
            // The MCIS group replaces the default one: it carries SSH itself.
            await net('PUT', `/ports/${p.id}`, { port: { security_groups: [fw.id] } });
          } catch (e) {
            // The server went away (and its port with it) since the listing.
            if (!isNotFound(e)) throw e;
          }
        }
      }
    },

    async read(fw) {
      return { rules: (await ingress(fw.id)).flatMap((h) => (h.rule ? [h.rule] : [])) };
    },

    // Neutron groups belong to the project, not a network: every MCIS group of the project.
    async list(_network: DefaultNetwork) {
      const r = await net<{ security_groups: NeutronGroup[] }>('GET', `/security-groups?tags=${encodeURIComponent(MANAGED)}`);
      return r.security_groups.filter((g) => g.tags?.some((t) => t.startsWith('cb-mcis='))).map((g) => ({ id: g.id, name: g.name }));
    },

    async delete({ name, id }) {
      const groupId = id ?? (await lookup(name))?.id;
      if (!groupId) return;
      // Ports of servers still being deleted hold the group for a moment.
      await retryWhile(() => gone(() => net('DELETE', `/security-groups/${groupId}`)), (e) => hasCode(e, 'SecurityGroupInUse'), { maxWaitMs: 120_000, minDelayMs: 500, maxDelayMs: 5_000 });
    },
  };
}
