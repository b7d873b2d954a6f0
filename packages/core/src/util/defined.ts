/**
 * `o` without its undefined fields: optional settings passed on as given, for types that say
 * "absent", not "undefined" (exactOptionalPropertyTypes).
 */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
