/**
 * A region's resources as every twin API keeps them: one Map by id per kind of resource. The
 * kinds are listed once per cloud, so a new region, a snapshot and a restore walk the same list.
 */

/** `R` names each kind and its record type: `{ vpcs: Vpc; subnets: Subnet }`. */
export type Tables<R> = { [K in keyof R]: Map<string, R[K]> };

/** The tables as state.json holds them: each Map's entries. */
export type TableEntries<R> = { [K in keyof R]: [string, R[K]][] };

/** An empty Map for each kind. */
export function newTables<R>(kinds: readonly (keyof R)[]): Tables<R> {
  return Object.fromEntries(kinds.map((k) => [k, new Map()])) as Tables<R>;
}

export function tableEntries<R>(t: Tables<R>, kinds: readonly (keyof R)[]): TableEntries<R> {
  return Object.fromEntries(kinds.map((k) => [k, [...t[k].entries()]])) as TableEntries<R>;
}

/** The tables back from their entries; a kind the snapshot lacks (an older twin's) starts empty. */
export function tablesFrom<R>(e: Partial<TableEntries<R>>, kinds: readonly (keyof R)[]): Tables<R> {
  return Object.fromEntries(kinds.map((k) => [k, new Map(e[k] ?? [])])) as Tables<R>;
}
