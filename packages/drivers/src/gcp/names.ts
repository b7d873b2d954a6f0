/**
 * GCE resource names (`[a-z]([-a-z0-9]{0,61}[a-z0-9])?`, unique per project and scope) and request
 * ids. Names are derived, never random, so a repeated call finds what an earlier one made.
 */
import { createHash } from 'node:crypto';

const MAX = 63;

function hex(text: string, n: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, n);
}

/** `base` + `suffix` as a valid GCE name; a long base is cut and a hash of it keeps names distinct. */
export function gceName(base: string, suffix = ''): string {
  let b = base.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (!/^[a-z]/.test(b)) b = `cb-${b}`;
  if (b.length + suffix.length > MAX) b = `${b.slice(0, MAX - suffix.length - 9).replace(/-$/, '')}-${hex(base, 8)}`;
  return `${b}${suffix}`.replace(/-$/, '');
}

/**
 * An instance's name: the VM name plus 8 hex digits of its client token. VM names repeat across
 * MCISes (`web-1`), GCE names must not within a zone; the token makes the name unique and lets a
 * repeated create find the instance of an earlier, interrupted one by name.
 */
export function instanceName(vmName: string, clientToken: string): string {
  return gceName(vmName, `-${hex(clientToken, 8)}`);
}

/**
 * The `requestId` for a create: a UUID derived from the client token (GCE wants a UUID; tokens
 * need not be one). GCE returns the first call's operation for a repeat within 60 minutes.
 */
export function requestIdFor(clientToken: string): string {
  const b = createHash('sha1').update(`cloud-barista:${clientToken}`).digest();
  // RFC 4122 name-based (version 5) layout.
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
