/**
 * `cbadm recommend` and manifest requirements: candidates from the stored catalog (every spec of
 * every provider region fetched by `cbadm catalog update`), joined with the connections that reach
 * them, region locations, the measured latency matrix and benchmark results, then ranked by the
 * pure engine. Reads only the store.
 */
import { PROVIDERS } from '../domain.js';
import { UsageError } from '../errors.js';
import { regionLocation } from '../data/regions.js';
import type { Connection } from '../model.js';
import type { BenchmarkStore, CatalogStore, ConnectionStore } from '../store/state-store.js';
import { parseRegionName } from '../catalog/latency-csv.js';
import type { SpecFilter } from '../catalog/filter.js';
import type { LatencySource, RegionRef } from '../records/catalog.js';
import { dataAges, EMPTY_CATALOG_HINT, staleWarning } from '../catalog/staleness.js';
import { rank, type Candidate, type RankContext, type RankResult } from './engine.js';
import { KM_PER_RTT_MS, RTT_FIXED_MS, type NamedPoint } from './geo.js';
import { LatencyModel } from './latency.js';
import { performanceLookup } from './performance.js';
import type { Weights } from './weights.js';

export interface RecommendOptions {
  filter?: SpecFilter;
  weights: Weights;
  near?: readonly NamedPoint[];
  /** latency: regions per set, and regions the set must contain. */
  setSize?: number;
  anchors?: readonly RegionRef[];
  limit?: number;
  /** Only the best candidate of each region. */
  onePerRegion?: boolean;
  /** Only candidates a connection reaches, optionally only connections passing `usable`. */
  connectedOnly?: boolean;
  usable?: (c: Connection) => boolean;
}

export interface RecommendResult extends RankResult {
  latency: { model: string; measuredPairs: number; source: LatencySource | null };
  staleWarning: string | null;
}

export const LATENCY_MODEL = `RTT ≈ ${RTT_FIXED_MS} ms + great-circle km / ${KM_PER_RTT_MS} (measured values take precedence)`;

export class RecommendService {
  private cache: { candidates: Candidate[]; ctx: RankContext } | undefined;

  constructor(private readonly store: Pick<ConnectionStore, 'getConnection' | 'listConnections'> & CatalogStore & BenchmarkStore) {}

  /** `aws:ap-northeast-2`, `aws-ap-northeast-2` or a connection name → a provider region. */
  parseAnchor(text: string, what = '--anchor'): RegionRef {
    const t = text.trim();
    const colon = t.indexOf(':');
    if (colon > 0) return { provider: t.slice(0, colon).toLowerCase(), region: t.slice(colon + 1) };
    const conn = this.store.getConnection(t);
    if (conn) return { provider: conn.provider, region: conn.region };
    const r = parseRegionName(t);
    if (r && (PROVIDERS as readonly string[]).includes(r.provider)) return r;
    throw new UsageError(`${what} '${text}' is neither PROVIDER:REGION nor a connection name`, { hint: `e.g. ${what} aws:ap-northeast-2 or ${what} twin-aws-ap-northeast-2` });
  }

  private load(): { candidates: Candidate[]; ctx: RankContext } {
    if (this.cache) return this.cache;
    const conns = this.store.listConnections();
    const byRegion = new Map<string, Connection[]>();
    for (const c of conns) byRegion.set(`${c.provider}:${c.region}`, [...(byRegion.get(`${c.provider}:${c.region}`) ?? []), c]);
    const names = new Set(conns.map((c) => c.name));
    const candidates: Candidate[] = this.store.listSpecRecords().map((s) => {
      // The connection the data came through, else any connection to that region.
      const connection = names.has(s.connection) ? s.connection : byRegion.get(`${s.provider}:${s.region}`)?.[0]?.name;
      const c: Candidate = { provider: s.provider, region: s.region, name: s.name, vcpu: s.vcpu, memoryGiB: s.memoryGiB, arch: s.arch };
      if (s.gpu) c.gpu = s.gpu;
      if (s.pricePerHour !== undefined) c.pricePerHour = s.pricePerHour;
      if (connection) c.connection = connection;
      return c;
    });
    // Core's table knows the public clouds' regions; a connection may place a region it does not know.
    const placed = new Map<string, NonNullable<Connection['location']>>();
    for (const c of conns) if (c.location) placed.set(`${c.provider}:${c.region}`, c.location);
    const locate = (provider: string, region: string) => {
      const known = regionLocation(provider, region);
      if (known) return known;
      const at = placed.get(`${provider}:${region}`);
      return at ? { display: region, city: at.city ?? `${at.lat},${at.lon}`, lat: at.lat, lon: at.lon } : undefined;
    };
    const ctx: RankContext = {
      locate,
      latency: new LatencyModel(this.store.listLatency(), locate),
      performance: performanceLookup(this.store.listBenchmarks()),
    };
    this.cache = { candidates, ctx };
    return this.cache;
  }

  /** Ranks the catalog; throws UsageError when the catalog is empty or the request is incomplete. */
  recommend(opts: RecommendOptions): RecommendResult {
    const { candidates, ctx } = this.load();
    if (!candidates.length) throw new UsageError('the spec catalog is empty', { hint: EMPTY_CATALOG_HINT });
    let pool = candidates;
    if (opts.connectedOnly || opts.usable) {
      const conns = this.store.listConnections();
      const usable = new Map(conns.map((c) => [c.name, opts.usable ? opts.usable(c) : true]));
      // A region whose fetching connection is unusable may still be reached through another one.
      const alternative = new Map<string, string>();
      for (const c of conns) if (usable.get(c.name) && !alternative.has(`${c.provider}:${c.region}`)) alternative.set(`${c.provider}:${c.region}`, c.name);
      pool = [];
      for (const c of candidates) {
        if (c.connection !== undefined && usable.get(c.connection)) pool.push(c);
        else {
          const alt = alternative.get(`${c.provider}:${c.region}`);
          if (alt) pool.push({ ...c, connection: alt });
        }
      }
      if (!pool.length) {
        throw new UsageError('no catalog entry is reachable through a usable connection', { hint: 'add a connection to a region in the catalog, or refresh the catalog with `cbadm catalog update`' });
      }
    }
    const result = rank(pool, ctx, {
      ...(opts.filter ? { filter: opts.filter } : {}),
      weights: opts.weights,
      ...(opts.near?.length ? { near: opts.near } : {}),
      ...(opts.setSize !== undefined || opts.anchors?.length ? { regionSet: { size: opts.setSize ?? 1, anchors: opts.anchors ?? [] } } : {}),
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      ...(opts.onePerRegion ? { onePerRegion: true } : {}),
    });
    const regions = new Set(result.candidates.map((c) => `${c.provider}:${c.region}`));
    const ages = dataAges(this.store.listCatalogSources()).filter((a) => regions.has(`${a.provider}:${a.region}`));
    return {
      ...result,
      latency: { model: LATENCY_MODEL, measuredPairs: ctx.latency.measuredPairs, source: this.store.getLatencySource() ?? null },
      staleWarning: staleWarning(ages) ?? null,
    };
  }
}
