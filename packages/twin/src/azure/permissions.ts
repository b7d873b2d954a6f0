/**
 * `Microsoft.Authorization/permissions` at resource-group scope (AzurePermissionsForResourceGroup_List):
 * the caller's effective permissions there, as ARM lists them — `actions` with wildcards and the
 * `notActions` carved out of them. The twin's principal holds Owner (`*`) minus what the admin API
 * denies.
 */
import type { Iam } from '../iam.js';
import type { ArmCtx, ArmResponse } from './context.js';
import { ArmError } from './errors.js';

/** `resourcegroups/{rg}/providers/microsoft.authorization/permissions` after /subscriptions/{sub}. */
export function matchPermissions(method: string, segments: string[]): { rg: string } | undefined {
  const [a, rg, b, ns, kind] = segments.map((s) => s.toLowerCase());
  if (segments.length !== 5 || a !== 'resourcegroups' || b !== 'providers' || ns !== 'microsoft.authorization' || kind !== 'permissions') return undefined;
  if (method !== 'GET') throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
  return { rg: decodeURIComponent(segments[1] ?? rg ?? '') };
}

export function listPermissions(ctx: ArmCtx, rg: string, iam: Iam): ArmResponse {
  if (!ctx.sub.groups.has(rg.toLowerCase())) {
    throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
  }
  return { status: 200, body: { value: [{ actions: ['*'], notActions: iam.list(), dataActions: [], notDataActions: [] }] } };
}
