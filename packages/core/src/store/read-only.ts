/**
 * A store opened read-only answers every read; a write would fail deep inside SQLite with
 * SQLITE_READONLY. This wrapper turns that into the error that says which file and what to do.
 */
import { readOnlyStoreError } from './sqlite-file.js';

function isReadOnlyFailure(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY');
}

/** Wraps every method of `store` so a refused write throws the read-only store error. */
export function explainReadOnlyWrites<T extends object>(store: T, path: string): T {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          throw isReadOnlyFailure(e) ? readOnlyStoreError(path, e) : e;
        }
      };
    },
  });
}
