/**
 * Cluster port openings on the default network: one INGRESS firewall rule per rule set, named from
 * the network and a hash of the rules, whose `sourceRanges` are the nodes allowed in. GCE firewalls
 * hold one source list for all their ports, so opening adds the missing sources (patch) and closing
 * removes the given ones, deleting the rule when none is left: repeating either call is harmless,
 * and clusters sharing a network and a rule set share one rule without closing each other's nodes.
 */
import { createHash } from 'node:crypto';
import type { DefaultNetwork, IngressRule, NetworkApi } from '@cloud-barista/core/driver/port';
import type { GcpContext } from './context.js';
import { hasCode } from './errors.js';
import { gceName } from './names.js';
import { operationOf, waitOperation } from './operations.js';
import { found, gone } from './retry.js';

type Req = { rules: IngressRule[]; sources: string[] };
/** Below the SSH rule's 1000: the cluster ports win over any broader rule added later at 1000. */
const PRIORITY = 900;

const ports = (r: IngressRule) => (r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`);

/** `allowed` grouped by protocol, sorted: equal rule sets give equal bodies and equal names. */
export function allowedOf(rules: IngressRule[]): { IPProtocol: string; ports: string[] }[] {
  const by = new Map<string, Set<string>>();
  for (const r of rules) by.set(r.protocol, (by.get(r.protocol) ?? new Set()).add(ports(r)));
  return [...by.keys()].sort().map((p) => ({ IPProtocol: p, ports: [...(by.get(p) ?? [])].sort() }));
}

/** The rule's name: `<network>-k8s-<8 hex of the rule set>`. */
export function firewallName(net: DefaultNetwork, rules: IngressRule[]): string {
  const network = net.networkId.split('/').pop() ?? 'cb';
  const hash = createHash('sha256').update(JSON.stringify(allowedOf(rules))).digest('hex').slice(0, 8);
  return gceName(network, `-k8s-${hash}`);
}

/** Whether `name` is one of firewallName's rules for `network` (of any rule set). */
export function isClusterFirewall(network: string, name: string): boolean {
  const prefix = gceName(network, '-k8s-00000000').slice(0, -8);
  return name.length === prefix.length + 8 && name.startsWith(prefix) && /^[0-9a-f]{8}$/.test(name.slice(prefix.length));
}

export function createFirewall(ctx: GcpContext): Pick<NetworkApi, 'allowIngress' | 'revokeIngress'> {
  const fw = () => ctx.clients.firewalls;

  const current = (project: string, firewall: string): Promise<string[] | undefined> =>
    found(async () => (await ctx.call(() => fw().get({ project, firewall })))[0].sourceRanges ?? []);

  async function patch(project: string, firewall: string, sourceRanges: string[]): Promise<void> {
    await waitOperation(ctx, operationOf(await ctx.call(() => fw().patch({ project, firewall, firewallResource: { sourceRanges } }))));
  }

  return {
    async allowIngress(net: DefaultNetwork, req: Req): Promise<void> {
      if (req.rules.length === 0 || req.sources.length === 0) return;
      const project = await ctx.project();
      const name = firewallName(net, req.rules);
      for (let attempt = 0; ; attempt++) {
        const have = await current(project, name);
        if (have) {
          const missing = req.sources.filter((s) => !have.includes(s));
          if (missing.length) await patch(project, name, [...have, ...missing].sort());
          return;
        }
        try {
          const network = `projects/${project}/${net.networkId.replace(/^.*?(global\/networks\/)/, '$1')}`;
          await waitOperation(
            ctx,
            operationOf(
              await ctx.call(() =>
                fw().insert({
                  project,
                  firewallResource: {
                    name,
                    network,
                    direction: 'INGRESS',
                    priority: PRIORITY,
                    allowed: allowedOf(req.rules),
                    sourceRanges: [...new Set(req.sources)].sort(),
                    description: `Cloud-Barista k8s: ${req.rules.map((r) => `${r.description} ${r.protocol}/${ports(r)}`).join(', ')}`,
                  },
                }),
              ),
            ),
          );
          return;
        } catch (e) {
          // Another process made it between our get and insert: merge into theirs, once.
          if (attempt > 0 || !hasCode(e, 'alreadyExists', 'RESOURCE_ALREADY_EXISTS')) throw e;
        }
      }
    },

    async revokeIngress(net: DefaultNetwork, req: Req): Promise<void> {
      if (req.rules.length === 0) return;
      const project = await ctx.project();
      const name = firewallName(net, req.rules);
      const have = await current(project, name);
      if (!have) return;
      const left = have.filter((s) => !req.sources.includes(s));
      if (left.length === have.length) return;
      if (left.length) await patch(project, name, left);
      else await gone(async () => waitOperation(ctx, operationOf(await ctx.call(() => fw().delete({ project, firewall: name })))));
    },
  };
}
