/** Firewall rules: global, per network and direction, exactly one of allowed / denied. */
import { listResponse } from './catalog.js';
import type { GceCtx, GceEnv, GceHandler } from './context.js';
import { alreadyExists, GceError, invalidField, notFound, requiredField } from './errors.js';
import { parseRef, resourceHead, type Links } from './links.js';
import { firewallPath, networkPath, type FirewallRule, type GceFirewall, type GceProject } from './model.js';
import { checkName, checkPriority, checkRanges, optString, stringList } from './fields.js';
import { findNetwork } from './networks.js';

function checkRules(v: unknown, field: string): FirewallRule[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw invalidField(field, JSON.stringify(v), 'Must be a list.');
  return v.map((r: unknown, i) => {
    const rule = (r ?? {}) as { IPProtocol?: unknown; ports?: unknown };
    if (typeof rule.IPProtocol !== 'string' || !rule.IPProtocol) throw requiredField(`${field}[${i}].IPProtocol`);
    const ports = stringList(rule.ports, `${field}[${i}].ports`);
    for (const port of ports ?? []) {
      if (!/^\d{1,5}(-\d{1,5})?$/.test(port)) throw invalidField(`${field}[${i}].ports[]`, port, 'Must be a port or a port range.');
    }
    return { IPProtocol: rule.IPProtocol.toLowerCase(), ...(ports ? { ports } : {}) };
  });
}

export function renderFirewall(links: Links, p: GceProject, f: GceFirewall): Record<string, unknown> {
  return {
    ...resourceHead('firewall', f),
    network: links.link(networkPath(p.id, f.network)),
    priority: f.priority,
    ...(f.sourceRanges ? { sourceRanges: f.sourceRanges } : {}),
    ...(f.destinationRanges ? { destinationRanges: f.destinationRanges } : {}),
    ...(f.sourceTags ? { sourceTags: f.sourceTags } : {}),
    ...(f.targetTags ? { targetTags: f.targetTags } : {}),
    ...(f.allowed ? { allowed: f.allowed } : {}),
    ...(f.denied ? { denied: f.denied } : {}),
    direction: f.direction,
    logConfig: { enable: false },
    disabled: f.disabled,
    selfLink: links.link(firewallPath(p.id, f.name)),
  };
}

export function createFirewall(env: GceEnv, p: GceProject, f: Omit<GceFirewall, 'id' | 'createdAt'>): GceFirewall {
  const fw: GceFirewall = { ...f, id: env.nextId(), createdAt: env.now() };
  p.firewalls.set(fw.name, fw);
  return fw;
}

const firewallsInsert: GceHandler = (ctx) => {
  const p = ctx.project;
  const b = ctx.body;
  const name = checkName(b.name);
  if (p.firewalls.has(name)) throw alreadyExists(firewallPath(p.id, name));
  const networkRef = typeof b.network === 'string' && b.network ? parseRef(b.network, 'networks') : { name: 'default' };
  if (!networkRef) throw invalidField('resource.network', b.network, 'Must be a URL to a valid network.');
  const network = findNetwork(ctx, networkRef.name);
  const direction = b.direction ?? 'INGRESS';
  if (direction !== 'INGRESS' && direction !== 'EGRESS') throw invalidField('resource.direction', direction, 'Must be INGRESS or EGRESS.');
  const allowed = checkRules(b.allowed, 'resource.allowed');
  const denied = checkRules(b.denied, 'resource.denied');
  if (!allowed === !denied) throw new GceError('invalid', "Invalid value for field 'resource': exactly one of 'allowed' or 'denied' must be specified.");
  const priority = b.priority === undefined ? 1000 : checkPriority(b.priority, 'resource.priority');
  const sourceRanges = stringList(b.sourceRanges, 'resource.sourceRanges');
  const sourceTags = stringList(b.sourceTags, 'resource.sourceTags');
  const destinationRanges = stringList(b.destinationRanges, 'resource.destinationRanges');
  checkRanges([...(sourceRanges ?? []), ...(destinationRanges ?? [])], 'resource.sourceRanges[]');
  const targetTags = stringList(b.targetTags, 'resource.targetTags');
  const description = optString(b.description, 'resource.description');
  const fw = createFirewall(ctx.env, p, {
    name,
    network: network.name,
    priority,
    direction,
    ...(allowed ? { allowed } : {}),
    ...(denied ? { denied } : {}),
    // An ingress rule without sources applies to every source, and GCE says so in the resource.
    ...(direction === 'INGRESS' ? { sourceRanges: sourceRanges ?? (sourceTags ? undefined : ['0.0.0.0/0']) } : {}),
    ...(direction === 'EGRESS' ? { destinationRanges: destinationRanges ?? ['0.0.0.0/0'] } : {}),
    ...(sourceTags ? { sourceTags } : {}),
    ...(targetTags ? { targetTags } : {}),
    ...(description ? { description } : {}),
    disabled: b.disabled === true,
  });
  return { target: firewallPath(p.id, name), targetId: fw.id };
};

function findFirewall(ctx: GceCtx): GceFirewall {
  const f = ctx.project.firewalls.get(ctx.params.firewall ?? '');
  if (!f) throw notFound(firewallPath(ctx.project.id, ctx.params.firewall ?? ''));
  return f;
}

const firewallsGet: GceHandler = (ctx) => renderFirewall(ctx.links, ctx.project, findFirewall(ctx));

const firewallsList: GceHandler = (ctx) =>
  listResponse(ctx, 'compute#firewallList', `projects/${ctx.project.id}/global/firewalls`, [...ctx.project.firewalls.values()].map((f) => renderFirewall(ctx.links, ctx.project, f)));

/**
 * PATCH semantics: the fields present replace the stored ones, the rest stay; name, network and
 * direction cannot change, and the result must still have exactly one of allowed / denied.
 */
const firewallsPatch: GceHandler = (ctx) => {
  const f = findFirewall(ctx);
  const b = ctx.body;
  if (b.name !== undefined && b.name !== f.name) throw invalidField('resource.name', b.name, 'Cannot be changed.');
  if (b.direction !== undefined && b.direction !== f.direction) throw invalidField('resource.direction', b.direction, 'Cannot be changed.');
  const allowed = checkRules(b.allowed, 'resource.allowed');
  const denied = checkRules(b.denied, 'resource.denied');
  if (allowed && denied) throw new GceError('invalid', "Invalid value for field 'resource': exactly one of 'allowed' or 'denied' must be specified.");
  const priority = b.priority === undefined ? f.priority : checkPriority(b.priority, 'resource.priority');
  const sourceRanges = stringList(b.sourceRanges, 'resource.sourceRanges');
  checkRanges(sourceRanges, 'resource.sourceRanges[]');
  const targetTags = stringList(b.targetTags, 'resource.targetTags');
  const description = optString(b.description, 'resource.description');
  if (allowed) {
    f.allowed = allowed;
    delete f.denied;
  }
  if (denied) {
    f.denied = denied;
    delete f.allowed;
  }
  f.priority = priority;
  if (sourceRanges) f.sourceRanges = sourceRanges;
  if (targetTags) f.targetTags = targetTags;
  if (description !== undefined) f.description = description;
  if (typeof b.disabled === 'boolean') f.disabled = b.disabled;
  return { target: firewallPath(ctx.project.id, f.name), targetId: f.id };
};

const firewallsDelete: GceHandler = (ctx) => {
  const f = findFirewall(ctx);
  ctx.project.firewalls.delete(f.name);
  return { target: firewallPath(ctx.project.id, f.name), targetId: f.id };
};

export const FIREWALL_HANDLERS = {
  firewallsInsert,
  firewallsGet,
  firewallsList,
  firewallsPatch,
  firewallsDelete,
};
