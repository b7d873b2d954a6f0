/**
 * Cloudit resources have no tags: the `cb-*` tags travel as JSON in their description (as
 * CB-Spider keeps its VM tag info in a server's description), and are read back from it.
 */
import type { Tags } from '@cloud-barista/core/model';

export function describeTags(tags: Tags): string {
  return JSON.stringify(tags);
}

/** The tags in a description, or {} for one that is not ours (free text, another tool's JSON). */
export function tagsOf(description: string | undefined): Tags {
  if (!description?.startsWith('{')) return {};
  try {
    const v = JSON.parse(description) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/** Whether a description carries all of `tags` (one with none yet is adopted by its name alone). */
export function carries(description: string | undefined, tags: Tags): boolean {
  const have = tagsOf(description);
  return Object.keys(have).length === 0 || Object.entries(tags).every(([k, v]) => have[k] === v);
}
