/** A real SQLite store in a fresh temporary CB_HOME for one test, and the timeouts fakes answer within. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { ensurePrivateDir, homePaths, type HomePaths } from '../src/home.js';
import type { Timeouts } from '../src/orchestrator/deps.js';
import { SqliteStateStore } from '../src/store/sqlite-store.js';

/** Polls every millisecond: fakes answer at once, so waits end on the first or second look. */
export const FAST_TIMEOUTS: Timeouts = { pollMs: 1, runningMs: 5_000, actionMs: 5_000, sshMs: 1_000 };

export interface TestState {
  dir: string;
  home: HomePaths;
  store: SqliteStateStore;
  /** Closes the store and removes the directory. */
  close(): void;
}

export function openTestState(prefix: string): TestState {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const home = homePaths(dir);
  ensurePrivateDir(home.keys);
  const store = new SqliteStateStore(home.db);
  return {
    dir,
    home,
    store,
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh state for each test of the file: `setup` runs on it before the test (services, fakes,
 * connections), and it is closed after.
 */
export function eachTestState(prefix: string, setup: (state: TestState) => unknown): void {
  let state: TestState | undefined;
  beforeEach(async () => {
    state = openTestState(prefix);
    await setup(state);
  });
  afterEach(() => state?.close());
}
