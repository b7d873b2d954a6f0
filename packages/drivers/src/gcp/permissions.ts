/**
 * Which Compute permissions the credential holds on the project, asked the way Google offers it:
 * Resource Manager's `projects.testIamPermissions`, which answers with the subset of the asked
 * permissions the caller has and changes nothing. A plain authenticated REST call with the same
 * google-auth client the Compute clients use (no extra SDK): to cloudresourcemanager.googleapis.com,
 * or to the connection's endpoint when it has one, as every other Google API the driver calls.
 */
import type { PermissionCheck } from '@cloud-barista/core/driver/port';
import type { Connection } from '@cloud-barista/core/model';
import { ProviderError } from '@cloud-barista/core/errors';
import type { GcpAuth } from './auth.js';

export const RESOURCE_MANAGER_URL = 'https://cloudresourcemanager.googleapis.com';

/** Every permission the driver's calls need, with what it is for. */
export const GCP_PERMISSIONS: readonly { permission: string; neededFor: string }[] = [
  { permission: 'compute.instances.create', neededFor: 'create VMs' },
  { permission: 'compute.disks.create', neededFor: "create VMs (their boot disks)" },
  { permission: 'compute.subnetworks.use', neededFor: 'create VMs on the default subnetwork' },
  { permission: 'compute.subnetworks.useExternalIp', neededFor: 'give VMs a public IP' },
  { permission: 'compute.instances.setMetadata', neededFor: 'put the SSH key in VM metadata' },
  { permission: 'compute.instances.setLabels', neededFor: 'label VMs' },
  { permission: 'compute.instances.stop', neededFor: 'suspend VMs' },
  { permission: 'compute.instances.start', neededFor: 'resume VMs' },
  { permission: 'compute.instances.reset', neededFor: 'reboot VMs' },
  { permission: 'compute.instances.delete', neededFor: 'terminate VMs' },
  { permission: 'compute.networks.create', neededFor: 'create the default network' },
  { permission: 'compute.networks.delete', neededFor: 'remove default resources' },
  { permission: 'compute.networks.updatePolicy', neededFor: 'add subnetworks and firewall rules to the network' },
  { permission: 'compute.subnetworks.create', neededFor: 'create the default subnetwork' },
  { permission: 'compute.subnetworks.delete', neededFor: 'remove default resources' },
  { permission: 'compute.firewalls.create', neededFor: 'open SSH' },
  { permission: 'compute.firewalls.update', neededFor: 'open cluster ports' },
  { permission: 'compute.firewalls.delete', neededFor: 'remove default resources' },
];

/** `https://host[:port]` of the Resource Manager API for this connection. */
export function resourceManagerBase(connection: Connection): string {
  return connection.endpoint ? new URL(connection.endpoint).origin : RESOURCE_MANAGER_URL;
}

/** The subset of permissions held, per Resource Manager's answer (`{}` when none). */
export function heldPermissions(data: unknown): Set<string> {
  const list = (data as { permissions?: unknown } | null)?.permissions;
  return new Set(Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : []);
}

export async function checkGcpPermissions(
  connection: Connection,
  auth: GcpAuth,
  call: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<PermissionCheck[]> {
  const project = await auth.project();
  const client = 'authClient' in auth.clientOptions ? auth.clientOptions.authClient : auth.clientOptions.auth;
  const url = `${resourceManagerBase(connection)}/v1/projects/${encodeURIComponent(project)}:testIamPermissions`;
  let held: Set<string>;
  try {
    const res = await call(() =>
      client.request({ url, method: 'POST', data: { permissions: GCP_PERMISSIONS.map((p) => p.permission) }, responseType: 'json' }),
    );
    held = heldPermissions(res.data);
  } catch (e) {
    // The question could not be asked (Resource Manager API disabled for the project, …): say so
    // per permission instead of failing a connection that works.
    const why = e instanceof ProviderError ? `testIamPermissions failed: ${e.code}: ${e.message.replace(/^gcp: [^:]+: /, '')}` : String(e);
    return GCP_PERMISSIONS.map((p) => ({ ...p, status: 'unknown', why }));
  }
  return GCP_PERMISSIONS.map((p) =>
    held.has(p.permission) ? { ...p, status: 'allowed' } : { ...p, status: 'denied', why: `not among the permissions project ${project} grants this caller` },
  );
}
