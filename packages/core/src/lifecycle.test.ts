import { describe, expect, it } from 'vitest';
import { aggregateStatus, assertCanApply, canApply, planAction, TRANSIENT, TRANSITIONS, VM_ACTIONS, type ActionPlan } from './lifecycle.js';
import { UsageError } from './errors.js';
import { VM_STATUSES, type VmStatus } from './model.js';
import type { VmAction } from './driver/port.js';

// The expected table, written out independently of the implementation: [status][action] → allowed.
const ALLOWED: Record<VmStatus, VmAction[]> = {
  Creating: ['terminate'],
  Running: ['suspend', 'reboot', 'terminate'],
  Suspending: ['terminate'],
  Suspended: ['resume', 'terminate'],
  Resuming: ['terminate'],
  Rebooting: ['terminate'],
  Terminating: [],
  Terminated: [],
  Failed: ['terminate'],
  Undefined: ['terminate'],
};

describe('transition table', () => {
  for (const status of VM_STATUSES) {
    for (const action of VM_ACTIONS) {
      const allowed = ALLOWED[status].includes(action);
      it(`${action} from ${status} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canApply(status, action)).toBe(allowed);
        if (allowed) {
          expect(assertCanApply('web-1', status, action)).toBe(TRANSITIONS[action]);
        } else {
          expect(() => assertCanApply('web-1', status, action)).toThrow(UsageError);
          expect(() => assertCanApply('web-1', status, action)).toThrow(new RegExp(`cannot ${action} VM 'web-1': it is ${status}`));
        }
      });
    }
  }

  it('settles each action in the status users expect', () => {
    expect(TRANSITIONS.suspend.to).toBe('Suspended');
    expect(TRANSITIONS.resume.to).toBe('Running');
    expect(TRANSITIONS.reboot.to).toBe('Running');
    expect(TRANSITIONS.terminate.to).toBe('Terminated');
  });

  // The status recorded while the cloud works: what `mcis get` shows mid-action and what a re-run
  // after a kill finds, so each must name the action, never a settled status.
  it.each([
    ['suspend', 'Suspending'],
    ['resume', 'Resuming'],
    ['reboot', 'Rebooting'],
    ['terminate', 'Terminating'],
  ] as const)('%s is recorded as %s while the cloud works on it', (action, via) => {
    expect(TRANSITIONS[action].via).toBe(via);
    expect(TRANSIENT.has(via)).toBe(true);
  });

  it('polls only while a VM is in a transitional status', () => {
    expect([...TRANSIENT].sort()).toEqual(['Creating', 'Rebooting', 'Resuming', 'Suspending', 'Terminating']);
  });
});

// What a (re-)run does per recorded status, written out independently: [action] → status → plan.
const PLAN: Record<VmAction, Record<VmStatus, ActionPlan>> = {
  suspend: { Creating: 'refuse', Running: 'apply', Suspending: 'wait', Suspended: 'already', Resuming: 'refuse', Rebooting: 'refuse', Terminating: 'refuse', Terminated: 'refuse', Failed: 'refuse', Undefined: 'refuse' },
  resume: { Creating: 'refuse', Running: 'already', Suspending: 'refuse', Suspended: 'apply', Resuming: 'wait', Rebooting: 'refuse', Terminating: 'refuse', Terminated: 'refuse', Failed: 'refuse', Undefined: 'refuse' },
  reboot: { Creating: 'refuse', Running: 'apply', Suspending: 'refuse', Suspended: 'refuse', Resuming: 'refuse', Rebooting: 'wait', Terminating: 'refuse', Terminated: 'refuse', Failed: 'refuse', Undefined: 'refuse' },
  terminate: { Creating: 'apply', Running: 'apply', Suspending: 'apply', Suspended: 'apply', Resuming: 'apply', Rebooting: 'apply', Terminating: 'wait', Terminated: 'already', Failed: 'apply', Undefined: 'apply' },
};
const IN_FLIGHT_STATUSES: VmStatus[] = ['Suspending', 'Resuming', 'Rebooting', 'Terminating'];

describe('planAction (resume after a kill, repeat as a no-op)', () => {
  for (const action of VM_ACTIONS) {
    for (const status of VM_STATUSES) {
      const unchecked = IN_FLIGHT_STATUSES.includes(status) ? 'recheck' : PLAN[action][status];
      it(`${action} on a recorded ${status}: ${unchecked}; once the cloud confirms ${status}: ${PLAN[action][status]}`, () => {
        expect(planAction(status, action)).toBe(unchecked);
        expect(planAction(status, action, { checked: true })).toBe(PLAN[action][status]);
      });
    }
  }
});

describe('aggregateStatus', () => {
  it('counts VMs refined away against the requested count', () => {
    expect(aggregateStatus(Array<VmStatus>(50).fill('Running'), 60).status).toBe('Partial-Running:50 (R:50/60)');
    expect(aggregateStatus(['Running', 'Running'], 2).status).toBe('Running:2 (R:2/2)');
    expect(aggregateStatus([], 3).status).toBe('Empty:0 (R:0/3)');
  });

  it('prints all-running as Tumblebug does', () => {
    const s = aggregateStatus(['Running', 'Running', 'Running']);
    expect(s.status).toBe('Running:3 (R:3/3)');
    expect(s.statusCount.countRunning).toBe(3);
    expect(s.statusCount.countTotal).toBe(3);
  });
  it('marks a mixed MCIS Partial- with the dominant status', () => {
    expect(aggregateStatus(['Running', 'Running', 'Failed']).status).toBe('Partial-Running:2 (R:2/3)');
    expect(aggregateStatus(['Suspended', 'Suspended', 'Running']).status).toBe('Partial-Suspended:2 (R:1/3)');
  });
  it('breaks ties in Tumblebug order (Failed before Suspended before Running)', () => {
    expect(aggregateStatus(['Running', 'Failed']).status).toBe('Partial-Failed:1 (R:1/2)');
    expect(aggregateStatus(['Running', 'Suspended']).status).toBe('Partial-Suspended:1 (R:1/2)');
    expect(aggregateStatus(['Creating', 'Running']).status).toBe('Partial-Running:1 (R:1/2)');
  });
  it('counts every status', () => {
    const s = aggregateStatus([...VM_STATUSES]);
    for (const st of VM_STATUSES) expect(s.statusCount[`count${st}`]).toBe(1);
    expect(s.statusCount.countTotal).toBe(VM_STATUSES.length);
  });
  it('handles an empty MCIS', () => {
    expect(aggregateStatus([]).status).toBe('Empty:0 (R:0/0)');
  });
  it('all terminated', () => {
    expect(aggregateStatus(['Terminated', 'Terminated']).status).toBe('Terminated:2 (R:0/2)');
  });
});
