/**
 * The catalog's tables in the SQLite store: specs and images per provider region with where and
 * when they came from, the measured latency matrix, and benchmark results. Kept apart from
 * sqlite-store.ts so each file stays about one thing; SqliteStateStore delegates here.
 */
import type Database from 'better-sqlite3';
import { parseDocs } from './sqlite-docs.js';
import type { BenchmarkRecord, CatalogSource, ImageRecord, LatencyEntry, LatencySource, SpecRecord } from '../records/catalog.js';

type Row = { doc: string };

export interface CatalogQuery {
  provider?: string;
  region?: string;
}

function where(q: CatalogQuery | undefined): { sql: string; args: string[] } {
  const parts: string[] = [];
  const args: string[] = [];
  if (q?.provider) {
    parts.push('provider = ?');
    args.push(q.provider);
  }
  if (q?.region) {
    parts.push('region = ?');
    args.push(q.region);
  }
  return { sql: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', args };
}

const parse = parseDocs;

export class SqliteCatalog {
  constructor(
    private readonly db: Database.Database,
    private readonly immediate: <T>(fn: () => T) => T,
  ) {}

  replaceCatalog(source: CatalogSource, specs: readonly SpecRecord[], images: readonly ImageRecord[]): void {
    this.immediate(() => {
      const { provider, region } = source;
      this.db.prepare('DELETE FROM catalog_specs WHERE provider = ? AND region = ?').run(provider, region);
      this.db.prepare('DELETE FROM catalog_images WHERE provider = ? AND region = ?').run(provider, region);
      const spec = this.db.prepare('INSERT OR REPLACE INTO catalog_specs(provider, region, name, doc) VALUES (?, ?, ?, ?)');
      for (const s of specs) spec.run(provider, region, s.name, JSON.stringify(s));
      const image = this.db.prepare('INSERT OR REPLACE INTO catalog_images(provider, region, id, doc) VALUES (?, ?, ?, ?)');
      for (const i of images) image.run(provider, region, i.id, JSON.stringify(i));
      this.db
        .prepare('INSERT INTO catalog_sources(provider, region, doc) VALUES (?, ?, ?) ON CONFLICT(provider, region) DO UPDATE SET doc = excluded.doc')
        .run(provider, region, JSON.stringify(source));
    });
  }

  listSpecRecords(q?: CatalogQuery): SpecRecord[] {
    const w = where(q);
    return parse<SpecRecord>(this.db.prepare(`SELECT doc FROM catalog_specs${w.sql} ORDER BY provider, region, name`).all(...w.args) as Row[]);
  }

  listImageRecords(q?: CatalogQuery): ImageRecord[] {
    const w = where(q);
    return parse<ImageRecord>(this.db.prepare(`SELECT doc FROM catalog_images${w.sql} ORDER BY provider, region, id`).all(...w.args) as Row[]);
  }

  listCatalogSources(): CatalogSource[] {
    return parse<CatalogSource>(this.db.prepare('SELECT doc FROM catalog_sources ORDER BY provider, region').all() as Row[]);
  }

  replaceLatency(entries: readonly LatencyEntry[], source: LatencySource): void {
    this.immediate(() => {
      this.db.prepare('DELETE FROM latency').run();
      const put = this.db.prepare('INSERT OR REPLACE INTO latency(from_provider, from_region, to_provider, to_region, rtt_ms) VALUES (?, ?, ?, ?, ?)');
      for (const e of entries) put.run(e.from.provider, e.from.region, e.to.provider, e.to.region, e.rttMs);
      this.db.prepare('INSERT INTO latency_source(id, doc) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc').run(JSON.stringify(source));
    });
  }

  listLatency(): LatencyEntry[] {
    const rows = this.db.prepare('SELECT from_provider AS fp, from_region AS fr, to_provider AS tp, to_region AS tr, rtt_ms AS ms FROM latency').all() as Array<{ fp: string; fr: string; tp: string; tr: string; ms: number }>;
    return rows.map((r) => ({ from: { provider: r.fp, region: r.fr }, to: { provider: r.tp, region: r.tr }, rttMs: r.ms }));
  }

  getLatencySource(): LatencySource | undefined {
    const row = this.db.prepare('SELECT doc FROM latency_source WHERE id = 1').get() as Row | undefined;
    return row ? (JSON.parse(row.doc) as LatencySource) : undefined;
  }

  putBenchmark(r: BenchmarkRecord): void {
    this.db
      .prepare('INSERT INTO benchmarks(provider, region, spec, doc) VALUES (?, ?, ?, ?) ON CONFLICT(provider, region, spec) DO UPDATE SET doc = excluded.doc')
      .run(r.provider, r.region, r.spec, JSON.stringify(r));
  }

  listBenchmarks(): BenchmarkRecord[] {
    return parse<BenchmarkRecord>(this.db.prepare('SELECT doc FROM benchmarks ORDER BY provider, region, spec').all() as Row[]);
  }
}

/** Migration 2 (appended to migrations.ts): the catalog, latency and benchmark tables. */
export const CATALOG_MIGRATION = `CREATE TABLE catalog_sources (provider TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (provider, region));
   CREATE TABLE catalog_specs (provider TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (provider, region, name));
   CREATE TABLE catalog_images (provider TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (provider, region, id));
   CREATE TABLE latency (
     from_provider TEXT NOT NULL, from_region TEXT NOT NULL, to_provider TEXT NOT NULL, to_region TEXT NOT NULL, rtt_ms REAL NOT NULL,
     PRIMARY KEY (from_provider, from_region, to_provider, to_region)
   );
   CREATE TABLE latency_source (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL);
   CREATE TABLE benchmarks (provider TEXT NOT NULL, region TEXT NOT NULL, spec TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (provider, region, spec));`;
