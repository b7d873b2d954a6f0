/**
 * Which ARM actions the credential may perform in the connection's resource group, asked the way
 * Azure offers it: `GET …/resourceGroups/{rg}/providers/Microsoft.Authorization/permissions`
 * (api-version 2022-04-01) lists the caller's effective permissions there — `actions` and the
 * `notActions` carved out of them, with wildcards — and the driver matches the actions it needs.
 * The call goes through the resources client's generic GET by id, so it rides the same pipeline
 * (credential, retries, CA) as every other ARM call. ARM answers per resource group only: before the
 * group exists (it is created on first use) every action is `unknown`.
 */
import type { PermissionCheck } from '@cloud-barista/core/driver/port';
import { ProviderError } from '@cloud-barista/core/errors';
import { az, type AzureContext } from './context.js';

export const PERMISSIONS_API_VERSION = '2022-04-01';

const VM = 'Microsoft.Compute/virtualMachines';
const NET = 'Microsoft.Network';

/** Every action the driver's calls need, with what it is for. */
export const AZURE_ACTIONS: readonly { permission: string; neededFor: string }[] = [
  { permission: `${VM}/write`, neededFor: 'create VMs' },
  { permission: `${VM}/deallocate/action`, neededFor: 'suspend VMs' },
  { permission: `${VM}/start/action`, neededFor: 'resume VMs' },
  { permission: `${VM}/restart/action`, neededFor: 'reboot VMs' },
  { permission: `${VM}/delete`, neededFor: 'terminate VMs' },
  { permission: 'Microsoft.Compute/disks/delete', neededFor: 'delete VM OS disks' },
  { permission: `${NET}/publicIPAddresses/write`, neededFor: 'give VMs a public IP' },
  { permission: `${NET}/publicIPAddresses/join/action`, neededFor: 'attach public IPs to NICs' },
  { permission: `${NET}/publicIPAddresses/delete`, neededFor: 'terminate VMs' },
  { permission: `${NET}/networkInterfaces/write`, neededFor: 'create VM NICs' },
  { permission: `${NET}/networkInterfaces/join/action`, neededFor: 'attach NICs to VMs' },
  { permission: `${NET}/networkInterfaces/delete`, neededFor: 'terminate VMs' },
  { permission: `${NET}/virtualNetworks/write`, neededFor: 'create the default virtual network' },
  { permission: `${NET}/virtualNetworks/subnets/write`, neededFor: 'create the default subnet' },
  { permission: `${NET}/virtualNetworks/subnets/join/action`, neededFor: 'put NICs on the subnet' },
  { permission: `${NET}/virtualNetworks/delete`, neededFor: 'remove default resources' },
  { permission: `${NET}/networkSecurityGroups/write`, neededFor: 'create the SSH security group' },
  { permission: `${NET}/networkSecurityGroups/securityRules/write`, neededFor: 'open SSH and cluster ports' },
  { permission: `${NET}/networkSecurityGroups/join/action`, neededFor: 'attach the security group' },
  { permission: `${NET}/networkSecurityGroups/delete`, neededFor: 'remove default resources' },
  { permission: 'Microsoft.Resources/subscriptions/resourceGroups/delete', neededFor: 'remove the resource group with the last MCIS' },
];

export interface ArmPermission {
  actions?: string[];
  notActions?: string[];
}

function pattern(p: string): RegExp {
  return new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
}

/** ARM's rule: some entry's `actions` match and none of that entry's `notActions` do (case-insensitive, `*` wildcards). */
export function isAllowed(action: string, permissions: readonly ArmPermission[]): boolean {
  return permissions.some(
    (p) => (p.actions ?? []).some((a) => pattern(a).test(action)) && !(p.notActions ?? []).some((n) => pattern(n).test(action)),
  );
}

export async function checkAzurePermissions(ctx: AzureContext): Promise<PermissionCheck[]> {
  // No leading slash: the SDK's path template is `/{resourceId}` and adds its own.
  const scope = `subscriptions/${ctx.clients.subscription}/resourceGroups/${encodeURIComponent(ctx.resourceGroup)}`;
  let listed: ArmPermission[] | undefined;
  try {
    await az(ctx, () =>
      ctx.clients.resources.resources.getById(`${scope}/providers/Microsoft.Authorization/permissions`, PERMISSIONS_API_VERSION, {
        onResponse: (raw) => {
          const body = raw.parsedBody as { value?: ArmPermission[] } | undefined;
          listed = body?.value ?? [];
        },
      }),
    );
  } catch (e) {
    const why =
      e instanceof ProviderError && e.code === 'ResourceGroupNotFound'
        ? `resource group ${ctx.resourceGroup} does not exist yet (it is created on first use) and ARM lists permissions per resource group`
        : e instanceof ProviderError
          ? `listing permissions failed: ${e.code}`
          : String(e);
    return AZURE_ACTIONS.map((a) => ({ ...a, status: 'unknown', why }));
  }
  const entries = listed ?? [];
  return AZURE_ACTIONS.map((a) =>
    isAllowed(a.permission, entries)
      ? { ...a, status: 'allowed' }
      : { ...a, status: 'denied', why: `not in the actions (or excluded by notActions) granted on resource group ${ctx.resourceGroup}` },
  );
}
