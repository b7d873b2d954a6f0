/**
 * Instance actions: Start/Stop/Reboot/DeleteInstances (batch; `BatchOptimization=SuccessFirst`
 * answers per instance, the default `AllTogether` fails the whole call) and their single-instance
 * forms (StartInstance…, as older clients such as Apache Libcloud call them), and tags.
 */
import type { EcsCtx, EcsHandler } from './context.js';
import { EcsError, invalid } from './errors.js';
import { ecsStatus, listed } from './instance-view.js';
import type { EcsInstance, EcsTag } from './model.js';
import { matchesTags, mergeTags } from './tags.js';
import type { WireObject } from './wire.js';

type Act = 'start' | 'stop' | 'reboot' | 'delete';

export function instanceOf(ctx: EcsCtx, id: string): EcsInstance {
  const i = ctx.region.instances.get(id);
  if (!i || !listed(i)) throw new EcsError('InvalidInstanceId.NotFound', `The specified InstanceId '${id}' does not exist.`);
  return i;
}

/** Why `act` is refused in the instance's state, or undefined if it may go ahead. */
function refused(i: EcsInstance, act: Act, force: boolean): string | undefined {
  // ECS releases a stopped instance, or a running (stopping) one with Force; never one still starting.
  const deletable = i.state === 'stopped' || (force && (i.state === 'running' || i.state === 'stopping'));
  const ok = act === 'start' ? i.state === 'stopped' : act === 'stop' || act === 'reboot' ? i.state === 'running' : deletable;
  return ok ? undefined : `The current status of the resource (${ecsStatus(i)}) does not support this operation.`;
}

function apply(ctx: EcsCtx, i: EcsInstance, act: Act): void {
  const life = ctx.env.lifecycle;
  switch (act) {
    case 'start':
      i.everRan = true;
      i.startedAt = ctx.env.now();
      life.start(ctx.region, i);
      break;
    case 'stop':
      i.stoppedMode = ctx.params.get('StoppedMode') === 'StopCharging' ? 'StopCharging' : 'KeepCharging';
      life.stop(ctx.region, i);
      break;
    case 'reboot':
      life.reboot(ctx.region, i);
      break;
    case 'delete':
      life.terminate(ctx.region, i);
      break;
  }
  ctx.env.changed();
}

function checkStoppedMode(ctx: EcsCtx): void {
  const mode = ctx.params.get('StoppedMode');
  if (mode !== undefined && mode !== 'StopCharging' && mode !== 'KeepCharging') throw invalid('StoppedMode', 'expected StopCharging or KeepCharging');
}

function batch(act: Act): EcsHandler {
  return (ctx) => {
    const p = ctx.params;
    checkStoppedMode(ctx);
    const ids = p.list('InstanceId');
    if (ids.length === 0) throw new EcsError('MissingParameter', 'The input parameter "InstanceId" that is mandatory for processing this request is not supplied.');
    const force = p.bool(act === 'delete' ? 'Force' : 'ForceStop');
    if (act === 'delete') {
      // DeleteInstances has no per-instance answer: every instance must qualify.
      const insts = ids.map((id) => instanceOf(ctx, id));
      for (const i of insts) {
        const why = refused(i, act, force);
        if (why) throw new EcsError('IncorrectInstanceStatus', `${why} Wait until it is Running or Stopped; a running instance needs Force=true.`);
      }
      for (const i of insts) apply(ctx, i, act);
      return {};
    }
    const successFirst = p.get('BatchOptimization') === 'SuccessFirst';
    if (!successFirst) {
      for (const id of ids) {
        const why = refused(instanceOf(ctx, id), act, force);
        if (why) throw new EcsError('IncorrectInstanceStatus', why);
      }
    }
    const answers = ids.map((id) => {
      const i = ctx.region.instances.get(id);
      if (!i || !listed(i)) return { InstanceId: id, Code: 'InvalidInstanceId.NotFound', Message: 'The specified InstanceId does not exist.', PreviousStatus: '', CurrentStatus: '' };
      const before = ecsStatus(i);
      const why = refused(i, act, force);
      if (why) return { InstanceId: id, Code: 'IncorrectInstanceStatus', Message: why, PreviousStatus: before, CurrentStatus: before };
      apply(ctx, i, act);
      return { InstanceId: id, Code: '200', Message: 'success', PreviousStatus: before, CurrentStatus: ecsStatus(i) };
    });
    return { InstanceResponses: { InstanceResponse: answers } };
  };
}

function single(act: Act): EcsHandler {
  return (ctx) => {
    checkStoppedMode(ctx);
    const i = instanceOf(ctx, ctx.params.required('InstanceId'));
    const why = refused(i, act, ctx.params.bool(act === 'delete' ? 'Force' : 'ForceStop'));
    if (why) throw new EcsError('IncorrectInstanceStatus', why);
    apply(ctx, i, act);
    return {};
  };
}

/** The tags of a resource TagResources may name, by type. */
function taggable(ctx: EcsCtx, type: string, id: string): EcsTag[] {
  const r = ctx.region;
  const found = type === 'instance' ? r.instances.get(id) : type === 'securitygroup' ? r.securityGroups.get(id) : type === 'keypair' ? r.keyPairs.get(id) : undefined;
  if (!found) throw new EcsError('InvalidResourceId.NotFound', `The specified resource ${type}/${id} does not exist.`, 404);
  return found.tags;
}

function resourceType(ctx: EcsCtx): string {
  const t = ctx.params.required('ResourceType').toLowerCase();
  if (!['instance', 'securitygroup', 'keypair'].includes(t)) throw invalid('ResourceType', 'the twin tags instance, securitygroup and keypair');
  return t;
}

function tagResources(ctx: EcsCtx): WireObject {
  const type = resourceType(ctx);
  const tags = ctx.params.tags();
  if (tags.length === 0) throw new EcsError('MissingParameter', 'The input parameter "Tag.1.Key" that is mandatory for processing this request is not supplied.');
  for (const id of ctx.params.list('ResourceId')) mergeTags(taggable(ctx, type, id), tags);
  ctx.env.changed();
  return {};
}

function untagResources(ctx: EcsCtx): WireObject {
  const type = resourceType(ctx);
  const keys = ctx.params.list('TagKey');
  const all = ctx.params.bool('All');
  for (const id of ctx.params.list('ResourceId')) {
    const tags = taggable(ctx, type, id);
    const keep = tags.filter((t) => !all && !keys.includes(t.TagKey));
    tags.splice(0, tags.length, ...keep);
  }
  ctx.env.changed();
  return {};
}

function listTagResources(ctx: EcsCtx): WireObject {
  const type = resourceType(ctx);
  const ids = ctx.params.list('ResourceId');
  const filter = ctx.params.tags();
  const r = ctx.region;
  const pool: Array<[string, EcsTag[]]> =
    type === 'instance'
      ? [...r.instances.values()].filter(listed).map((i) => [i.id, i.tags])
      : type === 'securitygroup'
        ? [...r.securityGroups.values()].map((g) => [g.id, g.tags])
        : [...r.keyPairs.values()].map((k) => [k.name, k.tags]);
  const rows = pool
    .filter(([id, tags]) => (ids.length === 0 || ids.includes(id)) && matchesTags(tags, filter))
    .flatMap(([id, tags]) => tags.map((t) => ({ ResourceType: type, ResourceId: id, TagKey: t.TagKey, TagValue: t.TagValue })));
  return { NextToken: '', TagResources: { TagResource: rows } };
}

export const INSTANCE_ACTIONS: Readonly<Record<string, EcsHandler>> = {
  StartInstances: batch('start'),
  StopInstances: batch('stop'),
  RebootInstances: batch('reboot'),
  DeleteInstances: batch('delete'),
  StartInstance: single('start'),
  StopInstance: single('stop'),
  RebootInstance: single('reboot'),
  DeleteInstance: single('delete'),
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
};
