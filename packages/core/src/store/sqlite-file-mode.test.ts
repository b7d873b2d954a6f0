import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from './sqlite-store.js';

let dir: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cb-store-mode-'));
  // The usual umask: files would come out 0644 unless the store makes them private.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;

describe('state.db file modes', () => {
  it('creates the database and its -wal and -shm files 0600', () => {
    const db = join(dir, 'state.db');
    const store = new SqliteStateStore(db);
    try {
      store.putConnection({ name: 'c1', provider: 'aws', region: 'r', sshPort: 22, labels: {}, createdAt: new Date().toISOString() });
      for (const p of [db, `${db}-wal`, `${db}-shm`]) expect(mode(p), p).toBe(0o600);
    } finally {
      store.close();
    }
  });

  it('tightens a database an older version left 0644', () => {
    const db = join(dir, 'state.db');
    new SqliteStateStore(db).close();
    for (const p of [db, `${db}-wal`, `${db}-shm`]) {
      writeFileSync(p, '', { flag: 'a' });
      chmodSync(p, 0o644);
    }
    const store = new SqliteStateStore(db);
    try {
      for (const p of [db, `${db}-wal`, `${db}-shm`]) expect(mode(p), p).toBe(0o600);
    } finally {
      store.close();
    }
  });
});
