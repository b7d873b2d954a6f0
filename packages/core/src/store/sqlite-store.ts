/**
 * SQLite state store (better-sqlite3, WAL). Records are JSON documents, validated by the services
 * before they are written (so reads skip zod, which keeps the CLI's start fast); key columns make
 * lookups and uniqueness cheap. Writes that read first run inside
 * BEGIN IMMEDIATE so concurrent CLI processes serialise instead of overwriting each other.
 */
import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { ConflictError, NotFoundError } from '../errors.js';
import type { K8sClusterRecord } from '../records/k8s.js';
import type { Connection, Credential, ManagedResource, Mcis, Vm } from '../model.js';
import type { LockInfo, StateStore } from './state-store.js';
import { MIGRATIONS } from './migrations.js';
import { backupIfDue, backupStateDb, integrityProblems, openStateDb, readOnlyStoreError } from './sqlite-file.js';
import { SqliteCatalog } from './sqlite-catalog.js';
import { parseDocs, SqliteNamedDocs, SqliteNamespacedDocs } from './sqlite-docs.js';
import type { BenchmarkRecord, CatalogSource, ImageRecord, LatencyEntry, LatencySource, SpecRecord } from '../records/catalog.js';


type Row = { doc: string };

function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to date inside one write transaction; an existing store is first copied to
 * state.db.bak, so a migration that goes wrong never costs the records.
 */
function migrate(db: Database.Database, path: string): void {
  const current = schemaVersion(db);
  if (current >= MIGRATIONS.length) return;
  if (current > 0 && path !== ':memory:') backupStateDb(db, path);
  db.transaction(() => {
    const again = schemaVersion(db);
    for (let v = again; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}

export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;

  private readonly catalog: SqliteCatalog;
  private readonly connections: SqliteNamedDocs<Connection>;
  private readonly credentials: SqliteNamedDocs<Credential>;
  private readonly mcis: SqliteNamespacedDocs<Mcis>;
  private readonly clusters: SqliteNamespacedDocs<K8sClusterRecord>;

  /** True when the file or its directory cannot be written: reads work, writes are refused. */
  readonly readOnly: boolean;

  /**
   * Opens (or creates) the store at `path`. Throws an OperationError naming the file and the way
   * out when it is damaged; nothing is written to a damaged store.
   */
  constructor(readonly path: string) {
    const opened = openStateDb(path, (db) => migrate(db, path));
    this.db = opened.db;
    this.readOnly = opened.readOnly;
    this.catalog = new SqliteCatalog(this.db, (fn) => this.immediate(fn));
    this.connections = new SqliteNamedDocs(this.db, 'connections');
    // Credential metadata only: secrets live in 0600 files.
    this.credentials = new SqliteNamedDocs(this.db, 'credentials');
    this.mcis = new SqliteNamespacedDocs(this.db, 'mcis', { kind: 'MCIS', command: 'mcis' }, (fn) => this.immediate(fn));
    this.clusters = new SqliteNamespacedDocs(this.db, 'k8s_clusters', { kind: 'cluster', command: 'k8s' }, (fn) => this.immediate(fn));
    // Other CLI processes may hold the write lock briefly; wait rather than fail.
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = ON');
    if (this.readOnly) {
      if (schemaVersion(this.db) < MIGRATIONS.length) throw readOnlyStoreError(path);
      return;
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    migrate(this.db, path);
  }

  /** Full integrity check (`cbadm state check`): the problems SQLite finds, none when healthy. */
  integrityProblems(): string[] {
    return integrityProblems(this.db);
  }

  /** Runs fn in a write transaction taken up front (no read-then-upgrade deadlocks). */
  private immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ── connections ────────────────────────────────────────────────────────────
  putConnection(c: Connection): void {
    this.connections.put(c);
  }
  getConnection(name: string): Connection | undefined {
    return this.connections.get(name);
  }
  listConnections(): Connection[] {
    return this.connections.list();
  }
  deleteConnection(name: string): boolean {
    return this.connections.delete(name);
  }

  // ── credentials (metadata only; secrets live in 0600 files) ────────────────
  putCredential(c: Credential): void {
    this.credentials.put(c);
  }
  getCredential(name: string): Credential | undefined {
    return this.credentials.get(name);
  }
  listCredentials(): Credential[] {
    return this.credentials.list();
  }
  deleteCredential(name: string): boolean {
    return this.credentials.delete(name);
  }

  // ── MCIS ───────────────────────────────────────────────────────────────────
  createMcis(m: Mcis): void {
    this.mcis.create(m);
  }
  getMcis(ns: string, name: string): Mcis | undefined {
    return this.mcis.get(ns, name);
  }
  listMcis(ns?: string): Mcis[] {
    return this.mcis.list(ns);
  }
  updateMcis(ns: string, name: string, patch: (m: Mcis) => Mcis): Mcis {
    return this.mcis.update(ns, name, patch);
  }
  deleteMcis(ns: string, name: string): boolean {
    return this.immediate(() => {
      this.db.prepare('DELETE FROM vms WHERE ns = ? AND mcis = ?').run(ns, name);
      return this.mcis.delete(ns, name);
    });
  }

  // ── VMs ────────────────────────────────────────────────────────────────────
  putVm(ns: string, mcis: string, vm: Vm): void {
    this.db
      .prepare(
        `INSERT INTO vms(ns, mcis, name, connection, doc) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(ns, mcis, name) DO UPDATE SET connection = excluded.connection, doc = excluded.doc`,
      )
      .run(ns, mcis, vm.name, vm.connection, JSON.stringify(vm));
  }
  getVm(ns: string, mcis: string, name: string): Vm | undefined {
    const row = this.db.prepare('SELECT doc FROM vms WHERE ns = ? AND mcis = ? AND name = ?').get(ns, mcis, name) as
      | Row
      | undefined;
    return row ? (JSON.parse(row.doc) as Vm) : undefined;
  }
  listVms(ns: string, mcis: string): Vm[] {
    const rows = this.db.prepare('SELECT doc FROM vms WHERE ns = ? AND mcis = ?').all(ns, mcis) as Row[];
    return parseDocs<Vm>(rows).sort(compareVmNames);
  }
  updateVm(ns: string, mcis: string, name: string, patch: (vm: Vm) => Vm): Vm {
    return this.immediate(() => {
      const current = this.getVm(ns, mcis, name);
      if (!current) throw new NotFoundError('VM', name, { hint: `list the MCIS's VMs with: cbadm mcis get ${mcis}` });
      const next = patch(current);
      this.putVm(ns, mcis, next);
      return next;
    });
  }
  deleteVm(ns: string, mcis: string, name: string): boolean {
    return this.db.prepare('DELETE FROM vms WHERE ns = ? AND mcis = ? AND name = ?').run(ns, mcis, name).changes > 0;
  }
  connectionsInUse(): Set<string> {
    const rows = this.db.prepare('SELECT DISTINCT connection FROM vms').all() as Array<{ connection: string }>;
    return new Set(rows.map((r) => r.connection));
  }

  // ── managed default resources ──────────────────────────────────────────────
  getResource(connection: string, kind: ManagedResource['kind']): ManagedResource | undefined {
    const row = this.db.prepare('SELECT doc FROM resources WHERE connection = ? AND kind = ?').get(connection, kind) as
      | Row
      | undefined;
    return row ? (JSON.parse(row.doc) as ManagedResource) : undefined;
  }
  listResources(): ManagedResource[] {
    return parseDocs<ManagedResource>(
      this.db.prepare('SELECT doc FROM resources ORDER BY connection, kind').all() as Row[]);
  }
  putResource(r: ManagedResource): void {
    this.db
      .prepare(
        `INSERT INTO resources(connection, kind, doc) VALUES (?, ?, ?)
         ON CONFLICT(connection, kind) DO UPDATE SET doc = excluded.doc`,
      )
      .run(r.connection, r.kind, JSON.stringify(r));
  }
  deleteResource(connection: string, kind: ManagedResource['kind']): boolean {
    return this.db.prepare('DELETE FROM resources WHERE connection = ? AND kind = ?').run(connection, kind).changes > 0;
  }

  // ── Kubernetes clusters ───────────────────────────────────────────────────
  createCluster(c: K8sClusterRecord): void {
    this.clusters.create(c);
  }
  getCluster(ns: string, name: string): K8sClusterRecord | undefined {
    return this.clusters.get(ns, name);
  }
  listClusters(ns?: string): K8sClusterRecord[] {
    return this.clusters.list(ns);
  }
  updateCluster(ns: string, name: string, patch: (c: K8sClusterRecord) => K8sClusterRecord): K8sClusterRecord {
    return this.clusters.update(ns, name, patch);
  }
  deleteCluster(ns: string, name: string): boolean {
    return this.clusters.delete(ns, name);
  }

  // ── locks ──────────────────────────────────────────────────────────────────
  acquireLock(key: string, owner: string): void {
    const host = hostname();
    this.immediate(() => {
      const held = this.getLock(key);
      if (held && !(held.host === host && held.pid === process.pid) && isAlive(held, host)) {
        throw new ConflictError(`'${key}' is locked by ${held.owner} (pid ${held.pid} on ${held.host}) since ${held.acquiredAt}`, {
          hint: 'wait for that command to finish; if it was killed, re-run this command and it will take the lock over',
        });
      }
      this.db
        .prepare(
          `INSERT INTO locks(key, owner, pid, host, acquired_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at`,
        )
        .run(key, owner, process.pid, host, new Date().toISOString());
    });
  }
  releaseLock(key: string): void {
    this.db.prepare('DELETE FROM locks WHERE key = ? AND pid = ? AND host = ?').run(key, process.pid, hostname());
  }
  getLock(key: string): LockInfo | undefined {
    const row = this.db.prepare('SELECT key, owner, pid, host, acquired_at AS acquiredAt FROM locks WHERE key = ?').get(key) as
      | LockInfo
      | undefined;
    return row;
  }

  // ── catalog, latency, benchmarks (sqlite-catalog.ts) ───────────────────────
  replaceCatalog(source: CatalogSource, specs: readonly SpecRecord[], images: readonly ImageRecord[]): void {
    this.catalog.replaceCatalog(source, specs, images);
  }
  listSpecRecords(q?: { provider?: string; region?: string }): SpecRecord[] {
    return this.catalog.listSpecRecords(q);
  }
  listImageRecords(q?: { provider?: string; region?: string }): ImageRecord[] {
    return this.catalog.listImageRecords(q);
  }
  listCatalogSources(): CatalogSource[] {
    return this.catalog.listCatalogSources();
  }
  replaceLatency(entries: readonly LatencyEntry[], source: LatencySource): void {
    this.catalog.replaceLatency(entries, source);
  }
  listLatency(): LatencyEntry[] {
    return this.catalog.listLatency();
  }
  getLatencySource(): LatencySource | undefined {
    return this.catalog.getLatencySource();
  }
  putBenchmark(r: BenchmarkRecord): void {
    this.catalog.putBenchmark(r);
  }
  listBenchmarks(): BenchmarkRecord[] {
    return this.catalog.listBenchmarks();
  }

  /** Closes the store, first taking the daily backup when one is due (so it holds this command's writes). */
  close(): void {
    if (!this.readOnly && this.path !== ':memory:' && this.db.open) {
      try {
        backupIfDue(this.db, this.path);
      } catch {
        // A full disk must not turn a finished command into a failed one; the next close tries again.
      }
    }
    this.db.close();
  }
}

/** A lock held on another host cannot be checked: treat it as alive. */
function isAlive(lock: LockInfo, host: string): boolean {
  if (lock.host !== host) return true;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** web-2 before web-10: numeric suffixes sort as numbers. */
export function compareVmNames(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name, 'en', { numeric: true });
}
