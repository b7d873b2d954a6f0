/**
 * The MCIS firewall on Cloudit: an IAM security group per MCIS (named by the orchestrator, the
 * `cb-*` tags in its description), the servers' only group: attached at create instead of the
 * connection's SSH group, or later by putting it on the server's NIC. It carries SSH itself, so
 * `spec.ssh` can narrow it (groups only add up: keeping the default one would keep SSH open to all).
 * setRules diffs the group's inbound rules with the wanted set and adds or deletes only the
 * difference, so repeats are harmless.
 */
import type { DefaultNetwork, FirewallApi, FirewallRule } from '@cloud-barista/core/driver/port';
import { TAG } from '@cloud-barista/core/domain';
import { gone, retryWhile } from '../common/retry.js';
import type { CiClient } from './client.js';
import { hasCode, isNotFound } from './errors.js';
import { addRule, type CiRule, type CiSecurityGroup, portText } from './network.js';
import { describeTags, tagsOf } from './tags.js';

const keyOf = (r: FirewallRule) => `${r.protocol}/${r.fromPort}-${r.toPort}/${r.source}`;

/** A Cloudit inbound rule as the port's FirewallRule (port `0` is every port). */
export function fromCloudit(r: CiRule): FirewallRule | undefined {
  if (r.type !== 'inbound' || (r.protocol !== 'tcp' && r.protocol !== 'udp')) return undefined;
  const [from = 0, to = from] = r.port === '0' ? [0, 65535] : r.port.split('-').map(Number);
  return { protocol: r.protocol, fromPort: from, toPort: to, source: r.target };
}

export function createMcisFirewall(client: CiClient): FirewallApi {
  const groups = () => client.call<CiSecurityGroup[]>('iam', 'GET', '/securitygroups');
  const rulesOf = (id: string) => client.call<CiRule[]>('iam', 'GET', `/securitygroups/${id}`);
  const lookup = async (name: string) => (await groups()).find((g) => g.name === name);

  return {
    async ensure({ name, tags }) {
      let g = await lookup(name);
      if (!g) {
        try {
          g = await client.call<CiSecurityGroup>('iam', 'POST', '/securitygroups', { name, description: describeTags(tags), rules: [] });
        } catch (e) {
          // Another process made it between our look and our create: adopt theirs.
          if (!hasCode(e, 'DUPLICATE_NAME')) throw e;
          g = (await lookup(name))!;
        }
      }
      return { id: g.id, name: g.name };
    },

    async setRules(fw, { rules }) {
      const have = await rulesOf(fw.id);
      const want = new Set(rules.map(keyOf));
      const held = new Map(have.flatMap((r) => {
        const f = fromCloudit(r);
        return f ? [[keyOf(f), r.id] as const] : [];
      }));
      for (const [key, ruleId] of held) if (!want.has(key)) await gone(() => client.call('iam', 'DELETE', `/securitygroups/${fw.id}/rules/${ruleId}`));
      for (const r of rules) {
        if (held.has(keyOf(r))) continue;
        await addRule(client, fw.id, { name: `cb-mcis-${r.protocol}-${portText(r.fromPort, r.toPort)}`, type: 'inbound', protocol: r.protocol, port: portText(r.fromPort, r.toPort), target: r.source });
      }
    },

    async attach(fw, { providerIds }) {
      for (const id of providerIds) {
        let nics: { mac: string; secGroups: { id: string }[] }[];
        try {
          nics = await client.call('ace', 'GET', `/servers/${id}/nics`);
        } catch (e) {
          // A server the cloud no longer knows is skipped.
          if (isNotFound(e)) continue;
          throw e;
        }
        for (const nic of nics) {
          if (nic.secGroups.length === 1 && nic.secGroups[0]!.id === fw.id) continue;
          // The MCIS group replaces the default one: it carries SSH itself.
          await client.call('ace', 'PUT', `/servers/${id}/nics/${encodeURIComponent(nic.mac)}`, { secgroups: [{ id: fw.id }] });
        }
      }
    },

    async read(fw) {
      return { rules: (await rulesOf(fw.id)).flatMap((r) => fromCloudit(r) ?? []) };
    },

    async list(_network: DefaultNetwork) {
      return (await groups()).filter((g) => tagsOf(g.description)[TAG.managed] === 'true' && TAG.mcis in tagsOf(g.description)).map((g) => ({ id: g.id, name: g.name }));
    },

    async delete({ name, id }) {
      const groupId = id ?? (await lookup(name))?.id;
      if (!groupId) return;
      // Servers still terminating hold the group for a moment.
      await retryWhile(() => gone(() => client.call('iam', 'DELETE', `/securitygroups/${groupId}`)), (e) => hasCode(e, 'SECURITY_GROUP_IN_USE'), { maxWaitMs: 120_000 });
    },
  };
}
