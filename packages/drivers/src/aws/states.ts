/** EC2 instance state name → common VM status (docs/DESIGN.md §3). */
import type { VmStatus } from '@cloud-barista/core/model';

/**
 * EC2's six instance states. There is no native "rebooting": a rebooting instance stays `running`,
 * so Rebooting is only ever a status the orchestrator sets while it waits.
 */
export const EC2_STATE_TO_STATUS: Readonly<Record<string, VmStatus>> = {
  pending: 'Creating',
  running: 'Running',
  stopping: 'Suspending',
  stopped: 'Suspended',
  'shutting-down': 'Terminating',
  terminated: 'Terminated',
};

export function toVmStatus(nativeState: string | undefined): VmStatus {
  return (nativeState !== undefined && EC2_STATE_TO_STATUS[nativeState]) || 'Undefined';
}
