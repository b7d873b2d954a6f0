/**
 * Where local state lives: `$CB_HOME` (default `~/.cloud-barista`). Directories are 0700 and secret
 * files 0600, because keys and credentials sit here.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { BugError } from './errors.js';

export interface HomePaths {
  root: string;
  db: string;
  knownHosts: string;
  keys: string;
  credentials: string;
  twin: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CB_HOME && env.CB_HOME.length > 0 ? env.CB_HOME : join(homedir(), '.cloud-barista');
}

export function homePaths(root: string): HomePaths {
  return {
    root,
    db: join(root, 'state.db'),
    knownHosts: join(root, 'known_hosts'),
    keys: join(root, 'keys'),
    credentials: join(root, 'credentials'),
    twin: join(root, 'twin'),
  };
}

/**
 * `parent/segment`, refusing a segment that is not one plain file name inside `parent` ('..', a
 * slash, an empty or dot name). Names are validated where they enter (names.ts); this is the last
 * line that keeps a name that slipped through from writing keys or secrets elsewhere.
 */
export function childPath(parent: string, segment: string): string {
  if (segment === '' || segment.startsWith('.') || /[/\\\0]/.test(segment)) {
    throw new BugError(`refusing to build a path from ${JSON.stringify(segment)} under ${parent}: not a plain file name`);
  }
  return join(parent, segment);
}

/**
 * Creates the directory (and parents) 0700. One that exists loses group and other permissions but
 * never gains any: a home its owner made read-only stays read-only (and on a read-only file system
 * nothing is changed at all).
 */
export function ensurePrivateDir(path: string): string {
  const created = mkdirSync(path, { recursive: true, mode: 0o700 });
  if (created !== undefined) {
    chmodSync(path, 0o700);
    return path;
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    try {
      chmodSync(path, mode & 0o700);
    } catch (e) {
      if (!['EROFS', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
  return path;
}

/**
 * A SQLite database readable only by its owner: created 0600 before SQLite opens it (SQLite gives
 * its -wal and -shm files the database's mode), and tightened, with those, if it already existed.
 */
export function ensurePrivateDbFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(p)) chmodSync(p, 0o600);
}

/** Writes a file readable only by its owner, atomically (temp file + rename). */
export function writeSecretFile(path: string, content: string): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
