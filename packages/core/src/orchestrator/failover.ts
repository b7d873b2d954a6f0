/**
 * Failover of requirement-placed subgroups during create: when every VM of such a subgroup failed to
 * launch with a capacity or quota error, the subgroup moves to its next candidate (as ranked when it
 * was placed) in another region and launches again, at most `budget` times per subgroup. A subgroup
 * moves as a whole, and only while none of its VMs launched: it never spans two regions. The next
 * candidate is always in another region: quota errors are per account and region, and although
 * EC2 capacity errors are per instance type and zone, a region short of one type is often short of
 * its neighbours, and each failover costs a round of launch attempts.
 */
import { randomUUID } from 'node:crypto';
import { nowIso } from '../domain.js';
import { ProviderError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { Vm } from '../model.js';
import type { OrchestratorDeps } from './deps.js';
import type { Alternate, PlannedSubgroup } from './placement.js';
import type { CreatePlan, FailoverMove } from './plan.js';

export type { FailoverMove };

export interface FailoverState {
  deps: OrchestratorDeps;
  plan: CreatePlan;
  /** Moves allowed per subgroup. */
  budget: number;
  events: EventSink;
  /** VMs whose create call succeeded in this run. */
  launched: ReadonlySet<string>;
  /** Launch failures of this run by VM name (message), and the provider error behind each. */
  failures: Map<string, string>;
  providerErrors: Map<string, ProviderError>;
  relaunch(vms: Vm[]): Promise<void>;
}

const movable = (e: ProviderError | undefined) => e !== undefined && (e.errorClass === 'capacity' || e.errorClass === 'quota');

function nextCandidate(sg: PlannedSubgroup, failedRegions: Set<string>): Alternate | undefined {
  return sg.alternates.find((a) => !failedRegions.has(`${a.provider}:${a.region}`));
}

/** Moves and relaunches until no subgroup can move; returns the moves made. */
export async function failOver(s: FailoverState): Promise<FailoverMove[]> {
  const { deps, plan } = s;
  const moves: FailoverMove[] = [];
  const used = new Map<string, number>();
  /** Regions each subgroup failed in. */
  const failed = new Map<string, Set<string>>(plan.subgroups.map((sg) => [sg.name, new Set<string>()]));
  for (;;) {
    const batch: Vm[] = [];
    for (const sg of plan.subgroups) {
      if (sg.placedBy !== 'requirements' || (used.get(sg.name) ?? 0) >= s.budget) continue;
      const vms = deps.store.listVms(plan.ns, plan.name).filter((v) => v.subgroup === sg.name);
      if (!vms.length || vms.some((v) => s.launched.has(v.name) || v.providerId || !s.failures.has(v.name))) continue;
      const errors = vms.map((v) => s.providerErrors.get(v.name));
      if (!errors.every(movable)) continue;
      const cause = errors[0]!;
      failed.get(sg.name)!.add(`${sg.provider}:${sg.region}`);
      const next = nextCandidate(sg, failed.get(sg.name)!);
      if (!next) {
        s.events({ type: 'warning', message: `[${plan.name}] subgroup ${sg.name}: ${cause.code} in ${sg.connection}, and no candidate is left to fail over to` });
        continue;
      }
      const conn = deps.store.getConnection(next.connection);
      if (!conn) continue;
      used.set(sg.name, (used.get(sg.name) ?? 0) + 1);
      const move: FailoverMove = { subgroup: sg.name, from: { connection: sg.connection, spec: sg.spec }, to: { connection: next.connection, spec: next.spec }, code: cause.code };
      moves.push(move);
      s.events({
        type: 'failover',
        mcis: plan.name,
        subgroup: sg.name,
        from: `${sg.connection} ${sg.spec}`,
        to: `${next.connection} ${next.spec}`,
        code: cause.code,
        message: `${cause.code} (${cause.errorClass}) in ${sg.provider}/${sg.region}: moving ${vms.length} VM(s) to ${next.provider}/${next.region} ${next.spec} (failover ${used.get(sg.name)}/${s.budget})`,
      });
      // The record first: a crash from here on resumes in the new place.
      deps.store.updateMcis(plan.ns, plan.name, (m) => ({
        ...m,
        subgroups: m.subgroups.map((x) => (x.name === sg.name ? { ...x, connection: next.connection, spec: next.spec } : x)),
        updatedAt: nowIso(),
      }));
      for (const vm of vms) {
        const moved = deps.store.updateVm(plan.ns, plan.name, vm.name, (cur) => ({
          ...cur,
          connection: conn.name,
          provider: conn.provider,
          region: conn.region,
          zone: conn.zone,
          spec: next.spec,
          sshPort: conn.sshPort,
          status: 'Creating',
          // A new token: the old one belongs to a call in another region.
          clientToken: randomUUID(),
          providerId: undefined,
          // The overlay key lived on the old disk: the new instance gets a full setup (its address stays).
          overlayKey: undefined,
          error: undefined,
          updatedAt: nowIso(),
        }));
        s.failures.delete(vm.name);
        s.providerErrors.delete(vm.name);
        batch.push(moved);
      }
      Object.assign(sg, {
        connection: conn.name,
        provider: conn.provider,
        region: conn.region,
        spec: next.spec,
        pricePerHour: next.pricePerHour,
        costPerHour: next.pricePerHour === null ? null : Math.round(next.pricePerHour * sg.count * 10_000) / 10_000,
        imageId: null,
      });
      for (const v of plan.vms) if (v.subgroup === sg.name) Object.assign(v, { connection: conn.name, provider: conn.provider, region: conn.region, spec: next.spec });
      if (!plan.connections.includes(conn.name)) plan.connections.push(conn.name);
    }
    if (!batch.length) return moves;
    await s.relaunch(batch);
  }
}
