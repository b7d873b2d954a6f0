/**
 * The catalog service: `cbadm catalog update` gathers every connection's specs, prices and images
 * through its driver (prices from the cloud's pricing API where the driver has one) and stores them
 * per provider region with source and time; `spec list` / `image list` read them back with filters
 * and the data's age; `catalog import-latency` loads a measured RTT matrix.
 */
import type { CredentialService } from '../credentials.js';
import type { CloudDriver, DriverPrices, DriverRegistry } from '../driver/port.js';
import { NotFoundError, OperationError, PartialError, UsageError } from '../errors.js';
import { nowIso } from '../domain.js';
import type { Connection } from '../model.js';
import { DriverPool } from '../driver/pool.js';
import type { CatalogStore, ConnectionStore } from '../store/state-store.js';
import { Semaphore } from '../util/limit.js';
import { compileFilter, explainEmpty, matchesAll, normaliseArch, type EmptyExplanation, type SpecFilter } from './filter.js';
import { parseLatencyCsv } from './latency-csv.js';
import type { CatalogSource, ImageRecord, LatencySource, SpecRecord } from '../records/catalog.js';
import { dataAges, staleWarning, type DataAge } from './staleness.js';

export { EMPTY_CATALOG_HINT } from './staleness.js';

export interface CatalogUpdateOptions {
  connection?: string;
  driver?: string;
  /** Regions fetched at once (default 16: the work is waiting on the network). */
  concurrency?: number;
}

export interface CatalogUpdateEntry {
  connection: string;
  provider: string;
  region: string;
  specs: number;
  priced: number;
  images: number;
  priceSource: string | null;
  fetchedAt: string;
  /** Why prices are missing, when they are. */
  warning?: string;
}

export interface CatalogUpdateResult {
  updated: CatalogUpdateEntry[];
  failed: Array<{ connection: string; provider: string; region: string; error: string }>;
}

export interface SpecListing {
  specs: Array<SpecRecord & { age: string; stale: boolean }>;
  /** Specs in the catalog before filtering. */
  total: number;
  matched: number;
  ages: DataAge[];
  /** Set when some of the data is older than the staleness limit. */
  staleWarning: string | null;
  /** When filters left nothing: the constraint that eliminated the most. */
  empty: EmptyExplanation | null;
}

export interface ImageQuery {
  provider?: string[];
  region?: string[];
  arch?: string;
  /** Substring of the alias, OS or name ('ubuntu', '22.04', 'debian-12'). */
  os?: string;
}

export interface ImageListing {
  images: Array<ImageRecord & { age: string; stale: boolean }>;
  ages: DataAge[];
  staleWarning: string | null;
}

export class CatalogService {
  constructor(
    private readonly store: ConnectionStore & CatalogStore,
    private readonly drivers: DriverRegistry,
    private readonly credentials: CredentialService,
  ) {}

  private select(opts: CatalogUpdateOptions): Connection[] {
    if (opts.connection && opts.driver) throw new UsageError('give --connection or --driver, not both', { hint: 'one connection: --connection NAME; every connection of a cloud: --driver aws' });
    if (opts.connection) {
      const c = this.store.getConnection(opts.connection);
      if (!c) throw new NotFoundError('connection', opts.connection, { hint: 'list them with: cbadm connection list' });
      return [c];
    }
    const all = this.store.listConnections().filter((c) => !opts.driver || c.provider === opts.driver);
    if (!all.length) {
      throw new UsageError(opts.driver ? `no connection uses driver '${opts.driver}'` : 'there are no connections to fetch a catalog through', {
        hint: 'add one with `cbadm connection add NAME --provider … --region …`, or `cbadm twin connect` for Cloud-Twin',
      });
    }
    // One fetch per provider region: several connections to one region would fetch the same data.
    const seen = new Set<string>();
    return all.filter((c) => {
      const k = `${c.provider}:${c.region}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  /**
   * Fetches and stores the catalog of every selected connection's region. A region that fails
   * keeps its previous data; throws PartialError (exit 3) when some failed, OperationError when all did.
   */
  async update(opts: CatalogUpdateOptions = {}): Promise<CatalogUpdateResult> {
    const conns = this.select(opts);
    const pool = new DriverPool(this.store, this.drivers, this.credentials);
    const gate = new Semaphore(opts.concurrency ?? 16);
    const result: CatalogUpdateResult = { updated: [], failed: [] };
    try {
      await Promise.all(
        conns.map((c) =>
          gate.run(async () => {
            try {
              const { driver } = await pool.get(c.name);
              result.updated.push(await this.fetchOne(c, driver));
            } catch (e) {
              result.failed.push({ connection: c.name, provider: c.provider, region: c.region, error: e instanceof Error ? e.message : String(e) });
            }
          }),
        ),
      );
    } finally {
      await pool.closeAll();
    }
    const order = (a: { provider: string; region: string }, b: { provider: string; region: string }) => a.provider.localeCompare(b.provider) || a.region.localeCompare(b.region);
    result.updated.sort(order);
    result.failed.sort(order);
    if (result.failed.length && !result.updated.length) {
      // One clause per cause, not per region: fifteen regions behind one outage say it once.
      const byCause = new Map<string, string[]>();
      for (const f of result.failed) byCause.set(f.error, [...(byCause.get(f.error) ?? []), f.connection]);
      const causes = [...byCause].map(([error, names]) => `${error} (${names.join(', ')})`);
      throw new OperationError(`catalog update failed for every connection: ${causes.join('; ')}`, { hint: 'check them with `cbadm connection test NAME`' });
    }
    if (result.failed.length) {
      throw new PartialError(`catalog update failed for ${result.failed.length} of ${conns.length} region(s): ${result.failed.map((f) => f.connection).join(', ')}`, result, {
        hint: 'their previous catalog data (if any) is kept; check them with `cbadm connection test NAME`',
      });
    }
    return result;
  }

  private async fetchOne(c: Connection, driver: CloudDriver): Promise<CatalogUpdateEntry> {
    let warning: string | undefined;
    const pricesP: Promise<DriverPrices | undefined> = driver.catalog.listPrices
      ? driver.catalog.listPrices().catch((e: unknown) => {
          warning = `prices unavailable: ${e instanceof Error ? e.message : String(e)}`;
          return undefined;
        })
      : Promise.resolve(undefined);
    const [specs, images, prices] = await Promise.all([driver.catalog.listSpecs(), driver.catalog.listImages(), pricesP]);
    if (!driver.catalog.listPrices && !specs.some((s) => s.pricePerHour !== undefined)) warning = `the ${c.provider} driver has no pricing API yet`;
    const priceOf = new Map((prices?.prices ?? []).map((p) => [p.spec, p.pricePerHour]));
    const fetchedAt = nowIso();
    const specRecords: SpecRecord[] = specs.map((s) => {
      const price = priceOf.get(s.name) ?? s.pricePerHour;
      return {
        provider: c.provider,
        region: c.region,
        name: s.name,
        vcpu: s.vcpu,
        memoryGiB: Math.round(s.memoryGiB * 1000) / 1000,
        arch: normaliseArch(s.arch) ?? s.arch,
        ...(s.gpu ? { gpu: s.gpu } : {}),
        ...(price !== undefined ? { pricePerHour: price } : {}),
        connection: c.name,
      };
    });
    const imageRecords: ImageRecord[] = images.map((i) => ({
      provider: c.provider,
      region: c.region,
      id: i.id,
      name: i.name,
      ...(i.alias ? { alias: i.alias } : {}),
      os: i.os,
      arch: normaliseArch(i.arch) ?? i.arch,
      sshUser: i.sshUser,
      ...(i.createdAt ? { createdAt: i.createdAt } : {}),
      connection: c.name,
    }));
    const priced = specRecords.filter((s) => s.pricePerHour !== undefined).length;
    const priceSource = prices?.source ?? (priced ? `${c.provider} driver spec listing` : undefined);
    const source: CatalogSource = {
      provider: c.provider,
      region: c.region,
      connection: c.name,
      specSource: `${c.provider} driver via ${c.endpoint ?? 'the public API'} (connection ${c.name})`,
      ...(priceSource ? { priceSource } : {}),
      specs: specRecords.length,
      priced,
      images: imageRecords.length,
      fetchedAt,
    };
    this.store.replaceCatalog(source, specRecords, imageRecords);
    return { connection: c.name, provider: c.provider, region: c.region, specs: specRecords.length, priced, images: imageRecords.length, priceSource: priceSource ?? null, fetchedAt, ...(warning ? { warning } : {}) };
  }

  private ages(): Map<string, DataAge> {
    return new Map(dataAges(this.store.listCatalogSources()).map((a) => [`${a.provider}:${a.region}`, a]));
  }

  /** Specs matching the filter, cheapest first within each provider region; with the data's age. */
  listSpecs(filter: SpecFilter, opts: { sort?: 'price' | 'name' } = {}): SpecListing {
    const all = this.store.listSpecRecords(filter.providers?.length === 1 ? { provider: filter.providers[0]! } : undefined);
    const constraints = compileFilter(filter);
    const matched = all.filter((s) => matchesAll(s, constraints));
    const ages = this.ages();
    const byPrice = (a: SpecRecord, b: SpecRecord) => (a.pricePerHour ?? Infinity) - (b.pricePerHour ?? Infinity) || a.name.localeCompare(b.name);
    matched.sort((a, b) => (opts.sort === 'price' ? byPrice(a, b) || a.provider.localeCompare(b.provider) || a.region.localeCompare(b.region) : a.provider.localeCompare(b.provider) || a.region.localeCompare(b.region) || byPrice(a, b)));
    const used = [...new Set(matched.map((s) => `${s.provider}:${s.region}`))].flatMap((k) => (ages.get(k) ? [ages.get(k)!] : []));
    return {
      specs: matched.map((s) => ({ ...s, age: ages.get(`${s.provider}:${s.region}`)?.age ?? '?', stale: ages.get(`${s.provider}:${s.region}`)?.stale ?? true })),
      total: all.length,
      matched: matched.length,
      ages: used,
      staleWarning: staleWarning(used) ?? null,
      empty: !matched.length && all.length ? (explainEmpty(all, filter) ?? null) : null,
    };
  }

  listImages(q: ImageQuery = {}): ImageListing {
    const arch = q.arch === undefined ? undefined : normaliseArch(q.arch);
    if (q.arch !== undefined && !arch) throw new UsageError(`--arch '${q.arch}' is not an architecture`, { hint: 'use x86_64 (amd64) or arm64 (aarch64)' });
    const os = q.os?.toLowerCase();
    const ages = this.ages();
    const images = this.store
      .listImageRecords()
      .filter((i) => !q.provider?.length || q.provider.includes(i.provider))
      .filter((i) => !q.region?.length || q.region.includes(i.region))
      .filter((i) => !arch || i.arch === arch)
      .filter((i) => !os || [i.alias ?? '', i.os, i.name].some((s) => s.toLowerCase().includes(os)));
    const used = [...new Set(images.map((i) => `${i.provider}:${i.region}`))].flatMap((k) => (ages.get(k) ? [ages.get(k)!] : []));
    return {
      images: images.map((i) => ({ ...i, age: ages.get(`${i.provider}:${i.region}`)?.age ?? '?', stale: ages.get(`${i.provider}:${i.region}`)?.stale ?? true })),
      ages: used,
      staleWarning: staleWarning(used) ?? null,
    };
  }

  /** Loads a measured RTT matrix (CB-Tumblebug cloudlatencymap.csv format); it replaces the previous one. */
  importLatency(text: string, source: string): LatencySource & { regions: number; skipped: number } {
    const parsed = parseLatencyCsv(text, source);
    const meta: LatencySource = { source, importedAt: nowIso(), pairs: parsed.entries.length };
    this.store.replaceLatency(parsed.entries, meta);
    return { ...meta, regions: parsed.regions, skipped: parsed.skipped.length };
  }
}
