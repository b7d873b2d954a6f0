/**
 * Nova server state → common VM status (docs/DESIGN.md §3). Nova shows three things: `status`
 * (ACTIVE, BUILD, SHUTOFF, REBOOT, ERROR…), and with the extended-status fields the `vm_state`
 * (what the server is) and `task_state` (what Nova is doing to it). A task in progress says more
 * than the status: an ACTIVE server powering off is Suspending, a SHUTOFF one powering on is
 * Resuming, anything deleting is Terminating.
 */
import type { VmStatus } from '@cloud-barista/core/model';

export const STATUS_TO_VM: Readonly<Record<string, VmStatus>> = {
  BUILD: 'Creating',
  ACTIVE: 'Running',
  REBOOT: 'Rebooting',
  HARD_REBOOT: 'Rebooting',
  SHUTOFF: 'Suspended',
  STOPPED: 'Suspended',
  SUSPENDED: 'Suspended',
  PAUSED: 'Suspended',
  SHELVED: 'Suspended',
  SHELVED_OFFLOADED: 'Suspended',
  ERROR: 'Failed',
  DELETED: 'Terminated',
  SOFT_DELETED: 'Terminated',
  MIGRATING: 'Running',
  RESIZE: 'Running',
  VERIFY_RESIZE: 'Running',
  REVERT_RESIZE: 'Running',
  PASSWORD: 'Running',
  REBUILD: 'Creating',
  RESCUE: 'Running',
  UNKNOWN: 'Undefined',
};

export const TASK_TO_VM: Readonly<Record<string, VmStatus>> = {
  scheduling: 'Creating',
  block_device_mapping: 'Creating',
  networking: 'Creating',
  spawning: 'Creating',
  'powering-off': 'Suspending',
  suspending: 'Suspending',
  pausing: 'Suspending',
  shelving: 'Suspending',
  'powering-on': 'Resuming',
  resuming: 'Resuming',
  unpausing: 'Resuming',
  unshelving: 'Resuming',
  rebooting: 'Rebooting',
  reboot_pending: 'Rebooting',
  reboot_started: 'Rebooting',
  rebooting_hard: 'Rebooting',
  reboot_pending_hard: 'Rebooting',
  reboot_started_hard: 'Rebooting',
  deleting: 'Terminating',
  'soft-deleting': 'Terminating',
};

export interface NovaState {
  status?: string;
  vmState?: string | null;
  taskState?: string | null;
}

/** Reads the three fields from a server body. */
export function nativeStateOf(server: Record<string, unknown>): NovaState {
  return {
    status: typeof server.status === 'string' ? server.status : undefined,
    vmState: (server['OS-EXT-STS:vm_state'] as string | null | undefined) ?? null,
    taskState: (server['OS-EXT-STS:task_state'] as string | null | undefined) ?? null,
  };
}

/** `ACTIVE`, `SHUTOFF/powering-on`, `BUILD/spawning`: what `nativeState` shows. */
export function describeNative(n: NovaState): string {
  return [n.status ?? 'UNKNOWN', n.taskState].filter(Boolean).join('/');
}

export function toVmStatus(n: NovaState): VmStatus {
  // An ERROR server stays Failed whatever Nova is still doing to it, except deleting it.
  if (n.status === 'ERROR') return n.taskState === 'deleting' ? 'Terminating' : 'Failed';
  if (n.vmState === 'deleted' || n.vmState === 'soft-delete') return 'Terminated';
  const byTask = n.taskState ? TASK_TO_VM[n.taskState] : undefined;
  // A server still building reports a task of its build (spawning) whatever its status says.
  if (byTask) return n.vmState === 'building' && byTask !== 'Terminating' ? 'Creating' : byTask;
  if (n.vmState === 'building') return 'Creating';
  return (n.status && STATUS_TO_VM[n.status]) || 'Undefined';
}
