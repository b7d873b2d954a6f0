import { randomBytes } from 'node:crypto';
import { err } from './errors.js';

/** A new resource id in EC2's long format: `prefix-0` + 16 hex digits (17 after the dash). */
export function newId(prefix: string): string {
  return `${prefix}-0${randomBytes(8).toString('hex')}`;
}

/** EC2 accepts the short (8 hex) and long (17 hex) forms. */
export function isWellFormed(prefix: string, id: string): boolean {
  return new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
}

/** Throws `<code>` (e.g. InvalidInstanceID.Malformed) for each malformed id. */
export function checkIds(prefix: string, code: string, ids: readonly string[]): void {
  for (const id of ids) if (!isWellFormed(prefix, id)) throw err.malformed(code, id);
}

export function macAddress(): string {
  const b = randomBytes(5);
  return ['0e', ...[...b].map((x) => x.toString(16).padStart(2, '0'))].join(':');
}
