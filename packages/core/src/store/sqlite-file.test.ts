import type Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';
import { inspectDbFile } from './sqlite-file.js';
import { SqliteStateStore } from './sqlite-store.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'cb-sqlite-file-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const version = (file: string) => {
  const db = new Sqlite(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};

describe('the state database file', () => {
  it('a new store appears whole: a valid SQLite file at once, nothing left aside', () => {
    const dir = tmp();
    const store = new SqliteStateStore(join(dir, 'state.db'));
    store.close();
    expect(inspectDbFile(join(dir, 'state.db'))).toEqual({ ok: true });
    expect(readdirSync(dir).sort()).toEqual(['state.db', 'state.db.bak']);
    expect(version(join(dir, 'state.db'))).toBe(MIGRATIONS.length);
  });

  it('is copied to state.db.bak before a schema migration', () => {
    const dir = tmp();
    const file = join(dir, 'state.db');
    const old = new Sqlite(file);
    old.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.slice(0, -1)) old.exec(m);
    old.pragma(`user_version = ${MIGRATIONS.length - 1}`);
    old.close();
    new SqliteStateStore(file).close();
    expect(version(`${file}.bak`)).toBe(MIGRATIONS.length - 1);
    expect(version(file)).toBe(MIGRATIONS.length);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /it is empty \(0 bytes\)/],
    ['a file that is not SQLite', Buffer.from('x'.repeat(8192)), /does not start with an SQLite header/],
  ])('refuses %s, naming the file and the way out', (_, bytes, why) => {
    const file = join(tmp(), 'state.db');
    writeFileSync(file, bytes);
    let err: unknown;
    try {
      new SqliteStateStore(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain(file);
    expect((err as OperationError).hint).toMatch(/cbadm state recover/);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
