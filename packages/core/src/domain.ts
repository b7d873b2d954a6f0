/**
 * Domain constants with no dependencies: modules on the CLI's start-up path import these instead of
 * the zod schemas in model.ts, which cost tens of milliseconds to load.
 */
export const PROVIDERS = ['aws', 'gcp', 'azure', 'alibaba', 'openstack', 'cloudit', 'docker'] as const;

export const VM_STATUSES = [
  'Creating',
  'Running',
  'Suspending',
  'Suspended',
  'Resuming',
  'Rebooting',
  'Terminating',
  'Terminated',
  'Failed',
  'Undefined',
] as const;

/** What a user can do to a running VM; the port says which ones a cloud cannot, the lifecycle table how each moves a VM. */
export type VmAction = 'suspend' | 'resume' | 'reboot' | 'terminate';

/** Tag keys stamped on every cloud resource so nothing can be orphaned silently. */
export const TAG = {
  managed: 'cb-managed',
  ns: 'cb-ns',
  mcis: 'cb-mcis',
  vm: 'cb-vm',
  connection: 'cb-connection',
} as const;

export function nowIso(): string {
  return new Date().toISOString();
}
