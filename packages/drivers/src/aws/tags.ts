/** Tag plumbing shared by every resource: our tags plus `Name`, and `tag:KEY` filters to find them. */
import type { Filter, ResourceType, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import type { Tags } from '@cloud-barista/core/model';

export function awsTags(tags: Tags, name?: string): Tag[] {
  const all: Tags = name === undefined ? { ...tags } : { ...tags, Name: name };
  return Object.entries(all).map(([Key, Value]) => ({ Key, Value }));
}

export function tagSpec(resourceType: ResourceType, tags: Tags, name?: string): TagSpecification {
  return { ResourceType: resourceType, Tags: awsTags(tags, name) };
}

export function tagFilters(tags: Tags): Filter[] {
  return Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
}

export function fromAwsTags(tags: Tag[] | undefined): Tags {
  const out: Tags = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}
