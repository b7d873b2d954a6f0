/** Cloudit server states (the ones CB-Spider's Cloudit driver maps) → the common VM status, as a table. */
import { describe, expect, it } from 'vitest';
import { STATE_TO_VM, toVmStatus } from '../src/cloudit/states.js';

describe('Cloudit states', () => {
  it.each([
    ['Creating', 'Creating'],
    ['Running', 'Running'],
    ['Stopping', 'Suspending'],
    ['Stopped', 'Suspended'],
    ['Starting', 'Resuming'],
    ['Rebooting', 'Rebooting'],
    ['Terminating', 'Terminating'],
    ['Terminated', 'Terminated'],
    ['Failed', 'Failed'],
    ['RUNNING', 'Running'],
    ['stopped', 'Suspended'],
    ['Migrating', 'Undefined'],
    ['', 'Undefined'],
  ])('%s → %s', (native, status) => {
    expect(toVmStatus(native)).toBe(status);
  });

  it('maps every state CB-Spider names', () => {
    expect(Object.keys(STATE_TO_VM).sort()).toEqual(['creating', 'failed', 'rebooting', 'running', 'starting', 'stopped', 'stopping', 'terminated', 'terminating']);
  });
});
