/**
 * Azure instance view → common VM status (docs/DESIGN.md §3). A VM's state is two codes in its instance
 * view: `ProvisioningState/*` (what ARM is doing to it) and `PowerState/*` (what the VM is doing).
 * A provisioning state of creating, deleting or failed says more than the power state; otherwise
 * the power state decides. `stopped` and `deallocated` both map to Suspended, but only a
 * deallocated VM stops billing for compute: that is why the driver suspends by deallocating.
 */
import type { VmStatus } from '@cloud-barista/core/model';

export const PROVISIONING_TO_STATUS: Readonly<Record<string, VmStatus>> = {
  creating: 'Creating',
  deleting: 'Terminating',
  failed: 'Failed',
  canceled: 'Failed',
};

export const POWER_TO_STATUS: Readonly<Record<string, VmStatus>> = {
  starting: 'Resuming',
  running: 'Running',
  stopping: 'Suspending',
  stopped: 'Suspended',
  deallocating: 'Suspending',
  deallocated: 'Suspended',
};

export interface NativeState {
  /** `creating`, `updating`, `succeeded`, `failed/AllocationFailed`, … (without the prefix). */
  provisioning?: string;
  /** `starting`, `running`, `stopped`, `deallocated`, … */
  power?: string;
}

/** The two codes of an instance view's statuses. */
export function nativeStateOf(statuses: readonly { code?: string }[] | undefined): NativeState {
  const out: NativeState = {};
  for (const s of statuses ?? []) {
    const code = s.code ?? '';
    const [kind, state, ...detail] = code.split('/');
    // The state in lower case; a failure's own code (ProvisioningState/failed/AllocationFailed) as ARM spells it.
    const value = [state?.toLowerCase() ?? '', ...detail].join('/');
    if (kind?.toLowerCase() === 'provisioningstate') out.provisioning = value;
    else if (kind?.toLowerCase() === 'powerstate') out.power = value.toLowerCase();
  }
  return out;
}

/** How the native state reads in `nativeState`: `running`, `deallocated`, `creating`, `failed/AllocationFailed`. */
export function describeNative(n: NativeState): string {
  const prov = n.provisioning?.split('/')[0];
  if (prov && PROVISIONING_TO_STATUS[prov]) return n.provisioning ?? prov;
  return n.power ?? n.provisioning ?? 'unknown';
}

export function toVmStatus(n: NativeState): VmStatus {
  const prov = n.provisioning?.split('/')[0];
  const byProvisioning = prov ? PROVISIONING_TO_STATUS[prov] : undefined;
  if (byProvisioning) {
    // A VM being created whose power state already says running is done creating.
    if (byProvisioning === 'Creating' && n.power === 'running') return 'Running';
    return byProvisioning;
  }
  if (n.power === 'starting' && prov === undefined) return 'Creating';
  return (n.power !== undefined && POWER_TO_STATUS[n.power]) || 'Undefined';
}
