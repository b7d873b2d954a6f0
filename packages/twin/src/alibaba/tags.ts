/** ECS tags: `{Tags: {Tag: [{TagKey, TagValue}]}}` on resources, `Tag.N.Key/Value` as filters. */
import type { EcsTag } from './model.js';
import type { WireObject } from './wire.js';

export function tagsView(tags: readonly EcsTag[]): WireObject {
  return { Tag: tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })) };
}

/** Every filter tag is on the resource (a filter with an empty value matches any value). */
export function matchesTags(tags: readonly EcsTag[], filter: readonly EcsTag[]): boolean {
  return filter.every((f) => tags.some((t) => t.TagKey === f.TagKey && (f.TagValue === '' || t.TagValue === f.TagValue)));
}

/** Adds or overwrites tags (ECS allows 20 per resource). */
export function mergeTags(tags: EcsTag[], add: readonly EcsTag[]): void {
  for (const a of add) {
    const old = tags.find((t) => t.TagKey === a.TagKey);
    if (old) old.TagValue = a.TagValue;
    else tags.push({ ...a });
  }
}
