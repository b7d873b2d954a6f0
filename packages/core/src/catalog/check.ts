/**
 * A subgroup that names its connection, spec and image is checked against the stored catalog before
 * anything is launched (dry run and create alike): a spec the region does not offer, an image that
 * is a near-miss of a catalog alias, or a region no one has heard of are refused with the closest
 * names. Only what the catalog knows is judged: with no catalog data for a region nothing is refused
 * (the cloud will say), and an image id the catalog does not list is left to the driver.
 */
import type { FieldIssue } from '../errors.js';
import type { Connection } from '../model.js';
import { imageNamedBy } from '../records/catalog.js';
import type { CatalogStore } from '../store/state-store.js';
import { regionLocation, REGION_LOCATIONS } from '../data/regions.js';
import { closest, editDistance } from '../util/suggest.js';

/** The `n` candidates nearest to `word` by edit distance (ties by name), for "did you mean". */
export function nearest(word: string, candidates: Iterable<string>, n = 3): string[] {
  return [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(word.toLowerCase(), c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, n)
    .map((x) => x.c);
}

const quoted = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

/**
 * The closest known regions when `region` is one that neither the catalog (through any connection of
 * the provider) nor our region table knows; undefined when it is known, or when nothing is known of
 * the provider. A region that opened since is known once `cbadm catalog update` has fetched it.
 */
export function unknownRegion(store: Pick<CatalogStore, 'listSpecRecords'>, provider: string, region: string): string[] | undefined {
  if (regionLocation(provider, region)) return undefined;
  const fetched = new Set(store.listSpecRecords({ provider }).map((s) => s.region));
  if (fetched.has(region)) return undefined;
  const known = [...fetched, ...(REGION_LOCATIONS[provider]?.keys() ?? [])];
  return known.length ? nearest(region, known) : undefined;
}

export function catalogIssues(store: Pick<CatalogStore, 'listSpecRecords' | 'listImageRecords'>, c: Connection, sg: { spec: string; image: string }, path: string): FieldIssue[] {
  const where = `${c.provider} ${c.region}`;
  const specs = store.listSpecRecords({ provider: c.provider, region: c.region });
  if (!specs.length) {
    // No data here: a region that nothing knows is most likely a typo in the connection.
    const near = unknownRegion(store, c.provider, c.region);
    return near ? [{ path: `${path}.connection`, message: `connection '${c.name}' names region '${c.region}', which ${c.provider} does not have: did you mean ${quoted(near)}? (fix it with cbadm connection add ${c.name} --replace …)` }] : [];
  }
  const issues: FieldIssue[] = [];
  if (!specs.some((s) => s.name === sg.spec)) {
    issues.push({ path: `${path}.spec`, message: `unknown spec '${sg.spec}' in ${where} (per the catalog): did you mean ${quoted(nearest(sg.spec, specs.map((s) => s.name)))}? (list them: cbadm spec list --provider ${c.provider} --region ${c.region})` });
  }
  const images = store.listImageRecords({ provider: c.provider, region: c.region });
  if (images.length && !images.some((i) => imageNamedBy(i, sg.image))) {
    const aliases = images.flatMap((i) => (i.alias ? [i.alias] : []));
    const near = closest(sg.image, aliases);
    if (near) issues.push({ path: `${path}.image`, message: `unknown image '${sg.image}' in ${where}: did you mean '${near}'? (list them: cbadm image list --provider ${c.provider} --region ${c.region})` });
  }
  return issues;
}
