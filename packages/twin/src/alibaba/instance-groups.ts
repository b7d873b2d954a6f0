/**
 * An instance's security groups after launch: ModifyInstanceAttribute (`SecurityGroupIds.N`
 * replaces them all in one call, as ECS recommends; `InstanceName`, `Description` too) and the
 * older JoinSecurityGroup / LeaveSecurityGroup that Apache Libcloud calls. ECS's rules: the
 * instance is Running or Stopped, every group is in the instance's VPC, at most five groups, and
 * never none.
 */
import type { EcsCtx, EcsHandler } from './context.js';
import { EcsError, invalid } from './errors.js';
import { ecsStatus } from './instance-view.js';
import { instanceOf } from './instance-actions.js';
import type { EcsInstance } from './model.js';
import { securityGroupOf, vSwitchOf } from './network.js';
import type { WireObject } from './wire.js';

/** Groups per instance (ECS's default quota). */
const MAX_GROUPS = 5;

function settled(i: EcsInstance): void {
  const status = ecsStatus(i);
  if (status !== 'Running' && status !== 'Stopped') throw new EcsError('IncorrectInstanceStatus', `The current status of the resource (${status}) does not support this operation: wait until it is Running or Stopped.`);
}

function sameVpc(ctx: EcsCtx, i: EcsInstance, groupId: string): void {
  const g = securityGroupOf(ctx, groupId);
  if (g.vpcId !== vSwitchOf(ctx, i.vSwitchId).vpcId) throw new EcsError('InvalidInstanceId.Mismatch', 'Specified instance and security group are not in the same VPC.', 400);
}

function modifyInstanceAttribute(ctx: EcsCtx): WireObject {
  const p = ctx.params;
  const i = instanceOf(ctx, p.required('InstanceId'));
  const groups = p.list('SecurityGroupIds');
  if (groups.length > 0) {
    if (new Set(groups).size !== groups.length) throw invalid('SecurityGroupIds', 'a security group is named twice');
    if (groups.length > MAX_GROUPS) throw new EcsError('InstanceSecurityGroupLimitExceeded', 'Exceeding the allowed amount of security groups that an instance can be in.', 400);
    settled(i);
    for (const g of groups) sameVpc(ctx, i, g);
    i.securityGroupIds = groups;
  }
  const name = p.get('InstanceName');
  if (name !== undefined) i.name = name;
  const description = p.get('Description');
  if (description !== undefined) i.description = description;
  ctx.env.changed();
  return {};
}

function joinSecurityGroup(ctx: EcsCtx): WireObject {
  const i = instanceOf(ctx, ctx.params.required('InstanceId'));
  const g = ctx.params.required('SecurityGroupId');
  sameVpc(ctx, i, g);
  if (i.securityGroupIds.includes(g)) throw new EcsError('InvalidInstanceId.AlreadyExists', 'The specified instance already exists in the specified security group.', 403);
  if (i.securityGroupIds.length >= MAX_GROUPS) throw new EcsError('InstanceSecurityGroupLimitExceeded', 'Exceeding the allowed amount of security groups that an instance can be in.', 400);
  settled(i);
  i.securityGroupIds.push(g);
  ctx.env.changed();
  return {};
}

function leaveSecurityGroup(ctx: EcsCtx): WireObject {
  const i = instanceOf(ctx, ctx.params.required('InstanceId'));
  const g = securityGroupOf(ctx, ctx.params.required('SecurityGroupId')).id;
  if (!i.securityGroupIds.includes(g)) throw new EcsError('InvalidSecurityGroupAssociation.NotFound', `The instance ${i.id} is not in the security group ${g}.`, 404);
  if (i.securityGroupIds.length === 1) throw new EcsError('InstanceLastSecurityGroup', 'The specified security group is the last security group for the instance.', 403);
  settled(i);
  i.securityGroupIds = i.securityGroupIds.filter((x) => x !== g);
  ctx.env.changed();
  return {};
}

export const GROUP_ACTIONS: Readonly<Record<string, EcsHandler>> = {
  ModifyInstanceAttribute: modifyInstanceAttribute,
  JoinSecurityGroup: joinSecurityGroup,
  LeaveSecurityGroup: leaveSecurityGroup,
};
