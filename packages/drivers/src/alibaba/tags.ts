/** ECS tags: `Tag.N.Key/Value` on create and as filters, `{Tags: {Tag: [...]}}` on reads. */
import type { Tags } from '@cloud-barista/core/model';

/** Tags in the SDK request shape (each request type has its own Tag class of this shape). */
export function ecsTags<T>(tags: Tags, make: (init: { key: string; value: string }) => T): T[] {
  return Object.entries(tags).map(([key, value]) => make({ key, value }));
}

export function fromEcsTags(tags: { tagKey?: string; tagValue?: string }[] | undefined): Tags {
  const out: Tags = {};
  for (const t of tags ?? []) if (t.tagKey !== undefined) out[t.tagKey] = t.tagValue ?? '';
  return out;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
