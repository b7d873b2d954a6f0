/**
 * Where local state lives: `$CB_HOME` (default `~/.cloud-barista`). Directories are 0700 and secret
 * files 0600, because keys and credentials sit here.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
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

/** Creates the directory (and parents) with mode 0700, tightening it if it already existed. */
export function ensurePrivateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
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
