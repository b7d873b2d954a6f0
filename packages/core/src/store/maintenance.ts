/**
 * `cbadm state check | restore`, and what `state recover` needs from a store it cannot trust: the
 * connections and credential records that can still be read from it (or from its backup).
 */
import type Database from 'better-sqlite3';
import { copyFileSync, chmodSync, existsSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';
import type { Connection, Credential } from '../model.js';
import { inspectDbFile, integrityProblems } from './sqlite-file.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

export interface StoreCheck {
  file: string;
  ok: boolean;
  /** What is wrong, in SQLite's words or ours; empty when healthy. */
  problems: string[];
  backup?: { file: string; takenAt: string; ok: boolean };
}

/** Reads a database file read-only and runs the full integrity check on it. Never writes. */
function checkFile(file: string): string[] {
  const verdict = inspectDbFile(file);
  if (!verdict.ok) return [verdict.why];
  let db: Database.Database | undefined;
  try {
    db = new Sqlite(file, { readonly: true, fileMustExist: true });
    return integrityProblems(db);
  } catch (e) {
    return [(e as Error).message];
  } finally {
    db?.close();
  }
}

export function checkStore(file: string): StoreCheck {
  if (!existsSync(file)) throw new UsageError(`no state store at ${file}`, { hint: 'nothing to check: cbadm creates it on first use' });
  const problems = checkFile(file);
  const bak = `${file}.bak`;
  const backup = existsSync(bak) ? { file: bak, takenAt: statSync(bak).mtime.toISOString(), ok: checkFile(bak).length === 0 } : undefined;
  return { file, ok: problems.length === 0, problems, ...(backup ? { backup } : {}) };
}

/** Moves a store (and its -wal/-shm) aside under a dated name; returns the new name of the main file. */
export function moveAside(file: string, now = new Date()): string {
  const aside = `${file}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${aside}${suffix}`);
  return aside;
}

export interface RestoreResult {
  file: string;
  from: string;
  backupTakenAt: string;
  /** Where the replaced store was kept (nothing is deleted). */
  keptAs?: string;
}

/** Puts a healthy backup in place of the store; the store it replaces is kept aside, not deleted. */
export function restoreStore(file: string, from = `${file}.bak`): RestoreResult {
  if (!existsSync(from)) throw new UsageError(`no backup at ${from}`, { hint: 'rebuild the records from the clouds instead: cbadm state recover' });
  const problems = checkFile(from);
  if (problems.length) throw new UsageError(`the backup ${from} is not healthy either: ${problems.join('; ')}`, { hint: 'rebuild the records from the clouds instead: cbadm state recover' });
  const backupTakenAt = statSync(from).mtime.toISOString();
  const keptAs = existsSync(file) ? moveAside(file) : undefined;
  const tmp = `${file}.${process.pid}.restoring`;
  copyFileSync(from, tmp);
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { file, from, backupTakenAt, ...(keptAs ? { keptAs } : {}) };
}

/** Connection and credential records that can still be read from `file`; none when it cannot be read. */
export function salvageRecords(file: string): { connections: Connection[]; credentials: Credential[] } {
  const out = { connections: [] as Connection[], credentials: [] as Credential[] };
  if (!existsSync(file)) return out;
  let db: Database.Database | undefined;
  try {
    db = new Sqlite(file, { readonly: true, fileMustExist: true });
    for (const [table, into] of [['connections', out.connections], ['credentials', out.credentials]] as const) {
      try {
        for (const row of db.prepare(`SELECT doc FROM ${table}`).all() as Array<{ doc: string }>) {
          try {
            (into as unknown[]).push(JSON.parse(row.doc));
          } catch {
            // a damaged row: the others may still be whole
          }
        }
      } catch {
        // a damaged table: the other may still be readable
      }
    }
  } catch {
    // not openable at all
  } finally {
    db?.close();
  }
  return out;
}
