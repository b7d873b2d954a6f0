/**
 * Names of what the driver creates per VM. A VM's Azure name is its manifest name plus a suffix
 * derived from the client token, so a repeated create with the same token names the same VM (and
 * adopts it), while a new token (a replaced VM) gets a new name.
 */
import { createHash } from 'node:crypto';

export function vmResourceName(name: string, clientToken: string): string {
  const suffix = createHash('sha256').update(clientToken).digest('hex').slice(0, 6);
  // Linux VM names: up to 64 characters; the manifest's names are DNS-label safe already.
  return `${name.slice(0, 57)}-${suffix}`;
}

export const nicName = (vm: string) => `${vm}-nic`;
export const publicIpName = (vm: string) => `${vm}-ip`;
export const osDiskName = (vm: string) => `${vm}-osdisk`;

export const vnetName = (base: string) => `${base}-vnet`;
export const subnetName = (base: string) => `${base}-subnet`;
export const nsgName = (base: string) => `${base}-nsg`;

/** Group, type and name of an ARM id (`/subscriptions/…/resourceGroups/G/providers/NS/TYPE/NAME`). */
export function parseArmId(id: string): { resourceGroup: string; name: string } | undefined {
  const m = /\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(id);
  return m ? { resourceGroup: m[1] ?? '', name: m[2] ?? '' } : undefined;
}
