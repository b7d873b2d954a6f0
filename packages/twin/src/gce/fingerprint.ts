/** GCE fingerprints: 8 bytes, base64; the empty set has Google's well-known value. */
import { createHash } from 'node:crypto';

export const EMPTY_FINGERPRINT = '42WmSpB8rSM=';

export function fingerprintOf(content: unknown): string {
  const text = JSON.stringify(content);
  if (text === '{}' || text === '[]' || text === undefined) return EMPTY_FINGERPRINT;
  return createHash('sha256').update(text).digest().subarray(0, 8).toString('base64');
}
