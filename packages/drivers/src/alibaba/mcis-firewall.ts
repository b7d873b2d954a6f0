/**
 * The MCIS firewall on ECS: a security group per MCIS in the connection's VPC (named, tagged
 * cb-managed, cb-ns, cb-mcis, cb-connection), the instances' only group: it carries SSH itself,
 * so `spec.ssh` can narrow it (groups only add up). Instances get it at RunInstances; instances
 * launched before it get it by ModifyInstanceAttribute (SecurityGroupIds replaces an instance's
 * groups in one call). setRules diffs the group's accept ingress rules (DescribeSecurityGroupAttribute)
 * with the wanted set and revokes or authorizes only what differs, in batches (Permissions.N).
 * ECS writes all ports of TCP/UDP as 1/65535; this reads that back as core's 0-65535.
 */
import * as Ecs from '@alicloud/ecs20140526';
import type { DefaultNetwork, FirewallApi, FirewallRule } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError } from '@cloud-barista/core/errors';
import { gone, retryWhile } from '../common/retry.js';
import type { AlibabaContext } from './context.js';
import { hasCode } from './errors.js';
import { ID_BATCH } from './instances.js';
import { chunk, ecsTags, fromEcsTags } from './tags.js';

/** Rules per Authorize/RevokeSecurityGroup call (ECS takes up to 100 Permissions.N). */
const RULE_BATCH = 100;

type Permission = Ecs.DescribeSecurityGroupAttributeResponseBodyPermissionsPermission;

const keyOf = (r: FirewallRule) => `${r.protocol}/${r.fromPort}-${r.toPort}/${r.source}`;

/** An ECS ingress permission as setRules takes it, or undefined for what it does not manage (drop rules, other protocols, group sources). */
export function fromEcsPermission(p: { ipProtocol?: string; portRange?: string; sourceCidrIp?: string; policy?: string; direction?: string }): FirewallRule | undefined {
  const protocol = p.ipProtocol?.toLowerCase();
  if ((protocol !== 'tcp' && protocol !== 'udp') || !p.sourceCidrIp || (p.policy ?? 'Accept').toLowerCase() !== 'accept' || (p.direction && p.direction !== 'ingress')) return undefined;
  const [from, to] = (p.portRange ?? '').split('/').map(Number);
  if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to)) return undefined;
  return { protocol, fromPort: from === 1 && to === 65535 ? 0 : from, toPort: to, source: p.sourceCidrIp };
}

/** The permission ECS takes for a rule (port 0 does not exist there). */
export function toEcsPermission(r: FirewallRule): { ipProtocol: string; portRange: string; sourceCidrIp: string; policy: string; priority: string; description: string } {
  return { ipProtocol: r.protocol, portRange: `${Math.max(1, r.fromPort)}/${r.toPort}`, sourceCidrIp: r.source, policy: 'accept', priority: '1', description: 'cb mcis' };
}

export function createMcisFirewall(ctx: AlibabaContext): FirewallApi {
  const regionId = ctx.region;

  async function groups(vpcId: string, filter: { name?: string; tags: Tags }): Promise<Array<{ id: string; name: string; tags: Tags }>> {
    const out: Array<{ id: string; name: string; tags: Tags }> = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await ctx.call((c) =>
        c.describeSecurityGroups(
          new Ecs.DescribeSecurityGroupsRequest({ regionId, vpcId, pageNumber, pageSize: 50, ...(filter.name ? { securityGroupName: filter.name } : {}), tag: ecsTags(filter.tags, (t) => new Ecs.DescribeSecurityGroupsRequestTag(t)) }),
        ),
      );
      const items = page.body?.securityGroups?.securityGroup ?? [];
      for (const g of items) if (g.securityGroupId && (!filter.name || g.securityGroupName === filter.name)) out.push({ id: g.securityGroupId, name: g.securityGroupName ?? '', tags: fromEcsTags(g.tags?.tag) });
      if (items.length < 50) return out.sort((a, b) => a.id.localeCompare(b.id));
    }
  }

  /** The group's CIDR-sourced ingress permissions; `rule` is unset for those setRules cannot express (it revokes them). */
  async function ingress(groupId: string): Promise<Array<{ raw: Permission; rule: FirewallRule | undefined }>> {
    const out = await ctx.call((c) => c.describeSecurityGroupAttribute(new Ecs.DescribeSecurityGroupAttributeRequest({ regionId, securityGroupId: groupId, direction: 'ingress' })));
    return (out.body?.permissions?.permission ?? []).filter((p) => p.sourceCidrIp && (p.direction ?? 'ingress') === 'ingress').map((raw) => ({ raw, rule: fromEcsPermission(raw) }));
  }

  return {
    async ensure({ name, network, tags }) {
      const managed = { 'cb-managed': tags['cb-managed'] ?? 'true' };
      let id = (await groups(network.networkId, { name, tags: managed }))[0]?.id;
      if (!id) {
        const out = await ctx.call((c) =>
          c.createSecurityGroup(
            new Ecs.CreateSecurityGroupRequest({ regionId, vpcId: network.networkId, securityGroupName: name, description: `Cloud-Barista MCIS firewall (${name})`, tag: ecsTags(tags, (t) => new Ecs.CreateSecurityGroupRequestTag(t)) }),
          ),
        );
        id = out.body?.securityGroupId;
      }
      if (!id) throw new OperationError(`security group ${name} could not be created or found`);
      return { id, name };
    },

    async setRules(fw, { rules }) {
      const have = await ingress(fw.id);
      const haveKeys = new Set(have.flatMap((h) => (h.rule ? [keyOf(h.rule)] : [])));
      const want = new Map(rules.map((r) => [keyOf(r), r]));
      // Exactly the wanted rules: anything else admitted (ALL, ICMP, drop rules) is revoked as ECS holds it.
      const extra = have.filter((h) => !h.rule || !want.has(keyOf(h.rule))).map((h) => h.raw);
      const missing = [...want].filter(([k]) => !haveKeys.has(k)).map(([, r]) => r);
      for (const batch of chunk(extra, RULE_BATCH)) {
        const permissions = batch.map((p) => new Ecs.RevokeSecurityGroupRequestPermissions({ ipProtocol: p.ipProtocol, portRange: p.portRange, sourceCidrIp: p.sourceCidrIp, policy: p.policy, ...(p.nicType ? { nicType: p.nicType } : {}) }));
        await gone(() => ctx.call((c) => c.revokeSecurityGroup(new Ecs.RevokeSecurityGroupRequest({ regionId, securityGroupId: fw.id, permissions }))));
      }
      // An identical rule already there is accepted without change, so a racing writer is harmless.
      for (const batch of chunk(missing, RULE_BATCH)) {
        const permissions = batch.map((r) => new Ecs.AuthorizeSecurityGroupRequestPermissions(toEcsPermission(r)));
        await ctx.call((c) => c.authorizeSecurityGroup(new Ecs.AuthorizeSecurityGroupRequest({ regionId, securityGroupId: fw.id, permissions })));
      }
    },

    async attach(fw, { providerIds }) {
      for (const ids of chunk([...new Set(providerIds)], ID_BATCH)) {
        // Ids the cloud forgot are simply not listed.
        const out = await ctx.call((c) => c.describeInstances(new Ecs.DescribeInstancesRequest({ regionId, instanceIds: JSON.stringify(ids), maxResults: 100 })));
        for (const i of out.body?.instances?.instance ?? []) {
          const now = i.securityGroupIds?.securityGroupId ?? [];
          if (!i.instanceId || (now.length === 1 && now[0] === fw.id)) continue;
          // The MCIS group replaces the default one: it carries SSH itself. ECS moves only Running
          // or Stopped instances: one still starting is waited for.
          const modify = new Ecs.ModifyInstanceAttributeRequest({ instanceId: i.instanceId, securityGroupIds: [fw.id] });
          await retryWhile(() => ctx.call((c) => c.modifyInstanceAttribute(modify)), (e) => hasCode(e, 'IncorrectInstanceStatus'), { maxWaitMs: ctx.tuning.dependencyWaitMs, minDelayMs: 300, maxDelayMs: 3_000 });
        }
      }
    },

    async read(fw) {
      return { rules: (await ingress(fw.id)).flatMap((h) => (h.rule ? [h.rule] : [])) };
    },

    async list(network: DefaultNetwork) {
      return (await groups(network.networkId, { tags: { 'cb-managed': 'true' } })).filter((g) => g.tags['cb-mcis'] !== undefined).map(({ id, name }) => ({ id, name }));
    },

    async delete({ name, network, id }) {
      const groupId = id ?? (await groups(network.networkId, { name, tags: { 'cb-managed': 'true' } }))[0]?.id;
      if (!groupId) return;
      // Instances being released hold the group for a moment.
      await retryWhile(() => gone(() => ctx.call((c) => c.deleteSecurityGroup(new Ecs.DeleteSecurityGroupRequest({ regionId, securityGroupId: groupId })))), (e) => hasCode(e, 'DependencyViolation'), {
        maxWaitMs: ctx.tuning.dependencyWaitMs,
        minDelayMs: 500,
        maxDelayMs: 5_000,
      });
    },
  };
}
