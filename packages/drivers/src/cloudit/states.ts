/**
 * Cloudit server state → common VM status (docs/DESIGN.md §3). Cloudit's states are the ones
 * CB-Spider's Cloudit driver maps: Creating, Running, Stopping, Stopped, Starting, Rebooting,
 * Terminating, Terminated, Failed. Compared without case, as CB-Spider does; an unknown one is
 * Undefined (not Failed: nothing says it failed).
 */
import type { VmStatus } from '@cloud-barista/core/model';

export const STATE_TO_VM: Readonly<Record<string, VmStatus>> = {
  creating: 'Creating',
  running: 'Running',
  stopping: 'Suspending',
  stopped: 'Suspended',
  starting: 'Resuming',
  rebooting: 'Rebooting',
  terminating: 'Terminating',
  terminated: 'Terminated',
  failed: 'Failed',
};

export function toVmStatus(state: string | undefined): VmStatus {
  return STATE_TO_VM[(state ?? '').toLowerCase()] ?? 'Undefined';
}
