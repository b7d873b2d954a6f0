/**
 * The per-connection default network on Cloudit: a DNA subnet (from the tenant's creatable
 * ranges) and an IAM security group letting SSH in, both named after the connection with the tags
 * in their description, so a run that was cut off adopts what it made. Servers name their subnet
 * by its address: that is the DefaultNetwork's subnetId. Cluster ports (allowIngress) are rules
 * on that group, one per source.
 */
import type { DefaultNetwork, IngressRule, NetworkApi } from '@cloud-barista/core/driver/port';
import { OperationError } from '@cloud-barista/core/errors';
import { gone, retryWhile } from '../common/retry.js';
import type { CiClient } from './client.js';
import { hasCode } from './errors.js';
import { carries, describeTags } from './tags.js';

export interface CiSubnet {
  id: string;
  name: string;
  addr: string;
  prefix: string;
  description?: string;
}

export interface CiRule {
  id: string;
  type: string;
  port: string;
  target: string;
  protocol: string;
}

export interface CiSecurityGroup {
  id: string;
  name: string;
  description?: string;
  rules?: CiRule[];
}

export const SSH_RULE = { name: 'ssh', type: 'inbound', protocol: 'tcp', port: '22', target: '0.0.0.0/0' };

/** Adds a rule to a group; one already there (a cut-off run made it) is what we want. */
export async function addRule(client: CiClient, groupId: string, rule: Omit<CiRule, 'id'> & { name?: string }): Promise<void> {
  try {
    await client.call('iam', 'POST', `/securitygroups/${groupId}/rules`, rule);
  } catch (e) {
    if (!hasCode(e, 'DUPLICATE_RULE')) throw e;
  }
}

export const portText = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
const cidrOf = (source: string) => (source.includes('/') ? source : `${source}/32`);

export function createNetwork(client: CiClient, zone: string): NetworkApi {
  const subnets = () => client.call<CiSubnet[]>('dna', 'GET', '/subnets');
  const groups = () => client.call<CiSecurityGroup[]>('iam', 'GET', '/securitygroups');

  async function findParts(name: string, tags: Record<string, string>) {
    const [s, g] = await Promise.all([subnets(), groups()]);
    return { subnet: s.find((x) => x.name === name && carries(x.description, tags)), group: g.find((x) => x.name === name && carries(x.description, tags)) };
  }

  async function ensureSubnet(name: string, description: string): Promise<CiSubnet> {
    // Two runs may pick the same free range: the loser takes the next one.
    return retryWhile(
      async () => {
        const [free] = await client.call<{ addr: string; prefix: string }[]>('dna', 'GET', '/subnets/creatable');
        if (!free) throw new OperationError('this Cloudit tenant has no free subnet range left', { hint: 'delete unused subnets (DNA > subnets) or ask the operator for a larger range' });
        return client.call<CiSubnet>('dna', 'POST', '/subnets', { name, addr: free.addr, prefix: free.prefix, description });
      },
      (e) => hasCode(e, 'SUBNET_OVERLAP'),
      { maxWaitMs: 30_000 },
    );
  }

  const toDefault = (subnet: CiSubnet | undefined, group: CiSecurityGroup | undefined): DefaultNetwork => ({
    networkId: subnet?.id ?? '',
    subnetId: subnet?.addr ?? '',
    securityGroupId: group?.id ?? '',
    zone,
    extra: {},
  });

  return {
    async ensureDefault({ name, tags }) {
      const description = describeTags(tags);
      const found = await findParts(name, tags);
      const subnet = found.subnet ?? (await ensureSubnet(name, description));
      let group = found.group;
      if (!group) {
        group = await client.call<CiSecurityGroup>('iam', 'POST', '/securitygroups', { name, description, rules: [SSH_RULE] });
      } else if (!group.rules?.some((r) => r.type === 'inbound' && r.port === '22' && r.target === '0.0.0.0/0')) {
        await addRule(client, group.id, SSH_RULE);
      }
      return toDefault(subnet, group);
    },

    async findDefault({ name, tags }) {
      const { subnet, group } = await findParts(name, tags);
      return subnet || group ? toDefault(subnet, group) : undefined;
    },

    async deleteDefault(d: DefaultNetwork) {
      // Servers still terminating keep the group and subnet busy for a moment: wait them out.
      const whileBusy = (fn: () => Promise<void>) => retryWhile(fn, (e) => hasCode(e, 'SECURITY_GROUP_IN_USE', 'SUBNET_IN_USE'), { maxWaitMs: 120_000 });
      if (d.securityGroupId) await whileBusy(() => gone(() => client.call('iam', 'DELETE', `/securitygroups/${d.securityGroupId}`)));
      if (d.subnetId) await whileBusy(() => gone(() => client.call('dna', 'DELETE', `/subnets/${encodeURIComponent(d.subnetId)}`)));
    },

    async allowIngress(d, { rules, sources }) {
      for (const r of rules) for (const s of sources) await addRule(client, d.securityGroupId, ruleOf(r, s));
    },

    async revokeIngress(d, { rules, sources }) {
      const have = await client.call<CiRule[]>('iam', 'GET', `/securitygroups/${d.securityGroupId}`);
      for (const r of rules) {
        for (const s of sources) {
          const want = ruleOf(r, s);
          const match = have.find((h) => h.type === want.type && h.protocol === want.protocol && h.port === want.port && h.target === want.target);
          if (match) await gone(() => client.call('iam', 'DELETE', `/securitygroups/${d.securityGroupId}/rules/${match.id}`));
        }
      }
    },
  };
}

function ruleOf(r: IngressRule, source: string) {
  return { name: r.description.slice(0, 60) || 'cb-ingress', type: 'inbound', protocol: r.protocol, port: portText(r.fromPort, r.toPort), target: cidrOf(source) };
}
