import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the built module in child processes: the hook changes how this process loads CommonJS.
const built = fileURLToPath(new URL('../dist/compile-cache.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cb-compile-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const pkg = join(root, 'node_modules', 'fake');
mkdirSync(pkg, { recursive: true });
writeFileSync(join(pkg, 'package.json'), '{"name":"fake","main":"index.js"}');
writeFileSync(
  join(pkg, 'index.js'),
  `'use strict';
const dep = require('./dep');
exports.answer = dep.n * 2;
exports.file = __filename.endsWith('index.js');
exports.self = this === module.exports;
exports.resolved = require.resolve('./dep').endsWith('dep.js');
exports.cached = require.cache[require.resolve('./dep')] !== undefined;
exports.dynamic = require('./dynamic').load;
`,
);
writeFileSync(join(pkg, 'dep.js'), 'exports.n = 21;\n');
writeFileSync(
  join(pkg, 'dynamic.js'),
  "exports.load = () => import('node:os').then((m) => typeof m.tmpdir);\n",
);
writeFileSync(
  join(root, 'main.mjs'),
  `import { createRequire } from 'node:module';
import { enableCompileCache } from ${JSON.stringify(built)};
enableCompileCache();
const fake = createRequire(import.meta.url)('fake');
const { dynamic, ...rest } = fake;
console.log(JSON.stringify({ ...rest, dynamic: await dynamic() }));
`,
);

function run(env: Record<string, string>): { out: unknown; cacheFiles: string[] } {
  const cache = join(root, 'cache');
  const r = spawnSync(process.execPath, [join(root, 'main.mjs')], {
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', XDG_CACHE_HOME: cache, ...env },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const dirs = existsSync(join(cache, 'cloud-barista')) ? readdirSync(join(cache, 'cloud-barista')) : [];
  const cacheFiles = dirs.flatMap((d) => readdirSync(join(cache, 'cloud-barista', d)));
  return { out: JSON.parse(r.stdout) as unknown, cacheFiles };
}

const expected = { answer: 42, file: true, self: true, resolved: true, cached: true, dynamic: 'function' };

describe.skipIf(process.platform === 'win32')('compile cache', () => {
  it('is not written when NODE_DISABLE_COMPILE_CACHE is set', () => {
    const { out, cacheFiles } = run({ NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(out).toEqual(expected);
    expect(cacheFiles).toEqual([]);
  });

  it('gives modules the same exports, require and this, cold and warm', () => {
    const cold = run({});
    expect(cold.out).toEqual(expected);
    // index.js and dep.js; dynamic.js calls import(), which cached scripts cannot do on Node 20.
    if (!(process.versions.node.split('.').map(Number)[0]! >= 22)) expect(cold.cacheFiles).toHaveLength(2);
    const warm = run({});
    expect(warm.out).toEqual(expected);
    expect(warm.cacheFiles).toEqual(cold.cacheFiles);
  });
});
