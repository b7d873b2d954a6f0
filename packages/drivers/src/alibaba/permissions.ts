/**
 * Which ECS actions the AccessKey may call, asked without side effects where ECS offers it: a
 * `DryRun=true` call answers `DryRunOperation` when RAM allows it and `Forbidden.RAM` (or
 * `NoPermission`) when it does not. RAM authorizes before the service validates, so a dry run that
 * stops at a parameter check has passed RAM. Actions without a dry run are asked about an id no
 * account has (RAM answers before the resource lookup, so `…NotFound` means allowed and nothing is
 * touched); the rest are reported unknown.
 */
import * as Ecs from '@alicloud/ecs20140526';
import type { PermissionCheck } from '@cloud-barista/core/driver/port';
import { ProviderError } from '@cloud-barista/core/errors';
import type { EcsClient } from './client.js';
import type { AlibabaContext } from './context.js';

/** Ids no account has: the probes below name them so they can touch nothing. */
const PROBE_INSTANCE = 'i-cbdryrunprobe000000';
const PROBE_GROUP = 'sg-cbdryrunprobe00000';

interface Probe {
  permission: string;
  neededFor: string;
  dryRun?: (c: EcsClient, regionId: string) => Promise<unknown>;
}

const PROBES: readonly Probe[] = [
  {
    permission: 'ecs:RunInstances',
    neededFor: 'create VMs',
    dryRun: (c, regionId) => c.runInstances(new Ecs.RunInstancesRequest({ regionId, dryRun: true, amount: 1 })),
  },
  { permission: 'ecs:DescribeInstances', neededFor: 'watch VMs', dryRun: (c, regionId) => c.describeInstances(new Ecs.DescribeInstancesRequest({ regionId, dryRun: true })) },
  { permission: 'ecs:StopInstances', neededFor: 'suspend VMs', dryRun: (c, regionId) => c.stopInstances(new Ecs.StopInstancesRequest({ regionId, dryRun: true, instanceId: [PROBE_INSTANCE] })) },
  { permission: 'ecs:StartInstances', neededFor: 'resume VMs', dryRun: (c, regionId) => c.startInstances(new Ecs.StartInstancesRequest({ regionId, dryRun: true, instanceId: [PROBE_INSTANCE] })) },
  { permission: 'ecs:RebootInstances', neededFor: 'reboot VMs', dryRun: (c, regionId) => c.rebootInstances(new Ecs.RebootInstancesRequest({ regionId, dryRun: true, instanceId: [PROBE_INSTANCE] })) },
  { permission: 'ecs:DeleteInstances', neededFor: 'terminate VMs', dryRun: (c, regionId) => c.deleteInstances(new Ecs.DeleteInstancesRequest({ regionId, dryRun: true, force: true, instanceId: [PROBE_INSTANCE] })) },
  { permission: 'ecs:CreateVpc', neededFor: 'create the default network' },
  { permission: 'ecs:CreateVSwitch', neededFor: 'create the default VSwitch' },
  { permission: 'ecs:CreateSecurityGroup', neededFor: 'create the default security group' },
  { permission: 'ecs:AuthorizeSecurityGroup', neededFor: 'open SSH' },
  {
    permission: 'ecs:RevokeSecurityGroup',
    neededFor: 'change MCIS firewall rules',
    dryRun: (c, regionId) => c.revokeSecurityGroup(new Ecs.RevokeSecurityGroupRequest({ regionId, securityGroupId: PROBE_GROUP, ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '192.0.2.0/32' })),
  },
  {
    permission: 'ecs:DescribeSecurityGroupAttribute',
    neededFor: 'read MCIS firewall rules',
    dryRun: (c, regionId) => c.describeSecurityGroupAttribute(new Ecs.DescribeSecurityGroupAttributeRequest({ regionId, securityGroupId: PROBE_GROUP })),
  },
  { permission: 'ecs:ModifyInstanceAttribute', neededFor: 'move VMs onto the MCIS firewall', dryRun: (c) => c.modifyInstanceAttribute(new Ecs.ModifyInstanceAttributeRequest({ instanceId: PROBE_INSTANCE })) },
  { permission: 'ecs:ImportKeyPair', neededFor: 'import the SSH key' },
  { permission: 'ecs:DeleteVpc', neededFor: 'remove default resources' },
];

const DENIED = new Set(['Forbidden.RAM', 'NoPermission', 'Forbidden', 'Forbidden.SubUser']);

export async function checkAlibabaPermissions(ctx: AlibabaContext): Promise<PermissionCheck[]> {
  return Promise.all(
    PROBES.map(async ({ permission, neededFor, dryRun }): Promise<PermissionCheck> => {
      if (!dryRun) return { permission, neededFor, status: 'unknown', why: 'ECS offers no side-effect-free probe for this action' };
      try {
        await ctx.call((c) => dryRun(c, ctx.region));
        return { permission, neededFor, status: 'unknown', why: 'the dry run was answered as a real call' };
      } catch (e) {
        if (!(e instanceof ProviderError)) return { permission, neededFor, status: 'unknown', why: String(e) };
        if (e.code === 'DryRunOperation') return { permission, neededFor, status: 'allowed' };
        if (DENIED.has(e.code)) return { permission, neededFor, status: 'denied', why: e.code };
        if (e.errorClass === 'invalid' || e.errorClass === 'not-found') return { permission, neededFor, status: 'allowed', why: `RAM allowed it; the probe stopped at ${e.code}` };
        return { permission, neededFor, status: 'unknown', why: `${e.code}: ${e.message}` };
      }
    }),
  );
}
