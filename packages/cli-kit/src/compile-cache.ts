/**
 * A V8 code cache for the CommonJS every CLI start loads: oclif and its dependencies (~150 files)
 * are compiled from source on each run, about a quarter of `cbadm --version`. Node >= 22.1 has this
 * built in (module.enableCompileCache); on Node 20 a compile hook keeps one file per source in the
 * user's cache directory. NODE_DISABLE_COMPILE_CACHE=1 turns either off.
 *
 * Only CommonJS under node_modules is cached, and never a file that calls import(): a script
 * compiled with cached data cannot import dynamically on Node 20. Anything that goes wrong falls
 * back to Node's own compile (a bad or stale entry is rejected by V8 and rewritten), so a broken
 * cache costs time, never a failed command.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

/** The CommonJS loader internals the hook stands in for (stable since Node 12, not in @types/node). */
interface CjsModule {
  exports: unknown;
  require(id: string): unknown;
}
interface CjsLoader {
  prototype: { _compile: (this: CjsModule, content: string, filename: string, format?: string) => unknown };
  _resolveFilename(request: string, parent: CjsModule, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: CjsModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
  wrap(script: string): string;
  enableCompileCache?: (dir?: string) => unknown;
}

let enabled = false;

/** The cache directory: per user, per Node version and architecture (V8 rejects others' data anyway). */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'cloud-barista', `v8-${process.version}-${process.arch}`);
}

/** Turns the cache on for this process; call it before loading oclif. Never throws. */
export function enableCompileCache(): void {
  if (enabled || process.env.NODE_DISABLE_COMPILE_CACHE) return;
  enabled = true;
  try {
    const loader = Module as unknown as CjsLoader;
    const dir = compileCacheDir();
    if (loader.enableCompileCache) {
      loader.enableCompileCache(dir);
      return;
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    installHook(loader, dir);
  } catch {
    // No cache directory (read-only home, …): run uncached.
  }
}

function installHook(loader: CjsLoader, dir: string): void {
  const original = loader.prototype._compile;
  const toWrite: Array<{ path: string; script: Script }> = [];

  loader.prototype._compile = function (this: CjsModule, content: string, filename: string, format?: string) {
    if (
      (format !== undefined && format !== 'commonjs') ||
      !filename.includes(`${sep}node_modules${sep}`) ||
      content.includes('import(') ||
      process.sourceMapsEnabled
    ) {
      return original.call(this, content, filename, format);
    }
    const path = join(dir, createHash('sha1').update(filename).update('\0').update(content).digest('hex'));
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(path);
    } catch {
      // Not cached yet.
    }
    let script: Script;
    try {
      script = new Script(loader.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    } catch {
      // A syntax error: let Node compile it and report it its own way.
      return original.call(this, content, filename, format);
    }
    if (!cachedData || script.cachedDataRejected) toWrite.push({ path, script });
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, requireFor(loader, this), this, filename, dirname(filename));
  };

  // Written at exit, so the data includes the functions this run compiled lazily.
  process.once('exit', () => {
    for (const { path, script } of toWrite) {
      try {
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, path); // readers see a whole entry or none
      } catch {
        // Full disk, removed directory: the next run compiles from source again.
      }
    }
  });
}

/** The `require` a CommonJS module sees, built as Node builds it. */
function requireFor(loader: CjsLoader, mod: CjsModule): NodeJS.Require {
  const require = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) =>
    loader._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => loader._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = loader._extensions as NodeJS.Require['extensions'];
  require.cache = loader._cache as NodeJS.Require['cache'];
  return require;
}
