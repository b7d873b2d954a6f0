/**
 * The MCIS firewall on EC2: a security group per MCIS in the connection's default VPC (tags
 * cb-managed, cb-ns, cb-mcis, cb-connection), the instances' only group (RunInstances). It carries
 * SSH itself, so `spec.ssh` can narrow it: attaching the default group too would keep SSH open to
 * all, as groups only add up. setRules diffs the group's ingress permissions with the wanted set
 * and sends only the missing (authorize) and the extra (revoke) ones, so repeats are harmless.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  ModifyInstanceAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import type { DefaultNetwork, FirewallApi, FirewallRule } from '@cloud-barista/core/driver/port';
import { OperationError } from '@cloud-barista/core/errors';
import type { AwsContext } from './context.js';
import { hasCode } from './errors.js';
import { existing } from './firewall.js';
import { chunk, FILTER_VALUES } from './instances.js';
import { afterCreate, gone, whileDependent } from './retry.js';
import { tagSpec } from './tags.js';

const keyOf = (r: FirewallRule) => `${r.protocol}/${r.fromPort}-${r.toPort}/${r.source}`;

/** `proto/from-to/cidr` keys as IpPermissions, one per protocol and port range. */
function permissions(keys: string[]): IpPermission[] {
  const by = new Map<string, string[]>();
  for (const k of keys) {
    const [proto, range, ...cidr] = k.split('/');
    const head = `${proto}/${range}`;
    by.set(head, [...(by.get(head) ?? []), cidr.join('/')]);
  }
  return [...by].map(([head, cidrs]) => {
    const [proto, range] = head.split('/') as [string, string];
    const [from, to] = range.split('-').map(Number);
    return { IpProtocol: proto, FromPort: from, ToPort: to, IpRanges: cidrs.map((CidrIp) => ({ CidrIp, Description: 'cb mcis' })) };
  });
}

export function createMcisFirewall(ctx: AwsContext): FirewallApi {
  const ec2 = ctx.client;

  async function lookup(name: string, net: DefaultNetwork): Promise<string | undefined> {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [net.networkId] }, { Name: 'group-name', Values: [name] }] }));
    return (out.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])).sort()[0];
  }

  return {
    async ensure({ name, network, tags }) {
      let id = await lookup(name, network);
      if (!id) {
        try {
          const out = await ec2.send(
            new CreateSecurityGroupCommand({
              GroupName: name,
              Description: `Cloud-Barista MCIS firewall (${name})`,
              VpcId: network.networkId,
              TagSpecifications: [tagSpec('security-group', tags, name)],
            }),
          );
          id = out.GroupId;
        } catch (e) {
          // Another process made it between our lookup and create: adopt theirs.
          if (!hasCode(e, 'InvalidGroup.Duplicate')) throw e;
          id = await lookup(name, network);
        }
      }
      if (!id) throw new OperationError(`security group ${name} could not be created or found`);
      return { id, name };
    },

    async setRules(fw, { rules }) {
      const have = await afterCreate(() => existing(ctx, fw.id));
      const want = new Set(rules.map(keyOf));
      const extra = [...have].filter((k) => !want.has(k));
      const missing = [...want].filter((k) => !have.has(k));
      if (extra.length) {
        try {
          await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: fw.id, IpPermissions: permissions(extra) }));
        } catch (e) {
          if (!hasCode(e, 'InvalidPermission.NotFound')) throw e;
        }
      }
      if (missing.length) {
        try {
          await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: fw.id, IpPermissions: permissions(missing) }));
        } catch (e) {
          // Another process added some of them between our read and write.
          if (!hasCode(e, 'InvalidPermission.Duplicate')) throw e;
        }
      }
    },

    async attach(fw, { providerIds }) {
      // By filter, not InstanceIds: an id the cloud forgot is skipped instead of failing the call.
      const pages = await Promise.all(chunk(providerIds, FILTER_VALUES).map((ids) => ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }] }))));
      const instances = pages.flatMap((out) => (out.Reservations ?? []).flatMap((r) => r.Instances ?? []));
      for (const i of instances) {
        const groups = (i.SecurityGroups ?? []).map((g) => g.GroupId);
        if (i.State?.Name === 'terminated' || i.State?.Name === 'shutting-down' || (groups.length === 1 && groups[0] === fw.id)) continue;
        // The MCIS group replaces the default one: it carries SSH itself.
        await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: i.InstanceId, Groups: [fw.id] }));
      }
    },

    async read(fw) {
      const rules = [...(await existing(ctx, fw.id))].map((k): FirewallRule => {
        const [protocol, range, ...cidr] = k.split('/');
        const [from, to] = (range ?? '').split('-').map(Number);
        return { protocol: protocol === 'udp' ? 'udp' : 'tcp', fromPort: from ?? 0, toPort: to ?? 0, source: cidr.join('/') };
      });
      return { rules };
    },

    async list(network) {
      const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [network.networkId] }, { Name: 'tag:cb-managed', Values: ['true'] }, { Name: 'tag-key', Values: ['cb-mcis'] }] }));
      return (out.SecurityGroups ?? []).flatMap((g) => (g.GroupId && g.GroupName ? [{ id: g.GroupId, name: g.GroupName }] : []));
    },

    async delete({ name, network, id }) {
      const groupId = id ?? (await lookup(name, network));
      if (!groupId) return;
      // Terminated instances' interfaces hold the group for a while after they are gone.
      await gone(() => whileDependent(() => ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })), ctx.tuning.dependencyWaitMs));
    },
  };
}
