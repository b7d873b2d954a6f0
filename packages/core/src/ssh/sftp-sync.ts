/**
 * One-way sync of a file or a directory tree over one SFTP session, like `rsync -rt`: files whose
 * size and modification time already match are skipped (or whose content matches, with
 * `checksum`), and copied files keep their permission bits and mtime so the next run can skip them.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, type Stats as LocalStats } from 'node:fs';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import type { SFTPWrapper, Stats as RemoteStats } from 'ssh2';
import { UsageError } from '../errors.js';
import { Semaphore } from '../util/limit.js';

export interface SyncOptions {
  /** Compare content (SHA-256) instead of size and mtime. */
  checksum?: boolean;
  /** Files in flight at once on the session. Default 8. */
  concurrency?: number;
  /** After each file is copied or skipped. */
  onFile?: (done: SyncProgress) => void;
  signal?: AbortSignal;
}

export interface SyncProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
}

export interface SyncStats {
  /** Files in the source. */
  files: number;
  copied: number;
  skipped: number;
  /** Bytes sent or received. */
  bytes: number;
}

/** One entry of a tree, with `rel` relative to its root ('' for a single file). */
interface Entry {
  rel: string;
  dir: boolean;
  size: number;
  /** Whole seconds: what SFTP carries. */
  mtime: number;
  mode: number;
}

const PERM_BITS = 0o7777;

/** Uploads `local` (a file or a directory) so that it becomes `remote` on the VM. */
export async function uploadTree(sftp: SFTPWrapper, local: string, remote: string, o: SyncOptions = {}): Promise<SyncStats> {
  const root = await localStat(local);
  const r = new Remote(sftp);
  let dest = remote;
  if (!root.isDirectory() && (remote.endsWith('/') || (await r.stat(remote))?.isDirectory())) dest = posix.join(remote, basename(local));
  dest = dest.length > 1 ? dest.replace(/\/+$/, '') : dest;
  const entries = root.isDirectory() ? await walkLocal(local) : [entryOf('', root)];
  await r.mkdirs(root.isDirectory() ? dest : posix.dirname(dest));
  for (const e of entries.filter((x) => x.dir)) await r.mkdirs(posix.join(dest, e.rel));
  return syncFiles(entries, o, async (e) => {
    const from = e.rel ? join(local, e.rel) : local;
    const to = e.rel ? posix.join(dest, e.rel) : dest;
    const there = await r.stat(to);
    if (there && !there.isDirectory() && there.size === e.size) {
      const same = o.checksum ? (await r.sha256(to)) === (await localSha256(from)) : there.mtime === e.mtime;
      if (same) {
        if ((there.mode & PERM_BITS) !== e.mode) await r.setstat(to, { mode: e.mode });
        return false;
      }
    }
    await r.put(from, to);
    await r.setstat(to, { mode: e.mode, mtime: e.mtime, atime: e.mtime });
    return true;
  });
}

/** Downloads `remote` (a file or a directory) from the VM to `local` (the path it becomes). */
export async function downloadTree(sftp: SFTPWrapper, remote: string, local: string, o: SyncOptions = {}): Promise<SyncStats> {
  const r = new Remote(sftp);
  const root = await r.stat(remote);
  if (!root) throw new UsageError(`${remote} does not exist on the VM`, { hint: 'check the path: cbadm mcis exec NAME -- ls -ld PATH' });
  const entries = root.isDirectory() ? await r.walk(remote) : [entryOf('', root)];
  await fs.mkdir(root.isDirectory() ? local : dirname(local), { recursive: true });
  for (const e of entries.filter((x) => x.dir)) await fs.mkdir(join(local, e.rel), { recursive: true });
  return syncFiles(entries, o, async (e) => {
    const from = e.rel ? posix.join(remote, e.rel) : remote;
    const to = e.rel ? join(local, e.rel) : local;
    const here = await fs.stat(to).catch(() => undefined);
    if (here?.isFile() && here.size === e.size) {
      const same = o.checksum ? (await localSha256(to)) === (await r.sha256(from)) : Math.floor(here.mtimeMs / 1000) === e.mtime;
      if (same) return false;
    }
    await r.get(from, to);
    await fs.chmod(to, e.mode);
    await fs.utimes(to, e.mtime, e.mtime);
    return true;
  });
}

/** Runs `copy` (true = copied, false = skipped) over the files, a few at a time, counting as it goes. */
async function syncFiles(entries: Entry[], o: SyncOptions, copy: (e: Entry) => Promise<boolean>): Promise<SyncStats> {
  const files = entries.filter((e) => !e.dir);
  const totalBytes = files.reduce((n, e) => n + e.size, 0);
  const stats: SyncStats = { files: files.length, copied: 0, skipped: 0, bytes: 0 };
  const sem = new Semaphore(o.concurrency ?? 8);
  let done = 0;
  let moved = 0;
  await Promise.all(
    files.map((e) =>
      sem.run(async () => {
        if (o.signal?.aborted) throw o.signal.reason;
        if (await copy(e)) {
          stats.copied++;
          stats.bytes += e.size;
        } else stats.skipped++;
        done++;
        moved += e.size;
        o.onFile?.({ files: done, totalFiles: files.length, bytes: moved, totalBytes });
      }),
    ),
  );
  return stats;
}

async function localStat(path: string): Promise<LocalStats> {
  try {
    return await fs.stat(path);
  } catch {
    throw new UsageError(`${path} does not exist here`, { hint: 'give an existing local file or directory' });
  }
}

function entryOf(rel: string, s: { isDirectory(): boolean; size: number; mode: number; mtime: number | Date; mtimeMs?: number }): Entry {
  const mtime = typeof s.mtime === 'number' ? s.mtime : Math.floor((s.mtimeMs ?? s.mtime.getTime()) / 1000);
  return { rel, dir: s.isDirectory(), size: s.isDirectory() ? 0 : s.size, mtime, mode: s.mode & PERM_BITS };
}

/** Every directory and regular file below `root` (symlinks followed), paths in POSIX form. */
async function walkLocal(root: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const name of (await fs.readdir(dir)).sort()) {
      const path = join(dir, name);
      const s = await fs.stat(path).catch(() => undefined); // a dangling link is skipped, as rsync -L would
      if (!s || !(s.isDirectory() || s.isFile())) continue;
      out.push(entryOf(relative(root, path).split(sep).join('/'), s));
      if (s.isDirectory()) await visit(path);
    }
  };
  await visit(root);
  return out;
}

function localSha256(path: string): Promise<string> {
  return hashStream(createReadStream(path));
}

function hashStream(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    stream.on('data', (d: Buffer) => h.update(d));
    stream.on('error', reject);
    stream.on('end', () => resolve(h.digest('hex')));
  });
}

/** The SFTP calls used here, as promises. */
class Remote {
  constructor(private readonly sftp: SFTPWrapper) {}

  stat(path: string): Promise<RemoteStats | undefined> {
    return new Promise((resolve, reject) =>
      this.sftp.stat(path, (err, s) => (err ? ((err as { code?: number }).code === 2 ? resolve(undefined) : reject(err)) : resolve(s))),
    );
  }

  async mkdirs(path: string): Promise<void> {
    if (!path || path === '.' || path === '/') return;
    const s = await this.stat(path);
    if (s?.isDirectory()) return;
    if (s) throw new UsageError(`${path} exists on the VM and is not a directory`, { hint: 'choose another destination' });
    await this.mkdirs(posix.dirname(path));
    const err = await new Promise<Error | undefined>((resolve) => this.sftp.mkdir(path, (e) => resolve(e ?? undefined)));
    // Another session (a parallel copy) may have made it meanwhile.
    if (err && !(await this.stat(path))?.isDirectory()) throw err;
  }

  setstat(path: string, attrs: { mode?: number; mtime?: number; atime?: number }): Promise<void> {
    return new Promise((resolve, reject) => this.sftp.setstat(path, attrs, (err) => (err ? reject(err) : resolve())));
  }

  put(local: string, remote: string): Promise<void> {
    return new Promise((resolve, reject) => this.sftp.fastPut(local, remote, (err) => (err ? reject(err) : resolve())));
  }

  get(remote: string, local: string): Promise<void> {
    return new Promise((resolve, reject) => this.sftp.fastGet(remote, local, (err) => (err ? reject(err) : resolve())));
  }

  sha256(path: string): Promise<string> {
    return hashStream(this.sftp.createReadStream(path));
  }

  /** Every directory and regular file below `root` on the VM. */
  async walk(root: string): Promise<Entry[]> {
    const out: Entry[] = [];
    const visit = async (dir: string, rel: string): Promise<void> => {
      const list = await new Promise<Array<{ filename: string; attrs: RemoteStats }>>((resolve, reject) =>
        this.sftp.readdir(dir, (err, l) => (err ? reject(err) : resolve(l))),
      );
      for (const item of list.sort((a, b) => a.filename.localeCompare(b.filename))) {
        if (item.filename === '.' || item.filename === '..') continue;
        const path = posix.join(dir, item.filename);
        const childRel = rel ? `${rel}/${item.filename}` : item.filename;
        // readdir does not follow links; stat does.
        const s = item.attrs.isSymbolicLink() ? await this.stat(path) : item.attrs;
        if (!s || !(s.isDirectory() || s.isFile())) continue;
        out.push(entryOf(childRel, s));
        if (s.isDirectory()) await visit(path, childRel);
      }
    };
    await visit(root, '');
    return out;
  }
}
