/** Checks of request fields that several GCE resources share, with the errors GCE gives. */
import { parseCidr } from '../ec2/cidr.js';
import { invalidField, requiredField } from './errors.js';

export const NAME_RE = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function checkName(name: unknown, field = 'resource.name'): string {
  if (name === undefined || name === '') throw requiredField(field);
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw invalidField(field, name, `Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
  }
  return name;
}

export function optString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidField(field, JSON.stringify(v), 'Must be a string.');
  return v;
}

export function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidField(field, JSON.stringify(v), 'Must be a list of strings.');
  return v as string[];
}

export function checkPriority(v: unknown, field: string): number {
  const priority = Number(v);
  if (!Number.isInteger(priority) || priority < 0 || priority > 65535) throw invalidField(field, v, 'Must be between 0 and 65535.');
  return priority;
}

/** Addresses or CIDR ranges (a bare address is a /32). */
export function checkRanges(ranges: string[] | undefined, field: string): void {
  for (const r of ranges ?? []) {
    if (!parseCidr(r.includes('/') ? r : `${r}/32`)) throw invalidField(field, r, 'Must be a CIDR range.');
  }
}

