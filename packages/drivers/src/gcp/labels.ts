/**
 * Tags as GCE labels. Label keys and values are lower-case letters, digits, `_` and `-` (keys start
 * with a letter), at most 63 characters, which our tags (`cb-managed`, `cb-ns`…, values that are
 * names) already are; anything else is folded to fit rather than refused.
 */
import type { Tags } from '@cloud-barista/core/model';

function fold(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

export function labelKey(key: string): string {
  const k = fold(key);
  return /^[a-z]/.test(k) ? k : `k${k}`.slice(0, 63);
}

export function toLabels(tags: Tags): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [labelKey(k), fold(v)]));
}

export function fromLabels(labels: Record<string, string> | null | undefined): Tags {
  return { ...(labels ?? {}) };
}

/** A list filter matching resources that carry every label: `(labels.k = "v") (labels.k2 = "v2")`. */
export function labelFilter(tags: Tags): string {
  return Object.entries(toLabels(tags))
    .map(([k, v]) => `(labels.${k} = "${v}")`)
    .join(' ');
}

/**
 * GCE networks, subnetworks and firewall rules take no labels: their description carries the tags
 * instead, in a form `tagsInDescription` reads back.
 */
export function describeWithTags(what: string, tags: Tags): string {
  return `${what} [${Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}]`;
}

export function tagsInDescription(description: string | null | undefined): Tags {
  const inner = /\[([^\]]*)\]\s*$/.exec(description ?? '')?.[1] ?? '';
  const out: Tags = {};
  for (const pair of inner.split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
