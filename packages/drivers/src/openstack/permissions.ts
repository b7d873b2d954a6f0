/**
 * What `connection test` can learn about an OpenStack credential without changing anything.
 * OpenStack has no dry run and no permission query: what a token may do is the services' policy
 * applied to its roles. So: the token's project roles (the default policies let `member` create
 * and delete, `reader` only read), and one cheap authorised read per service the driver uses,
 * named by its policy rule (`os_compute_api:servers:index`, `get_network`, `get_images`…); a
 * service missing from the catalog in the connection's region is named as such.
 */
import type { PermissionCheck } from '@cloud-barista/core/driver/port';
import { ProviderError } from '@cloud-barista/core/errors';
import type { OsClient, OsServiceType } from './client.js';

interface Read {
  service: OsServiceType;
  permission: string;
  neededFor: string;
  path: string;
}

const READS: readonly Read[] = [
  { service: 'compute', permission: 'os_compute_api:servers:index', neededFor: 'watch VMs', path: '/servers?limit=1' },
  { service: 'compute', permission: 'os_compute_api:os-keypairs:index', neededFor: 'find the SSH key pair', path: '/os-keypairs?limit=1' },
  { service: 'compute', permission: 'os_compute_api:flavors:index', neededFor: 'list specs', path: '/flavors?limit=1' },
  { service: 'network', permission: 'get_network', neededFor: 'find the default network', path: '/networks?limit=1' },
  { service: 'network', permission: 'get_security_group', neededFor: 'manage firewall rules', path: '/security-groups?limit=1' },
  { service: 'network', permission: 'get_floatingip', neededFor: 'give VMs public IPs', path: '/floatingips?limit=1' },
  { service: 'image', permission: 'get_images', neededFor: 'resolve images', path: '/images?limit=1' },
];

/** Roles the default policies let create and delete in a project. */
const WRITER_ROLES = ['member', '_member_', 'admin'];
const ROLE = { permission: 'role:member', neededFor: 'create and delete VMs, networks, security groups and key pairs' };

/** The token's roles on the project, against what creating needs. */
export function roleCheck(roles: string[] | undefined, projectId: string): PermissionCheck {
  if (!roles) return { ...ROLE, status: 'unknown', why: 'Keystone listed no roles in the token' };
  const have = roles.map((r) => r.toLowerCase());
  if (WRITER_ROLES.some((r) => have.includes(r))) return { ...ROLE, status: 'allowed' };
  return { ...ROLE, status: 'denied', why: `the token's roles on project ${projectId}: ${roles.join(', ') || 'none'}; ask for the member role (openstack role add --project ${projectId} --user USER member)` };
}

async function readCheck(client: OsClient, r: Read): Promise<PermissionCheck> {
  const base = { permission: r.permission, neededFor: r.neededFor };
  try {
    await client.endpoint(r.service);
  } catch (e) {
    // No such service in the region's catalog: nothing of it can work.
    return { ...base, status: 'denied', why: e instanceof Error ? e.message : String(e) };
  }
  try {
    await client.call(r.service, 'GET', r.path);
    return { ...base, status: 'allowed' };
  } catch (e) {
    if (e instanceof ProviderError && e.httpStatus === 403) return { ...base, status: 'denied', why: `${r.service} answered 403: ${e.message}` };
    return { ...base, status: 'unknown', why: e instanceof Error ? e.message : String(e) };
  }
}

export async function checkOpenStackPermissions(client: OsClient): Promise<PermissionCheck[]> {
  const [roles, projectId] = await Promise.all([client.roles(), client.projectId()]);
  const reads = await Promise.all(READS.map((r) => readCheck(client, r)));
  return [roleCheck(roles, projectId), ...reads];
}
