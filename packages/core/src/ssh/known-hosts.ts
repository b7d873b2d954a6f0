/**
 * Host keys pinned on first use, in OpenSSH's own known_hosts format so that `ssh -o
 * UserKnownHostsFile=$CB_HOME/known_hosts` trusts exactly what we trust:
 *   [127.1.2.3]:2222 ssh-ed25519 AAAA…      (non-standard port)
 *   203.0.113.7 ssh-ed25519 AAAA…           (port 22)
 * Hashed entries (`|1|salt|hash`, from `ssh-keygen -H`) and comma-separated host lists are understood;
 * `@cert-authority` lines are ignored and `@revoked` keys never match.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir } from '../home.js';
import { ConflictError, OperationError } from '../errors.js';

/** Blocks the thread briefly; forget() is synchronous and its critical section lasts microseconds. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export type HostKeyVerdict = 'match' | 'new' | 'mismatch';

export interface KnownHostKey {
  keyType: string;
  keyBase64: string;
}

/** The host field OpenSSH writes and looks up: `host` for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

interface Entry {
  marker: string | undefined;
  hosts: string;
  keyType: string;
  keyBase64: string;
}

function parseLine(line: string): Entry | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const fields = trimmed.split(/\s+/);
  let marker: string | undefined;
  if (fields[0]?.startsWith('@')) marker = fields.shift();
  const [hosts, keyType, keyBase64] = fields;
  if (!hosts || !keyType || !keyBase64) return undefined;
  return { marker, hosts, keyType, keyBase64 };
}

/** Does a host field (plain, comma list, or `|1|salt|hash`) name this host? Wildcards are not matched. */
function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  return hosts.split(',').some((h) => h === name);
}

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

/**
 * The known_hosts file at `path`. Reads see the file as it is on disk at the call (no cache), so several
 * processes can share it. `pin` appends with one O_APPEND write, which concurrent appenders cannot
 * interleave; `forget` rewrites the file under a lock file and re-checks for appends before replacing it.
 */
export class KnownHosts {
  constructor(readonly path: string) {}

  private entries(): Entry[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return text.split('\n').flatMap((l) => parseLine(l) ?? []);
  }

  /** Keys pinned for host:port (usable ones, not revoked or CA lines). */
  lookup(host: string, port: number): KnownHostKey[] {
    const name = knownHostsName(host, port);
    return this.entries()
      .filter((e) => e.marker === undefined && hostsMatch(e.hosts, name))
      .map(({ keyType, keyBase64 }) => ({ keyType, keyBase64 }));
  }

  /**
   * 'match' if this exact key is pinned for host:port, 'new' if nothing is pinned for it, and
   * 'mismatch' if another key is pinned (of any type: a host that suddenly offers a different key type
   * is as suspicious as one with a different key) or this key is marked @revoked.
   */
  check(host: string, port: number, keyType: string, keyBase64: string): HostKeyVerdict {
    const name = knownHostsName(host, port);
    const mine = this.entries().filter((e) => hostsMatch(e.hosts, name));
    if (mine.some((e) => e.marker === '@revoked' && e.keyBase64 === keyBase64)) return 'mismatch';
    const usable = mine.filter((e) => e.marker === undefined);
    if (usable.some((e) => e.keyType === keyType && e.keyBase64 === keyBase64)) return 'match';
    return usable.length === 0 ? 'new' : 'mismatch';
  }

  /**
   * Appends `host keyType key` for host:port unless that exact key is already pinned. Creates the file
   * (0600) and its directory (0700) if needed. Safe against other processes pinning at the same time:
   * the line goes out in a single O_APPEND write. If this throws, the file is unchanged or has gained
   * the complete line, never a partial one.
   */
  pin(host: string, port: number, keyType: string, keyBase64: string): void {
    if (!/^[A-Za-z0-9@.+_-]+$/.test(keyType) || !/^[A-Za-z0-9+/]+=*$/.test(keyBase64)) {
      throw new OperationError(
        `refusing to pin a malformed host key for ${knownHostsName(host, port)} (${keyType})`,
      );
    }
    if (this.check(host, port, keyType, keyBase64) === 'match') return;
    ensurePrivateDir(dirname(this.path));
    const fd = openSync(this.path, 'a+', 0o600);
    try {
      // A hand-edited file may lack its final newline; never glue our line onto the last one.
      let prefix = '';
      const size = fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      writeSync(fd, `${prefix}${knownHostsName(host, port)} ${keyType} ${keyBase64}\n`);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Removes every key pinned for host:port (a terminated VM's address may come back with a new host).
   * Returns how many lines were removed. Other lines, comments and their order are kept. Blocks up to
   * 10 s while another process's `forget` finishes (then throws ConflictError). If this throws, the
   * file is unchanged: the rewrite goes to a temp file that replaces the original only when complete.
   */
  forget(host: string, port: number): number {
    if (!existsSync(this.path)) return 0;
    const name = knownHostsName(host, port);
    const release = this.lock();
    try {
      for (;;) {
        const before = readFileSync(this.path);
        const lines = before.toString('utf8').split('\n');
        const kept = lines.filter((l) => {
          const e = parseLine(l);
          return !(e && hostsMatch(e.hosts, name));
        });
        const removed = lines.length - kept.length;
        if (removed === 0) return 0;
        const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        writeFileSync(tmp, kept.join('\n'), { mode: 0o600 });
        // A concurrent pin appends without the lock: if the file grew meanwhile, start over so it is kept.
        if (statSync(this.path).size !== before.length) {
          unlinkSync(tmp);
          continue;
        }
        renameSync(tmp, this.path);
        return removed;
      }
    } finally {
      release();
    }
  }

  private lock(): () => void {
    const lockPath = `${this.path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        closeSync(openSync(lockPath, 'wx', 0o600));
        return () => {
          try {
            unlinkSync(lockPath);
          } catch {
            // already gone (removed as stale by another process): nothing to release
          }
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > LOCK_STALE_MS) unlinkSync(lockPath);
      } catch {
        // the holder released it between our two calls
      }
      if (Date.now() > deadline) {
        throw new ConflictError(`${this.path} is locked by another process`, {
          hint: `retry; if no cbadm process is running, remove ${lockPath}`,
        });
      }
      sleepSync(Math.min(200, 5 * 2 ** attempt));
    }
  }
}
