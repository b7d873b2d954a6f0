/**
 * Cluster port openings on the default security group: each rule admits the given sources (the
 * cluster nodes' public IPs, /32) only. EC2 rejects a whole AuthorizeSecurityGroupIngress call when any
 * permission in it exists already, so the current permissions are read first and only the missing
 * ones are sent (and only present ones revoked): repeating either call is harmless.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import type { DefaultNetwork, IngressRule, NetworkApi } from '@cloud-barista/core/driver/port';
import type { AwsContext } from './context.js';
import { hasCode } from './errors.js';

type Req = { rules: IngressRule[]; sources: string[] };
const key = (proto: string, from: number, to: number, cidr: string) => `${proto}/${from}-${to}/${cidr}`;

/** The group's ingress permissions as `proto/from-to/cidr` keys (core's ruleKey form). */
export async function existing(ctx: AwsContext, groupId: string): Promise<Set<string>> {
  const out = await ctx.client.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  const set = new Set<string>();
  for (const p of out.SecurityGroups?.[0]?.IpPermissions ?? []) {
    for (const r of p.IpRanges ?? []) if (r.CidrIp) set.add(key(p.IpProtocol ?? '', p.FromPort ?? -1, p.ToPort ?? -1, r.CidrIp));
  }
  return set;
}

function permissions(req: Req, pick: (k: string) => boolean): IpPermission[] {
  return req.rules.flatMap((r) => {
    const ranges = req.sources.filter((s) => pick(key(r.protocol, r.fromPort, r.toPort, s))).map((CidrIp) => ({ CidrIp, Description: `cb k8s ${r.description}` }));
    return ranges.length ? [{ IpProtocol: r.protocol, FromPort: r.fromPort, ToPort: r.toPort, IpRanges: ranges }] : [];
  });
}

export function createFirewall(ctx: AwsContext): Pick<NetworkApi, 'allowIngress' | 'revokeIngress'> {
  return {
    async allowIngress(net: DefaultNetwork, req: Req): Promise<void> {
      const have = await existing(ctx, net.securityGroupId);
      const missing = permissions(req, (k) => !have.has(k));
      if (missing.length === 0) return;
      try {
        await ctx.client.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: missing }));
      } catch (e) {
        // Another process opened the same rules between our read and write.
        if (!hasCode(e, 'InvalidPermission.Duplicate')) throw e;
      }
    },
    async revokeIngress(net: DefaultNetwork, req: Req): Promise<void> {
      let have: Set<string>;
      try {
        have = await existing(ctx, net.securityGroupId);
      } catch (e) {
        if (hasCode(e, 'InvalidGroup.NotFound')) return;
        throw e;
      }
      const present = permissions(req, (k) => have.has(k));
      if (present.length === 0) return;
      try {
        await ctx.client.send(new RevokeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: present }));
      } catch (e) {
        if (!hasCode(e, 'InvalidPermission.NotFound', 'InvalidGroup.NotFound')) throw e;
      }
    },
  };
}
