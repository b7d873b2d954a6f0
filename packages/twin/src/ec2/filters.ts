import { Ec2Error } from './errors.js';
import type { Tag } from './model.js';
import type { Filter } from './query.js';

/** How to read each supported filter from a resource: its values for that filter. */
export type FilterFields<T> = Record<string, (r: T) => readonly (string | number | boolean | undefined)[] | string | number | boolean | undefined>;

/** EC2 filter values take `*` (any run) and `?` (one character) wildcards; `\` escapes them. */
export function wildcardToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i] ?? '');
    } else if (c === '*') {
      re += '[\\s\\S]*';
    } else if (c === '?') {
      re += '[\\s\\S]';
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function matchesAny(actual: readonly string[], patterns: readonly RegExp[]): boolean {
  return actual.some((a) => patterns.some((p) => p.test(a)));
}

function asStrings(v: ReturnType<FilterFields<unknown>[string]>): string[] {
  const arr = Array.isArray(v) ? v : [v];
  return arr.filter((x): x is string | number | boolean => x !== undefined).map(String);
}

/**
 * Keeps the resources matching every filter (values of one filter are OR-ed). `tag:KEY`,
 * `tag-key` and `tag-value` work for every resource with tags. An unknown filter name is an
 * error, as in EC2.
 */
export function applyFilters<T extends { tags: Tag[] }>(items: readonly T[], filters: readonly Filter[], fields: FilterFields<T>): T[] {
  const compiled = filters.map((f) => {
    const patterns = f.values.map(wildcardToRegExp);
    if (f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      return (r: T) => matchesAny(r.tags.filter((t) => t.key === key).map((t) => t.value), patterns);
    }
    if (f.name === 'tag-key') return (r: T) => matchesAny(r.tags.map((t) => t.key), patterns);
    if (f.name === 'tag-value') return (r: T) => matchesAny(r.tags.map((t) => t.value), patterns);
    const read = fields[f.name];
    if (!read) throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    return (r: T) => matchesAny(asStrings(read(r)), patterns);
  });
  return items.filter((r) => compiled.every((m) => m(r)));
}
