/** Start/Stop/Reboot/TerminateInstances, DescribeInstanceStatus and ModifyInstanceAttribute (groups). */
import type { Ctx } from './context.js';
import { Ec2Error, err } from './errors.js';
import { applyFilters } from './filters.js';
import { getSecurityGroup, getSubnet } from './lookup.js';
import { stateXml } from './instance-render.js';
import { instancesById, visibleInstances } from './instances.js';
import { findRegion } from '../data/aws.js';
import { STATE_CODES, type Instance, type InstanceStateName } from './model.js';
import { paginate } from './paging.js';
import { el, items, node, type XmlChild } from './xml.js';

function requireIds(ctx: Ctx): Instance[] {
  const ids = ctx.params.list('InstanceId');
  if (ids.length === 0) throw err.missing('InstanceId');
  return instancesById(ctx, ids);
}

function incorrectState(inst: Instance, verb: string): Ec2Error {
  return new Ec2Error('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be ${verb}.`);
}

function stateChanges(name: string, changes: { inst: Instance; previous: InstanceStateName }[]): XmlChild[] {
  return [
    items(name, changes, ({ inst, previous }) => [
      el('instanceId', inst.id),
      stateXml('currentState', inst),
      stateXml('previousState', { state: previous }),
    ]),
  ];
}

/** The instances named, refused all together unless each is in one of the `allowed` states. */
function requireInStates(ctx: Ctx, allowed: InstanceStateName[], verb: string): Instance[] {
  const insts = requireIds(ctx);
  for (const i of insts) if (!allowed.includes(i.state)) throw incorrectState(i, verb);
  return insts;
}

/** `move` runs on the instances whose state `moves` picks; each answers its state before and now. */
function changeStates(ctx: Ctx, insts: Instance[], moves: (state: InstanceStateName) => boolean, move: (inst: Instance) => void): XmlChild[] {
  const changes = insts.map((inst) => {
    const previous = inst.state;
    if (moves(previous)) move(inst);
    return { inst, previous };
  });
  ctx.env.changed();
  return stateChanges('instancesSet', changes);
}

export function startInstances(ctx: Ctx): XmlChild[] {
  const insts = requireInStates(ctx, ['stopped', 'pending', 'running'], 'started');
  return changeStates(ctx, insts, (s) => s === 'stopped', (i) => ctx.env.lifecycle.start(ctx.region, i));
}

export function stopInstances(ctx: Ctx): XmlChild[] {
  const insts = requireInStates(ctx, ['running', 'stopping', 'stopped'], 'stopped');
  return changeStates(ctx, insts, (s) => s === 'running', (i) => ctx.env.lifecycle.stop(ctx.region, i));
}

export function rebootInstances(ctx: Ctx): XmlChild[] {
  for (const i of requireInStates(ctx, ['running'], 'rebooted')) ctx.env.lifecycle.reboot(ctx.region, i);
  return [el('return', true)];
}

export function terminateInstances(ctx: Ctx): XmlChild[] {
  const gone = (s: InstanceStateName) => s === 'terminated' || s === 'shutting-down';
  return changeStates(ctx, requireIds(ctx), (s) => !gone(s), (i) => ctx.env.lifecycle.terminate(ctx.region, i));
}

export function describeInstanceStatus(ctx: Ctx): XmlChild[] {
  const ids = ctx.params.list('InstanceId');
  const maxResults = ctx.params.int('MaxResults');
  if (ids.length > 0 && maxResults !== undefined) {
    throw err.combination('The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const all = ctx.params.bool('IncludeAllInstances') === true;
  const base = (ids.length ? instancesById(ctx, ids) : visibleInstances(ctx)).filter((i) => all || i.state === 'running');
  const status = (i: Instance) => (i.state === 'running' ? 'ok' : 'not-applicable');
  const filtered = applyFilters(base, ctx.params.filters(), {
    'instance-state-name': (i) => i.state,
    'instance-state-code': (i) => STATE_CODES[i.state],
    'availability-zone': (i) => i.az,
    'instance-status.status': status,
    'system-status.status': status,
    'instance-status.reachability': (i) => (i.state === 'running' ? 'passed' : undefined),
    'system-status.reachability': (i) => (i.state === 'running' ? 'passed' : undefined),
  });
  const page = paginate(filtered, maxResults, ctx.params.str('NextToken'), { min: 5, max: 1000 }, (i) => i.seq);
  const zones = findRegion(ctx.region.name);
  const summary = (i: Instance) => [
    el('status', status(i)),
    items('details', i.state === 'running' ? ['reachability'] : [], (n) => [el('name', n), el('status', 'passed')]),
  ];
  return [
    items('instanceStatusSet', page.items, (i) => [
      el('instanceId', i.id),
      el('availabilityZone', i.az),
      el('availabilityZoneId', zones?.zoneIds[zones.zones.indexOf(i.az)]),
      stateXml('instanceState', i),
      node('instanceStatus', summary(i)),
      node('systemStatus', summary(i)),
      node('attachedEbsStatus', summary(i)),
    ]),
    el('nextToken', page.nextToken),
  ];
}

/**
 * ModifyInstanceAttribute, the security-group form (`GroupId.N`): replaces the primary interface's
 * groups, which must be of the instance's VPC. Other attributes are not modelled: refused by name.
 */
export function modifyInstanceAttribute(ctx: Ctx): XmlChild[] {
  const [inst] = instancesById(ctx, [ctx.params.req('InstanceId')]);
  const groups = ctx.params.list('GroupId');
  if (!inst) throw err.missing('InstanceId');
  if (groups.length === 0) {
    throw new Ec2Error('InvalidParameterValue', `Cloud-Twin models the GroupId attribute of ModifyInstanceAttribute only, not ${ctx.params.str('Attribute') ?? 'this one'}`);
  }
  if (inst.state === 'terminated' || inst.state === 'shutting-down') throw new Ec2Error('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be modified.`);
  const vpcId = getSubnet(ctx.region, inst.subnetId).vpcId;
  for (const id of groups) {
    if (getSecurityGroup(ctx.region, id).vpcId !== vpcId) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${vpcId}'`);
  }
  inst.groupIds = [...new Set(groups)];
  ctx.env.changed();
  return [el('return', true)];
}
