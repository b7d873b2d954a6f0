/**
 * What a VM record forgets when its instance is replaced: the new one gets new addresses and, since
 * the overlay key lived on the old disk, a full overlay setup (its overlay address stays).
 */
export const NO_INSTANCE = {
  providerId: undefined,
  overlayKey: undefined,
  overlayConfig: undefined,
  publicIp: undefined,
  privateIp: undefined,
  nativeState: undefined,
  provisionedAt: undefined,
} as const;
