/**
 * The MCIS firewall on GCE: a network tag per MCIS, put on each instance at insert, and INGRESS
 * firewall rules with `targetTags` = that tag, one per protocol and port range, the sources as
 * `sourceRanges`. The default network's SSH rule (priority 1000) admits anyone to every instance,
 * so when the rules do not open SSH to 0.0.0.0/0 a deny rule for tcp:22 on the tag (950) closes
 * it; the MCIS's own allows (900) come first. Rules are named from the tag, so a sync finds its
 * own by listing and patches, inserts or deletes only what differs.
 */
import type { protos } from '@google-cloud/compute';
import type { FirewallApi, FirewallRule } from '@cloud-barista/core/driver/port';
import type { GcpContext } from './context.js';
import { hasCode, isNotFound } from './errors.js';
import { parseProviderId } from './instances.js';
import { gceName } from './names.js';
import { operationOf, waitOperation } from './operations.js';
import { gone } from './retry.js';

const ALLOW_PRIORITY = 900;
const DENY_SSH_PRIORITY = 950;
const MARK = 'Cloud-Barista MCIS firewall ';

type Firewall = protos.google.cloud.compute.v1.IFirewall;
type Wanted = Pick<Firewall, 'name' | 'priority' | 'allowed' | 'denied' | 'sourceRanges' | 'description'>;

const portsOf = (r: FirewallRule) => (r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`);

/** The rules the tag's VMs need: one allow per protocol and port range, and the SSH deny if SSH is narrowed. */
export function wantedFirewalls(tag: string, rules: FirewallRule[]): Wanted[] {
  const by = new Map<string, FirewallRule[]>();
  for (const r of rules) {
    const k = `${r.protocol}-${portsOf(r)}`;
    by.set(k, [...(by.get(k) ?? []), r]);
  }
  const out: Wanted[] = [...by].map(([k, rs]) => ({
    name: gceName(tag, `-${k}`),
    priority: ALLOW_PRIORITY,
    allowed: [{ IPProtocol: rs[0]!.protocol, ports: [portsOf(rs[0]!)] }],
    sourceRanges: [...new Set(rs.map((r) => r.source))].sort(),
    description: `${MARK}${tag}`,
  }));
  const sshOpen = rules.some((r) => r.protocol === 'tcp' && r.fromPort <= 22 && r.toPort >= 22 && r.source === '0.0.0.0/0');
  if (!sshOpen) {
    out.push({ name: gceName(tag, '-deny-ssh'), priority: DENY_SSH_PRIORITY, denied: [{ IPProtocol: 'tcp', ports: ['22'] }], sourceRanges: ['0.0.0.0/0'], description: `${MARK}${tag}: SSH only as its rules allow` });
  }
  return out;
}

const same = (have: Firewall, want: Wanted) =>
  have.priority === want.priority &&
  JSON.stringify([...(have.sourceRanges ?? [])].sort()) === JSON.stringify(want.sourceRanges) &&
  JSON.stringify(have.allowed ?? null) === JSON.stringify(want.allowed ?? null) &&
  JSON.stringify(have.denied ?? null) === JSON.stringify(want.denied ?? null);

export function createMcisFirewall(ctx: GcpContext): FirewallApi {
  const fw = () => ctx.clients.firewalls;
  const run = async (call: () => Promise<readonly [unknown, ...unknown[]]>) => waitOperation(ctx, operationOf(await ctx.call(call)));

  /** The project's firewall rules targeting the tag. */
  async function mine(project: string, tag: string): Promise<Firewall[]> {
    const [list] = await ctx.call(() => fw().list({ project, maxResults: 500 }));
    return list.filter((f) => f.targetTags?.includes(tag));
  }

  return {
    // Nothing to create: the tag exists once an instance carries it and the rules once synced.
    ensure: async ({ name }) => {
      const tag = gceName(name);
      return { id: tag, name: tag };
    },

    async setRules(ref, { network, rules }) {
      const project = await ctx.project();
      const networkLink = `projects/${project}/${network.networkId.replace(/^.*?(global\/networks\/)/, '$1')}`;
      const have = await mine(project, ref.id);
      const want = wantedFirewalls(ref.id, rules);
      for (const f of have.filter((h) => !want.some((w) => w.name === h.name))) {
        await gone(() => run(() => fw().delete({ project, firewall: f.name! })));
      }
      for (const w of want) {
        const h = have.find((x) => x.name === w.name);
        if (h && same(h, w)) continue;
        if (h) {
          await run(() => fw().patch({ project, firewall: w.name!, firewallResource: w }));
          continue;
        }
        try {
          await run(() => fw().insert({ project, firewallResource: { ...w, network: networkLink, direction: 'INGRESS', targetTags: [ref.id] } }));
        } catch (e) {
          // Another process made it between our list and insert: make it ours.
          if (!hasCode(e, 'alreadyExists', 'RESOURCE_ALREADY_EXISTS')) throw e;
          await run(() => fw().patch({ project, firewall: w.name!, firewallResource: w }));
        }
      }
    },

    async attach(ref, { providerIds }) {
      const project = await ctx.project();
      for (const id of providerIds) {
        const at = parseProviderId(id);
        if (!at) continue;
        const { zone, name: instance } = at;
        let got: protos.google.cloud.compute.v1.IInstance;
        try {
          [got] = await ctx.call(() => ctx.clients.instances.get({ project, zone, instance }));
        } catch (e) {
          if (isNotFound(e)) continue;
          throw e;
        }
        const items = got.tags?.items ?? [];
        if (items.includes(ref.id)) continue;
        await run(() => ctx.clients.instances.setTags({ project, zone, instance, tagsResource: { items: [...items, ref.id], fingerprint: got.tags?.fingerprint ?? '' } }));
      }
    },

    async read(ref) {
      const rules: FirewallRule[] = [];
      for (const f of await mine(await ctx.project(), ref.id)) {
        for (const a of f.allowed ?? []) {
          for (const p of a.ports ?? ['0-65535']) {
            const [from, to] = p.split('-').map(Number);
            for (const source of f.sourceRanges ?? []) rules.push({ protocol: a.IPProtocol === 'udp' ? 'udp' : 'tcp', fromPort: from ?? 0, toPort: to ?? from ?? 0, source });
          }
        }
      }
      return { rules };
    },

    async list(network) {
      const project = await ctx.project();
      const [all] = await ctx.call(() => fw().list({ project, maxResults: 500 }));
      const net = `/${network.networkId.split('/').pop() ?? ''}`;
      const tags = new Set(all.filter((f) => f.description?.startsWith(MARK) && f.network?.endsWith(net)).flatMap((f) => f.targetTags ?? []));
      return [...tags].sort().map((t) => ({ id: t, name: t }));
    },

    async delete({ name }) {
      const project = await ctx.project();
      for (const f of await mine(project, gceName(name))) await gone(() => run(() => fw().delete({ project, firewall: f.name! })));
    },
  };
}
