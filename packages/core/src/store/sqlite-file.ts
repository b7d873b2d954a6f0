/**
 * Opening the state database safely: a new file appears whole (built aside, then linked into place,
 * so no process ever sees a half-made one), an existing file is checked before it is trusted (header,
 * size against the page size, `PRAGMA quick_check`), a damaged one is refused with the way out, and
 * a store on a read-only file system (or without write permission) opens read-only instead of failing.
 * Backups (`state.db.bak`) are consistent copies made by SQLite itself (`VACUUM INTO`) before each
 * schema migration and at most once a day.
 */
import type Database from 'better-sqlite3';
import { accessSync, chmodSync, closeSync, constants, existsSync, fstatSync, linkSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { OperationError } from '../errors.js';
import { ensurePrivateDbFile } from '../home.js';

// Required, not imported: a CommonJS package through ESM gets its exports scanned on every CLI start.
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

const MAGIC = 'SQLite format 3\0';
const DAY_MS = 24 * 60 * 60 * 1000;

export type FileVerdict = { ok: true } | { ok: false; why: string };

/** Checks a database file's header and size without opening it: cheap, and it never writes. */
export function inspectDbFile(path: string): FileVerdict {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { ok: false, why: 'it is empty (0 bytes)' };
    const header = Buffer.alloc(100);
    const n = readSync(fd, header, 0, 100, 0);
    if (n < 100 || header.toString('latin1', 0, 16) !== MAGIC) return { ok: false, why: 'it does not start with an SQLite header' };
    const raw = header.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return { ok: false, why: `its header names an impossible page size (${raw})` };
    if (size % pageSize !== 0) return { ok: false, why: `its size (${size} bytes) is not a whole number of ${pageSize}-byte pages: it was cut short` };
    return { ok: true };
  } finally {
    closeSync(fd);
  }
}

/** The message and way out for a damaged store: who must act and how. */
export function damagedStoreError(path: string, why: string): OperationError {
  const bak = `${path}.bak`;
  const restore = existsSync(bak) ? `restore the automatic backup (cbadm state restore, from ${bak}), or ` : '';
  return new OperationError(`the state store ${path} is damaged: ${why}; nothing was written to it`, {
    hint: `${restore}rebuild the records from the clouds' cb-* tags with: cbadm state recover`,
  });
}

export function readOnlyStoreError(path: string, cause?: unknown): OperationError {
  return new OperationError(`the state store ${path} is read-only (a read-only file system, or no write permission): this command needs to change it`, {
    hint: `make ${dirname(path)} writable, or run only commands that read (list, get, status)`,
    cause,
  });
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A read-only handle. SQLite cannot open a WAL database read-only where it may not create the
 * -shm index (a read-only file system): then the file is read into memory as a snapshot, marked as
 * a rollback-journal database so the in-memory copy needs no index. A non-empty -wal there would
 * hold writes the snapshot misses: refused rather than shown stale.
 */
function openReadOnly(path: string): Database.Database {
  try {
    const db = new Sqlite(path, { readonly: true, fileMustExist: true });
    db.pragma('schema_version'); // reads the WAL index: fails here, not later, when -shm is missing
    return db;
  } catch {
    const wal = `${path}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw readOnlyStoreError(path, new Error(`${wal} holds writes not yet in ${path}`));
    }
    const image = readFileSync(path);
    image[18] = 1; // file format write version: legacy (no WAL)
    image[19] = 1; // read version
    return new Sqlite(image, { readonly: true });
  }
}

/** Creates a new database aside with `init` run on it, then links it into place unless another process won. */
function createWhole(path: string, init: (db: Database.Database) => void): void {
  const tmp = `${path}.${process.pid}.new`;
  ensurePrivateDbFile(tmp);
  const db = new Sqlite(tmp);
  try {
    db.pragma('journal_mode = WAL');
    init(db);
  } finally {
    db.close(); // checkpoints: the file holds everything, no -wal is left behind
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
}

function quickCheck(db: Database.Database): string | undefined {
  const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  return problems.length ? problems.join('; ') : undefined;
}

export interface OpenedDb {
  db: Database.Database;
  readOnly: boolean;
}

/**
 * Opens (creating if missing, with `init` applied) a state database. Throws the damaged-store error
 * when the file is not a healthy SQLite database; opens read-only when the file or its directory
 * cannot be written.
 */
export function openStateDb(path: string, init: (db: Database.Database) => void): OpenedDb {
  if (path === ':memory:') {
    const db = new Sqlite(path);
    init(db);
    return { db, readOnly: false };
  }
  if (!existsSync(path)) {
    if (!writable(dirname(path))) throw readOnlyStoreError(path);
    createWhole(path, init);
  }
  const verdict = inspectDbFile(path);
  if (!verdict.ok) throw damagedStoreError(path, verdict.why);
  const readOnly = !writable(path) || !writable(dirname(path));
  let db: Database.Database;
  try {
    db = readOnly ? openReadOnly(path) : new Sqlite(path);
  } catch (e) {
    throw e instanceof OperationError ? e : damagedStoreError(path, (e as Error).message);
  }
  let problem: string | undefined;
  try {
    problem = quickCheck(db);
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem) {
    db.close();
    throw damagedStoreError(path, `SQLite's quick_check found: ${problem}`);
  }
  if (!readOnly) tightenMode(path);
  return { db, readOnly };
}

/** Owner-only, without ever adding a permission the owner took away. */
function tightenMode(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = statSync(p).mode & 0o777;
      if (mode & 0o077) chmodSync(p, mode & 0o700);
    } catch {
      // gone meanwhile, or not ours to change: the file's own mode stands
    }
  }
}

/** A consistent copy of the open database at `path.bak` (SQLite's VACUUM INTO, then a rename). */
export function backupStateDb(db: Database.Database, path: string): string {
  const bak = `${path}.bak`;
  const tmp = `${bak}.${process.pid}.tmp`;
  if (existsSync(tmp)) unlinkSync(tmp);
  db.prepare('VACUUM INTO ?').run(tmp);
  chmodSync(tmp, 0o600);
  renameSync(tmp, bak);
  return bak;
}

/** Takes the daily backup when the last one is older than a day (or missing). */
export function backupIfDue(db: Database.Database, path: string, now = Date.now()): boolean {
  const bak = `${path}.bak`;
  if (existsSync(bak) && now - statSync(bak).mtimeMs < DAY_MS) return false;
  backupStateDb(db, path);
  return true;
}

/** Full integrity check (every index against its table): `cbadm state check`. */
export function integrityProblems(db: Database.Database, max = 20): string[] {
  const rows = db.pragma(`integrity_check(${max})`) as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
}
