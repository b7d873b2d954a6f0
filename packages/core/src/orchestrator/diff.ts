/**
 * What `plan` shows and `apply` does: the manifest's planned VMs against the record and against what
 * the clouds say (the refresh), as Terraform-style changes with a reason each. Pure: no store, no
 * cloud call.
 */
import type { Mcis, Vm, VmStatus } from '../model.js';
import type { CreatePlan } from './plan.js';
import { firewallChanges, intentOf, type FirewallIntent } from '../firewall.js';

export type ChangeOp = 'create' | 'destroy' | 'replace' | 'update';

export interface VmShape {
  connection: string;
  spec: string;
  image: string;
}

export interface Change {
  op: ChangeOp;
  /** A VM name; for an MCIS-level change, the MCIS name. */
  target: string;
  kind: 'vm' | 'mcis' | 'firewall';
  subgroup?: string;
  reason: string;
  /** The clouds disagree with the record (a VM gone or stopped outside cbadm, an unknown instance). */
  drift?: boolean;
  before?: VmShape;
  after?: VmShape;
  /** An instance no record holds: destroyed by its id. */
  orphan?: { connection: string; providerId: string };
}

/** What the refresh found, per provider id. */
export interface CloudView {
  /** Status of every recorded instance the cloud still lists. */
  seen: Map<string, VmStatus>;
  /** Connections that could not be asked, with why: their VMs are taken as recorded. */
  unreachable: Map<string, string>;
  /** Instances tagged with this MCIS that no record holds. */
  orphans: Array<{ connection: string; providerId: string; vm?: string; status: VmStatus }>;
  /** The rules each connection's MCIS firewall holds (firewall.ts ruleKey form). */
  firewalls?: Map<string, string[]>;
}

export const emptyCloudView = (): CloudView => ({ seen: new Map(), unreachable: new Map(), orphans: [] });

/** MCIS firewalls whose rules someone changed outside cbadm since the last sync: apply syncs them back. */
function firewallDrift(record: Mcis | undefined, cloud: CloudView): Change[] {
  return Object.entries(record?.firewalls ?? {}).flatMap(([conn, entry]): Change[] => {
    const held = cloud.firewalls?.get(conn);
    if (!held || !entry.applied) return [];
    const want = new Set(entry.applied);
    const extra = held.filter((k) => !want.has(k));
    const missing = entry.applied.filter((k) => !held.includes(k));
    if (!extra.length && !missing.length) return [];
    const what = [...missing.map((k) => `${k} missing`), ...extra.map((k) => `${k} added`)].join(', ');
    return [{ op: 'update', kind: 'firewall', target: 'firewall', reason: `the MCIS firewall on ${conn} was changed outside cbadm: ${what}`, drift: true }];
  });
}

/** Record statuses that mean the VM must be launched again. */
const BROKEN: ReadonlySet<VmStatus> = new Set(['Failed', 'Undefined', 'Terminated']);

/** Why the cloud's view makes this VM need a new instance, if it does. */
function goneInCloud(vm: Vm, cloud: CloudView): string | undefined {
  if (!vm.providerId || cloud.unreachable.has(vm.connection) || vm.status === 'Terminated') return undefined;
  const seen = cloud.seen.get(vm.providerId);
  if (seen === undefined) return 'terminated outside cbadm: the cloud no longer lists it';
  if (seen === 'Terminated' || seen === 'Terminating') return 'terminated outside cbadm';
  return undefined;
}

const shapeOf = (v: VmShape): VmShape => ({ connection: v.connection, spec: v.spec, image: v.image });

function shapeChange(before: VmShape, after: VmShape): string | undefined {
  const parts: string[] = [];
  if (before.connection !== after.connection) parts.push(`connection ${before.connection} → ${after.connection}`);
  if (before.spec !== after.spec) parts.push(`spec ${before.spec} → ${after.spec}`);
  if (before.image !== after.image) parts.push(`image ${before.image} → ${after.image}`);
  return parts.length ? `${parts.join(', ')} (forces a new VM)` : undefined;
}

/** What the manifest wants beyond its VMs: labels, and the files and run owed once to every VM. */
export type McisExtras = Pick<Mcis, 'labels' | 'files' | 'run'> & { firewall?: FirewallIntent };

export function diffMcis(plan: CreatePlan, record: Mcis | undefined, vms: Vm[], cloud: CloudView, want: McisExtras): Change[] {
  const provisions = !!(want.files?.length || want.run?.length);
  const changes: Change[] = [];
  const recorded = new Map(vms.filter((v) => v.origin !== 'registered').map((v) => [v.name, v]));
  const countBefore = (sg: string) => record?.subgroups.find((s) => s.name === sg)?.count;
  const countAfter = (sg: string) => plan.subgroups.find((s) => s.name === sg)?.count;
  const countReason = (sg: string) => {
    if (!record) return 'new MCIS';
    const [b, a] = [countBefore(sg), countAfter(sg)];
    if (b === undefined) return `subgroup ${sg} added`;
    if (a === undefined) return `subgroup ${sg} removed`;
    return `count ${b} → ${a}`;
  };

  for (const p of plan.vms) {
    const after = shapeOf(p);
    const rec = recorded.get(p.name);
    if (!rec || (rec.status === 'Creating' && !rec.providerId && !rec.error)) {
      changes.push({ op: 'create', kind: 'vm', target: p.name, subgroup: p.subgroup, reason: rec ? 'an interrupted create' : countReason(p.subgroup), after });
      continue;
    }
    const before = shapeOf(rec);
    const reshaped = shapeChange(before, after);
    const gone = goneInCloud(rec, cloud);
    if (reshaped) changes.push({ op: 'replace', kind: 'vm', target: p.name, subgroup: p.subgroup, reason: reshaped, before, after });
    else if (gone) changes.push({ op: 'replace', kind: 'vm', target: p.name, subgroup: p.subgroup, reason: gone, drift: true, before, after });
    else if (BROKEN.has(rec.status)) changes.push({ op: 'replace', kind: 'vm', target: p.name, subgroup: p.subgroup, reason: `${rec.status}${rec.error ? `: ${rec.error}` : ''}`, before, after });
    else if (provisions && rec.status === 'Running' && !rec.provisionedAt) changes.push({ op: 'update', kind: 'vm', target: p.name, subgroup: p.subgroup, reason: 'spec.files/spec.run not done on this VM yet' });
  }

  const planned = new Set(plan.vms.map((p) => p.name));
  for (const rec of recorded.values()) {
    if (planned.has(rec.name)) continue;
    // A record of a VM already gone is dropped without a word: there is nothing to destroy.
    if (rec.status === 'Terminated' || (!rec.providerId && rec.status !== 'Creating')) continue;
    changes.push({ op: 'destroy', kind: 'vm', target: rec.name, subgroup: rec.subgroup, reason: countReason(rec.subgroup), before: shapeOf(rec) });
  }

  changes.push(...orphanChanges(cloud));

  if (record && JSON.stringify(sorted(record.labels)) !== JSON.stringify(sorted(want.labels))) {
    changes.push({ op: 'update', kind: 'mcis', target: plan.name, reason: `labels ${fmt(record.labels)} → ${fmt(want.labels)}` });
  }
  const same = (a: unknown[] | undefined, b: unknown[] | undefined) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
  if (record && !(same(record.files, want.files) && same(record.run, want.run))) {
    changes.push({ op: 'update', kind: 'mcis', target: plan.name, reason: 'spec.files/spec.run changed: VMs added from now on get the new ones' });
  }
  if (record && want.firewall) changes.push(...ruleChanges(intentOf(record), want.firewall));
  changes.push(...firewallDrift(record, cloud));
  return changes;
}

/** One `~ update` line per manifest firewall rule added or removed (realised in place on every connection). */
export function ruleChanges(before: FirewallIntent, after: FirewallIntent): Change[] {
  const { added, removed } = firewallChanges(before, after);
  return [
    ...added.map((r): Change => ({ op: 'update', kind: 'firewall', target: 'firewall', reason: `rule added: ${r}` })),
    ...removed.map((r): Change => ({ op: 'update', kind: 'firewall', target: 'firewall', reason: `rule removed: ${r}` })),
  ];
}

/**
 * Where the clouds disagree with the record alone (no manifest): VMs gone, stopped or started
 * outside cbadm, and instances tagged with the MCIS that no record holds.
 */
export function driftOf(vms: Vm[], cloud: CloudView, record?: Mcis): Change[] {
  const out: Change[] = [];
  for (const vm of vms) {
    if (vm.origin === 'registered') continue;
    const gone = goneInCloud(vm, cloud);
    if (gone) {
      out.push({ op: 'replace', kind: 'vm', target: vm.name, subgroup: vm.subgroup, reason: gone, drift: true, before: shapeOf(vm), after: shapeOf(vm) });
      continue;
    }
    const seen = vm.providerId && !cloud.unreachable.has(vm.connection) ? cloud.seen.get(vm.providerId) : undefined;
    if (seen && (vm.status === 'Running' || vm.status === 'Suspended') && seen !== vm.status && (seen === 'Running' || seen === 'Suspended')) {
      out.push({ op: 'update', kind: 'vm', target: vm.name, subgroup: vm.subgroup, reason: `${seen} in the cloud, ${vm.status} in the record`, drift: true });
    }
  }
  return [...out, ...orphanChanges(cloud), ...firewallDrift(record, cloud)];
}

function orphanChanges(cloud: CloudView): Change[] {
  return cloud.orphans
    .filter((o) => o.status !== 'Terminated' && o.status !== 'Terminating')
    .map((o) => ({
      op: 'destroy' as const,
      kind: 'vm' as const,
      target: o.vm ?? o.providerId,
      reason: `a cb-managed instance (${o.providerId} on ${o.connection}) no record knows`,
      drift: true,
      orphan: { connection: o.connection, providerId: o.providerId },
    }));
}

/** Counts per op, for the summary line. */
export function countChanges(changes: Change[]): Record<ChangeOp, number> {
  const n: Record<ChangeOp, number> = { create: 0, destroy: 0, replace: 0, update: 0 };
  for (const c of changes) n[c.op]++;
  return n;
}

function sorted(o: Record<string, string>): Array<[string, string]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

function fmt(o: Record<string, string>): string {
  const e = sorted(o);
  return e.length ? `{${e.map(([k, v]) => `${k}=${v}`).join(', ')}}` : '{}';
}
