/** Temporary directories for tests that write files (stores, keys, outputs). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * A fresh directory for each test: `open` runs in it before the test, `close` after it, then the
 * directory goes. Returns the current test's directory.
 */
export function tempDirEachTest(prefix: string, hooks: { open(dir: string): void; close(): unknown }): () => string {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    hooks.open(dir);
  });
  afterEach(async () => {
    await hooks.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
