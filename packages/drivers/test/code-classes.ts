/** Checks a driver's error-code classifier against a table written out by hand per class, as state-map.ts does for states. */
import { expect } from 'vitest';
import type { ProviderErrorClass } from '@cloud-barista/core/errors';

/** A code as the cloud answers it: alone, or with the HTTP status it came with. */
export type CodeRow = string | readonly [code: string, httpStatus: number];

/** `classify` puts exactly these codes in these classes. */
export function expectCodeClasses(
  classify: (code: string, httpStatus?: number) => ProviderErrorClass,
  expected: Partial<Record<ProviderErrorClass, readonly CodeRow[]>>,
): void {
  const actual: Partial<Record<ProviderErrorClass, CodeRow[]>> = {};
  for (const row of Object.values(expected).flat()) {
    const [code, status] = typeof row === 'string' ? [row, undefined] : row;
    (actual[classify(code, status)] ??= []).push(row);
  }
  expect(actual).toEqual(expected);
}
