/** ECS instance Status → common VM status (docs/DESIGN.md §3). */
import type { VmStatus } from '@cloud-barista/core/model';

/**
 * ECS's instance states. A launch goes Pending → Starting → Running; a start Stopped → Starting →
 * Running. A deleted instance leaves the listing at once (there is no native "terminated").
 */
export const ECS_STATUS_TO_STATUS: Readonly<Record<string, VmStatus>> = {
  Pending: 'Creating',
  Starting: 'Creating',
  Running: 'Running',
  Stopping: 'Suspending',
  Stopped: 'Suspended',
  Expired: 'Suspended',
  Deleted: 'Terminated',
};

export function toVmStatus(nativeState: string | undefined): VmStatus {
  return (nativeState !== undefined && ECS_STATUS_TO_STATUS[nativeState]) || 'Undefined';
}
