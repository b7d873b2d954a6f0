/**
 * The per-connection default network on Neutron: a tenant network and subnet, a router with its
 * gateway on the external network (where floating IPs come from) and an interface on the subnet,
 * and a security group letting SSH in. Each piece is named after the connection and tagged
 * (`key=value` Neutron tags), so a run that was cut off adopts what it made; a piece found by
 * name with no tags yet (cut off between create and tagging) is adopted too. Cluster ports
 * (allowIngress) are rules on that security group, one per source.
 */
import type { DefaultNetwork, IngressRule, NetworkApi } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError } from '@cloud-barista/core/errors';
import { gone, retryWhile } from '../common/retry.js';
import type { OsClient } from './client.js';
import { hasCode, isNotFound } from './errors.js';

/** The subnet every default network gets (private: only floating IPs are reachable from outside). */
export const DEFAULT_CIDR = '10.128.0.0/24';

/** Neutron tags are strings: one `key=value` per tag. */
export function neutronTags(tags: Tags): string[] {
  return Object.entries(tags).map(([k, v]) => `${k}=${v}`);
}

interface Named {
  id: string;
  name: string;
  tags?: string[];
}

type Kind = 'networks' | 'routers' | 'security-groups';
const KEY: Record<Kind, string> = { networks: 'network', routers: 'router', 'security-groups': 'security_group' };
const LIST: Record<Kind, string> = { networks: 'networks', routers: 'routers', 'security-groups': 'security_groups' };

export function createNetwork(client: OsClient): NetworkApi {
  const net = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => client.call<T>('network', method, path, body);

  /** The piece of that kind and name carrying our tags (or none yet). */
  async function find(kind: Kind, name: string, tags: string[]): Promise<Named | undefined> {
    const r = await net<Record<string, Named[]>>('GET', `/${kind}?name=${encodeURIComponent(name)}`);
    return (r[LIST[kind]] ?? []).find((x) => (x.tags ?? []).length === 0 || tags.every((t) => x.tags?.includes(t)));
  }

  async function ensure(kind: Kind, name: string, tags: string[], body: Record<string, unknown> = {}): Promise<Named> {
    const found = await find(kind, name, tags);
    const item = found ?? (await net<Record<string, Named>>('POST', `/${kind}`, { [KEY[kind]]: { name, ...body } }))[KEY[kind]]!;
    if (!tags.every((t) => item.tags?.includes(t))) await net('PUT', `/${kind}/${item.id}/tags`, { tags });
    return item;
  }

  async function externalNetwork(): Promise<string> {
    const r = await net<{ networks: Named[] }>('GET', '/networks?router:external=true');
    const ext = r.networks.find((n) => n.name === 'public') ?? r.networks[0];
    if (!ext) throw new OperationError('this OpenStack project sees no external network: VMs could get no floating (public) IP', { hint: 'ask the operator for an external network (`openstack network list --external`)' });
    return ext.id;
  }

  async function addRule(sg: string, rule: Record<string, unknown>): Promise<void> {
    try {
      await net('POST', '/security-group-rules', { security_group_rule: { security_group_id: sg, direction: 'ingress', ethertype: 'IPv4', ...rule } });
    } catch (e) {
      // Already there (an earlier, cut-off run made it): that is what we want.
      if (!hasCode(e, 'SecurityGroupRuleExists')) throw e;
    }
  }

  const api: NetworkApi = {
    async ensureDefault({ name, tags }) {
      const t = neutronTags(tags);
      const external = await externalNetwork();
      const network = await ensure('networks', name, t);
      const subnets = await net<{ subnets: Named[] }>('GET', `/subnets?network_id=${network.id}`);
      let subnet = subnets.subnets[0];
      if (!subnet) {
        subnet = (await net<{ subnet: Named }>('POST', '/subnets', { subnet: { network_id: network.id, name, cidr: DEFAULT_CIDR, ip_version: 4 } })).subnet;
        await net('PUT', `/subnets/${subnet.id}/tags`, { tags: t });
      }
      const router = await ensure('routers', name, t, { external_gateway_info: { network_id: external } });
      const ifaces = await net<{ ports: Named[] }>('GET', `/ports?device_id=${router.id}&network_id=${network.id}`);
      if (ifaces.ports.length === 0) await net('PUT', `/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
      const sg = await ensure('security-groups', name, t, { description: `SSH in for cbadm connection ${name}` });
      await addRule(sg.id, { protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' });
      return { networkId: network.id, subnetId: subnet.id, securityGroupId: sg.id, extra: { routerId: router.id, externalNetworkId: external } };
    },

    async findDefault({ name, tags }) {
      const t = neutronTags(tags);
      const [network, router, sg] = await Promise.all([find('networks', name, t), find('routers', name, t), find('security-groups', name, t)]);
      if (!network && !router && !sg) return undefined;
      const subnet = network ? (await net<{ subnets: Named[] }>('GET', `/subnets?network_id=${network.id}`)).subnets[0] : undefined;
      return { networkId: network?.id ?? '', subnetId: subnet?.id ?? '', securityGroupId: sg?.id ?? '', extra: { ...(router ? { routerId: router.id } : {}) } };
    },

    async deleteDefault(d: DefaultNetwork) {
      // Ports of servers still shutting down keep the pieces busy for a moment: wait them out.
      const whileBusy = <T>(fn: () => Promise<T>) => retryWhile(fn, (e) => hasCode(e, 'NetworkInUse', 'SubnetInUse', 'SecurityGroupInUse', 'RouterInUse', 'RouterInterfaceInUseByFloatingIP', 'conflictingRequest'), { maxWaitMs: 120_000 });
      const routerId = d.extra.routerId;
      if (routerId) {
        if (d.subnetId) {
          await whileBusy(async () => {
            try {
              await net('PUT', `/routers/${routerId}/remove_router_interface`, { subnet_id: d.subnetId });
            } catch (e) {
              if (!isNotFound(e)) throw e;
            }
          });
        }
        await whileBusy(() => gone(() => net('DELETE', `/routers/${routerId}`)));
      }
      if (d.securityGroupId) await whileBusy(() => gone(() => net('DELETE', `/security-groups/${d.securityGroupId}`)));
      if (d.networkId) await whileBusy(() => gone(() => net('DELETE', `/networks/${d.networkId}`)));
    },

    async allowIngress(d, { rules, sources }) {
      for (const r of rules) for (const cidr of sources) await addRule(d.securityGroupId, ruleBody(r, cidr));
    },

    async revokeIngress(d, { rules, sources }) {
      const have = (await net<{ security_group_rules: (Record<string, unknown> & { id: string })[] }>('GET', `/security-group-rules?security_group_id=${d.securityGroupId}&direction=ingress`)).security_group_rules;
      for (const r of rules) {
        for (const cidr of sources) {
          const want = ruleBody(r, cidr);
          const match = have.find((h) => Object.entries(want).every(([k, v]) => h[k] === v));
          if (match) await gone(() => net('DELETE', `/security-group-rules/${match.id}`));
        }
      }
    },
  };
  return api;
}

function ruleBody(r: IngressRule, cidr: string): Record<string, unknown> {
  return { protocol: r.protocol, port_range_min: r.fromPort, port_range_max: r.toPort, remote_ip_prefix: cidr.includes('/') ? cidr : `${cidr}/32`, description: r.description };
}
