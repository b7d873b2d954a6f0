/**
 * The VM lifecycle as one table (DESIGN.md §3), and MCIS status aggregation as Tumblebug prints it.
 * Pure: no I/O. Every (status, action) pair is tested.
 */
import { UsageError } from './errors.js';
import type { VmAction } from './domain.js';
import { VM_STATUSES } from './domain.js';
import type { VmStatus } from './model.js';

interface Transition {
  /** Statuses the action may start from. */
  from: readonly VmStatus[];
  /** Status recorded while the cloud works on it. */
  via: VmStatus;
  /** Status the action settles in. */
  to: VmStatus;
}

/**
 * Suspend only from Running, resume only from Suspended, nothing from Terminated. Terminate is
 * allowed from anything alive or broken, so a stuck VM can always be cleaned up.
 */
export const TRANSITIONS: Readonly<Record<VmAction, Transition>> = {
  suspend: { from: ['Running'], via: 'Suspending', to: 'Suspended' },
  resume: { from: ['Suspended'], via: 'Resuming', to: 'Running' },
  reboot: { from: ['Running'], via: 'Rebooting', to: 'Running' },
  terminate: {
    from: ['Creating', 'Running', 'Suspending', 'Suspended', 'Resuming', 'Rebooting', 'Failed', 'Undefined'],
    via: 'Terminating',
    to: 'Terminated',
  },
};

export const VM_ACTIONS = Object.keys(TRANSITIONS) as VmAction[];

export function canApply(status: VmStatus, action: VmAction): boolean {
  return TRANSITIONS[action].from.includes(status);
}

/** Throws a UsageError saying which statuses the action needs. */
export function assertCanApply(vm: string, status: VmStatus, action: VmAction): Transition {
  const t = TRANSITIONS[action];
  if (!t.from.includes(status)) {
    throw new UsageError(`cannot ${action} VM '${vm}': it is ${status}; ${action} needs ${t.from.join(' or ')}`, {
      hint: status === 'Terminated' ? 'a terminated VM cannot be changed; delete the MCIS or run `cbadm mcis refine`' : undefined,
    });
  }
  return t;
}

/**
 * What an action does with a VM in a given recorded status:
 * - apply: make the cloud call;
 * - already: the VM is where the action would take it (a repeat is a no-op, as `aws ec2 stop-instances` is);
 * - recheck: the record is mid-transition (a killed command left it): ask the cloud before deciding;
 * - wait: the cloud is already doing this action (what a recheck can show): wait for it to settle;
 * - refuse: the table forbids it.
 * Reboot is never `already`: rebooting a Running VM is the action itself.
 */
export type ActionPlan = 'apply' | 'already' | 'recheck' | 'wait' | 'refuse';

/** Statuses a killed action may leave behind in the record; the cloud says where the VM really is. */
export const IN_FLIGHT: ReadonlySet<VmStatus> = new Set(['Suspending', 'Resuming', 'Rebooting', 'Terminating']);

export function planAction(status: VmStatus, action: VmAction, opts: { checked?: boolean } = {}): ActionPlan {
  const t = TRANSITIONS[action];
  // A status the cloud just confirmed is final for this decision: no second recheck.
  if (!opts.checked && IN_FLIGHT.has(status)) return 'recheck';
  if (t.from.includes(status)) return 'apply';
  if (status === t.to) return 'already';
  if (status === t.via) return 'wait';
  return 'refuse';
}

/** Statuses a VM passes through on its own; polling continues while any VM is in one. */
export const TRANSIENT: ReadonlySet<VmStatus> = new Set(['Creating', 'Suspending', 'Resuming', 'Rebooting', 'Terminating']);

export type StatusCount = Record<`count${VmStatus}`, number> & { countTotal: number };

export interface McisStatusSummary {
  /** Tumblebug's status line, e.g. `Running:3 (R:3/3)` or `Partial-Running:2 (R:2/3)`. */
  status: string;
  statusCount: StatusCount;
}

/** Tie-break order when two statuses have the same count: Tumblebug's order. */
const PRECEDENCE: readonly VmStatus[] = [
  'Failed',
  'Suspended',
  'Running',
  'Terminated',
  'Creating',
  'Suspending',
  'Resuming',
  'Rebooting',
  'Terminating',
  'Undefined',
];

/**
 * `requested` is the VM count the manifest asks for: VMs refined away still count against it, so
 * `R:50/60` keeps showing the shortfall.
 */
export function aggregateStatus(statuses: readonly VmStatus[], requested = 0): McisStatusSummary {
  const total = Math.max(requested, statuses.length);
  const statusCount = { countTotal: statuses.length } as StatusCount;
  for (const s of VM_STATUSES) statusCount[`count${s}`] = 0;
  for (const s of statuses) statusCount[`count${s}`]++;
  const running = statusCount.countRunning;
  if (statuses.length === 0) return { status: `Empty:0 (R:0/${total})`, statusCount };
  let top: VmStatus = PRECEDENCE[0]!;
  for (const s of PRECEDENCE) if (statusCount[`count${s}`] > statusCount[`count${top}`]) top = s;
  const n = statusCount[`count${top}`];
  const prefix = n === total ? '' : 'Partial-';
  return { status: `${prefix}${top}:${n} (R:${running}/${total})`, statusCount };
}
