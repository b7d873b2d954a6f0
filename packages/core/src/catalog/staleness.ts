/** How old catalog data is, and when it counts as stale (prices and images change every few weeks). */
import type { CatalogSource } from '../records/catalog.js';

export const DEFAULT_MAX_AGE_DAYS = 7;
const DAY_MS = 86_400_000;

/** CB_CATALOG_MAX_AGE_DAYS overrides the default; bad values fall back to it. */
export function maxAgeDays(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.CB_CATALOG_MAX_AGE_DAYS);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_MAX_AGE_DAYS;
}

/** '3 min', '5 h', '12 days': the age of data for humans. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

export interface DataAge {
  provider: string;
  region: string;
  fetchedAt: string;
  ageMs: number;
  age: string;
  stale: boolean;
}

export function dataAges(sources: readonly CatalogSource[], now = Date.now(), maxDays = maxAgeDays()): DataAge[] {
  return sources.map((s) => {
    const ageMs = now - Date.parse(s.fetchedAt);
    return { provider: s.provider, region: s.region, fetchedAt: s.fetchedAt, ageMs, age: formatAge(ageMs), stale: ageMs > maxDays * DAY_MS };
  });
}

/** One warning line for stale data, or undefined when everything is fresh. */
export function staleWarning(ages: readonly DataAge[], maxDays = maxAgeDays()): string | undefined {
  const stale = ages.filter((a) => a.stale);
  if (!stale.length) return undefined;
  const oldest = stale.reduce((a, b) => (b.ageMs > a.ageMs ? b : a));
  const which = stale.length === 1 ? `${oldest.provider}/${oldest.region}` : `${stale.length} regions (oldest ${oldest.provider}/${oldest.region})`;
  return `catalog data for ${which} is ${oldest.age} old (older than ${maxDays} days): refresh it with \`cbadm catalog update\``;
}

/** What to do when the catalog is empty (shared by the catalog and recommend services). */
export const EMPTY_CATALOG_HINT = 'fetch it with `cbadm catalog update` (connections first: `cbadm connection add …` or `cbadm twin connect`)';
