/**
 * The two shapes of record table in the SQLite store: JSON documents keyed by name (connections,
 * credentials) and keyed by namespace and name (MCISes, K8s clusters). One implementation each, so
 * every table of a shape behaves alike (conflicts, not-found hints, atomic read-modify-write).
 */
import type Database from 'better-sqlite3';
import { ConflictError, NotFoundError } from '../errors.js';

type Row = { doc: string };

export const parseDocs = <T>(rows: Row[]): T[] => rows.map((r) => JSON.parse(r.doc) as T);

/** Documents keyed by name; `put` inserts or replaces. Table names come from code, never from input. */
export class SqliteNamedDocs<T extends { name: string }> {
  constructor(
    private readonly db: Database.Database,
    private readonly table: string,
  ) {}

  put(doc: T): void {
    this.db
      .prepare(`INSERT INTO ${this.table}(name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc`)
      .run(doc.name, JSON.stringify(doc));
  }
  get(name: string): T | undefined {
    const row = this.db.prepare(`SELECT doc FROM ${this.table} WHERE name = ?`).get(name) as Row | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }
  list(): T[] {
    return parseDocs<T>(this.db.prepare(`SELECT doc FROM ${this.table} ORDER BY name`).all() as Row[]);
  }
  delete(name: string): boolean {
    return this.db.prepare(`DELETE FROM ${this.table} WHERE name = ?`).run(name).changes > 0;
  }
}

export interface NamespacedKind {
  /** As users read it in errors: 'MCIS', 'cluster'. */
  kind: string;
  /** The cbadm command group that lists and deletes it: 'mcis', 'k8s'. */
  command: string;
}

/** Documents keyed by (ns, name); `create` refuses a taken name, `update` is a read-modify-write in one transaction. */
export class SqliteNamespacedDocs<T extends { ns: string; name: string }> {
  constructor(
    private readonly db: Database.Database,
    private readonly table: string,
    private readonly what: NamespacedKind,
    private readonly immediate: <R>(fn: () => R) => R,
  ) {}

  /** Throws ConflictError when one of that name exists in the namespace. */
  create(doc: T): void {
    try {
      this.db.prepare(`INSERT INTO ${this.table}(ns, name, doc) VALUES (?, ?, ?)`).run(doc.ns, doc.name, JSON.stringify(doc));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConflictError(`${this.what.kind} '${doc.name}' already exists in namespace '${doc.ns}'`, {
          hint: `pick another name, or delete it first: cbadm ${this.what.command} delete ${doc.name} --ns ${doc.ns}`,
        });
      }
      throw e;
    }
  }
  get(ns: string, name: string): T | undefined {
    const row = this.db.prepare(`SELECT doc FROM ${this.table} WHERE ns = ? AND name = ?`).get(ns, name) as Row | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }
  list(ns?: string): T[] {
    const rows = (
      ns === undefined
        ? this.db.prepare(`SELECT doc FROM ${this.table} ORDER BY ns, name`).all()
        : this.db.prepare(`SELECT doc FROM ${this.table} WHERE ns = ? ORDER BY name`).all(ns)
    ) as Row[];
    return parseDocs<T>(rows);
  }
  /** Throws NotFoundError when there is none; returns the patched document. */
  update(ns: string, name: string, patch: (doc: T) => T): T {
    return this.immediate(() => {
      const current = this.get(ns, name);
      if (!current) throw new NotFoundError(this.what.kind, name, { hint: `list them with: cbadm ${this.what.command} list --ns ${ns}` });
      const next = patch(current);
      this.db.prepare(`UPDATE ${this.table} SET doc = ? WHERE ns = ? AND name = ?`).run(JSON.stringify(next), ns, name);
      return next;
    });
  }
  delete(ns: string, name: string): boolean {
    return this.db.prepare(`DELETE FROM ${this.table} WHERE ns = ? AND name = ?`).run(ns, name).changes > 0;
  }
}
