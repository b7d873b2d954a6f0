/**
 * Where local state lives: `$CB_HOME` (default `~/.cloud-barista`). Directories are 0700 and secret
 * files 0600, because keys and credentials sit here.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

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

/** Creates the directory (and parents) with mode 0700, tightening it if it already existed. */
export function ensurePrivateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}

/** Writes a file readable only by its owner, atomically (temp file + rename). */
export function writeSecretFile(path: string, content: string): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
