/** Checks a driver's native-state → common-status table against one written out by hand per status. */
import { expect } from 'vitest';
import { VM_STATUSES } from '@cloud-barista/core';

/** The map inverted: each common status with the native states that land on it, sorted. */
export function byStatus(map: Readonly<Record<string, string>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [native, status] of Object.entries(map)) (out[status] ??= []).push(native);
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** `map` sends exactly these native states to these statuses, and only to statuses the core knows. */
export function expectStateMap(map: Readonly<Record<string, string>>, expected: Record<string, string[]>): void {
  expect(byStatus(map)).toEqual(expected);
  for (const s of Object.values(map)) expect(VM_STATUSES).toContain(s);
}
