/** GCE instance status → common VM status (docs/DESIGN.md §3). */
import type { VmStatus } from '@cloud-barista/core/model';

/**
 * GCE's instance statuses. TERMINATED means stopped (disks kept, no vCPU charge), not gone: a
 * deleted instance simply disappears. SUSPENDING/SUSPENDED are GCE's suspend-to-memory, which this
 * driver does not use for Suspend but can meet on instances suspended by other tools.
 */
export const GCE_STATUS_TO_STATUS: Readonly<Record<string, VmStatus>> = {
  PROVISIONING: 'Creating',
  STAGING: 'Creating',
  RUNNING: 'Running',
  STOPPING: 'Suspending',
  TERMINATED: 'Suspended',
  SUSPENDING: 'Suspending',
  SUSPENDED: 'Suspended',
  REPAIRING: 'Undefined',
};

export function toVmStatus(nativeStatus: string | null | undefined): VmStatus {
  return (nativeStatus && GCE_STATUS_TO_STATUS[nativeStatus]) || 'Undefined';
}
