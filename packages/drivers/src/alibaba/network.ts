/**
 * The per-connection default network: VPC → VSwitch in the connection's zone → security group
 * allowing SSH. ECS cannot tag VPCs and VSwitches, so those are found by their name (the default
 * network's name, unique per connection); the security group carries our tags as well. A run that
 * dies half-way leaves named pieces, which the next ensureDefault finds and adopts.
 */
import * as Ecs from '@alicloud/ecs20140526';
import type { DefaultNetwork, IngressRule, NetworkApi } from '@cloud-barista/core/driver/port';
import type { Tags } from '@cloud-barista/core/model';
import { OperationError } from '@cloud-barista/core/errors';
import { poll } from '@cloud-barista/core/util/poll';
import { gone, retryWhile } from '../common/retry.js';
import type { AlibabaContext } from './context.js';
import { hasCode } from './errors.js';
import { ecsTags } from './tags.js';

export const VPC_CIDR = '172.16.0.0/16';
export const VSWITCH_CIDR = '172.16.1.0/24';
const ANYWHERE = '0.0.0.0/0';
const SSH = { protocol: 'tcp' as const, fromPort: 22, toPort: 22, description: 'SSH (cloud-barista)' };

/** Lowest id first, so concurrent leftovers of one name resolve to the same pick every time. */
function first<T extends { id: string }>(items: T[]): T | undefined {
  return [...items].sort((a, b) => a.id.localeCompare(b.id))[0];
}

export function createNetwork(ctx: AlibabaContext): NetworkApi {
  const regionId = ctx.region;

  async function findVpc(name: string): Promise<{ id: string; status: string } | undefined> {
    const found: { id: string; status: string }[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const out = await ctx.call((c) => c.describeVpcs(new Ecs.DescribeVpcsRequest({ regionId, pageNumber, pageSize: 50 })));
      const vpcs = out.body?.vpcs?.vpc ?? [];
      for (const v of vpcs) if (v.vpcName === name && v.vpcId) found.push({ id: v.vpcId, status: v.status ?? '' });
      if (vpcs.length < 50) break;
    }
    return first(found);
  }

  async function findVSwitch(vpcId: string, name: string): Promise<{ id: string; zone: string; status: string } | undefined> {
    const out = await ctx.call((c) => c.describeVSwitches(new Ecs.DescribeVSwitchesRequest({ regionId, vpcId, pageSize: 50 })));
    return first((out.body?.vSwitches?.vSwitch ?? []).filter((s) => s.vSwitchName === name && s.vSwitchId).map((s) => ({ id: s.vSwitchId!, zone: s.zoneId ?? '', status: s.status ?? '' })));
  }

  async function findGroup(vpcId: string, name: string, tags: Tags): Promise<string | undefined> {
    const out = await ctx.call((c) =>
      c.describeSecurityGroups(new Ecs.DescribeSecurityGroupsRequest({ regionId, vpcId, securityGroupName: name, tag: ecsTags(tags, (t) => new Ecs.DescribeSecurityGroupsRequestTag(t)), pageSize: 50 })),
    );
    return first((out.body?.securityGroups?.securityGroup ?? []).filter((g) => g.securityGroupName === name && g.securityGroupId).map((g) => ({ id: g.securityGroupId! })))?.id;
  }

  /** A fresh VPC or VSwitch is Pending for a moment; the next create needs it Available. */
  async function untilAvailable(what: string, status: () => Promise<string | undefined>): Promise<void> {
    await poll(status, (s) => (s === 'Available' ? { state: 'success', value: undefined } : { state: 'retry' }), { maxWaitMs: 120_000, minDelayMs: 300, what: `${what} to become Available` });
  }

  async function ensureVpc(name: string): Promise<string> {
    const existing = await findVpc(name);
    if (existing) return existing.id;
    const out = await ctx.call((c) => c.createVpc(new Ecs.CreateVpcRequest({ regionId, vpcName: name, cidrBlock: VPC_CIDR, description: 'cloud-barista default network' })));
    const vpcId = out.body?.vpcId;
    if (!vpcId) throw new OperationError(`CreateVpc for ${name} returned no VpcId`);
    await untilAvailable(`VPC ${vpcId}`, async () => (await findVpc(name))?.status);
    return vpcId;
  }

  async function ensureVSwitch(vpcId: string, name: string, zoneId: string): Promise<string> {
    const existing = await findVSwitch(vpcId, name);
    if (existing) {
      if (existing.zone !== zoneId) throw new OperationError(`the default VSwitch ${existing.id} is in ${existing.zone}, not the connection's zone ${zoneId}`, { hint: 'remove the connection\'s default network (`cbadm connection cleanup`) or use its zone' });
      return existing.id;
    }
    const out = await ctx.call((c) => c.createVSwitch(new Ecs.CreateVSwitchRequest({ regionId, vpcId, zoneId, cidrBlock: VSWITCH_CIDR, vSwitchName: name, description: 'cloud-barista default network' })));
    const id = out.body?.vSwitchId;
    if (!id) throw new OperationError(`CreateVSwitch for ${name} returned no VSwitchId`);
    await untilAvailable(`VSwitch ${id}`, async () => (await findVSwitch(vpcId, name))?.status);
    return id;
  }

  async function authorize(groupId: string, rule: IngressRule, source: string, revoke = false): Promise<void> {
    const fields = { regionId, securityGroupId: groupId, ipProtocol: rule.protocol, portRange: `${rule.fromPort}/${rule.toPort}`, sourceCidrIp: source, policy: 'accept', priority: '1', description: rule.description };
    if (revoke) await ctx.call((c) => c.revokeSecurityGroup(new Ecs.RevokeSecurityGroupRequest(fields)));
    // An identical rule already there is accepted without change.
    else await ctx.call((c) => c.authorizeSecurityGroup(new Ecs.AuthorizeSecurityGroupRequest(fields)));
  }

  async function ensureGroup(vpcId: string, name: string, tags: Tags): Promise<string> {
    let id = await findGroup(vpcId, name, tags);
    if (!id) {
      const out = await ctx.call((c) =>
        c.createSecurityGroup(new Ecs.CreateSecurityGroupRequest({ regionId, vpcId, securityGroupName: name, description: 'cloud-barista default: SSH from anywhere', tag: ecsTags(tags, (t) => new Ecs.CreateSecurityGroupRequestTag(t)) })),
      );
      id = out.body?.securityGroupId;
      if (!id) throw new OperationError(`CreateSecurityGroup for ${name} returned no SecurityGroupId`);
    }
    const groupId = id;
    await authorize(groupId, SSH, ANYWHERE);
    return groupId;
  }

  /** Deletes that wait while dependants (instances being deleted) still hold the resource. */
  const whileDependent = <T>(fn: () => Promise<T>) => retryWhile(fn, (e) => hasCode(e, 'DependencyViolation', 'DependencyViolation.Instance', 'DependencyViolation.VSwitch', 'DependencyViolation.SecurityGroup', 'IncorrectVpcStatus', 'IncorrectVSwitchStatus'), { maxWaitMs: ctx.tuning.dependencyWaitMs, minDelayMs: 500, maxDelayMs: 5_000 });

  return {
    async ensureDefault({ name, tags }): Promise<DefaultNetwork> {
      const zone = await ctx.zone();
      const vpcId = await ensureVpc(name);
      const vSwitchId = await ensureVSwitch(vpcId, name, zone);
      const securityGroupId = await ensureGroup(vpcId, name, tags);
      return { networkId: vpcId, subnetId: vSwitchId, securityGroupId, zone, extra: {} };
    },

    async findDefault({ name, tags }): Promise<DefaultNetwork | undefined> {
      const vpc = await findVpc(name);
      if (!vpc) return undefined;
      const sw = await findVSwitch(vpc.id, name);
      const group = await findGroup(vpc.id, name, tags);
      return { networkId: vpc.id, subnetId: sw?.id ?? '', securityGroupId: group ?? '', ...(sw ? { zone: sw.zone } : {}), extra: {} };
    },

    async deleteDefault(net: DefaultNetwork): Promise<void> {
      if (net.securityGroupId) await whileDependent(() => gone(() => ctx.call((c) => c.deleteSecurityGroup(new Ecs.DeleteSecurityGroupRequest({ regionId, securityGroupId: net.securityGroupId })))));
      if (net.subnetId) await whileDependent(() => gone(() => ctx.call((c) => c.deleteVSwitch(new Ecs.DeleteVSwitchRequest({ regionId, vSwitchId: net.subnetId })))));
      if (net.networkId) await whileDependent(() => gone(() => ctx.call((c) => c.deleteVpc(new Ecs.DeleteVpcRequest({ regionId, vpcId: net.networkId })))));
    },

    async allowIngress(net, { rules, sources }) {
      for (const rule of rules) for (const source of sources) await authorize(net.securityGroupId, rule, source);
    },

    async revokeIngress(net, { rules, sources }) {
      for (const rule of rules) for (const source of sources) await gone(() => authorize(net.securityGroupId, rule, source, true));
    },
  };
}
