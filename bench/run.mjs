// Benchmarks (`npm run bench`). Machines here are shared and noisy, so every figure is a ratio of
// two things measured side by side in this one run, never an absolute time asserted anywhere.
//   1. Provisioning: wall time of a 100-VM MCIS over 10 twin regions ÷ that of a 1-VM MCIS, same
//      boot delay. Perfect parallelism is 1.0; Terraform's default parallelism of 10 would give ~10.
//   2. CLI start: median of `cbadm --version` and `cbadm mcis list` ÷ median of `node -e 0`.
//   3. Recommend: ranking 50,000 candidates with all four priorities ÷ sorting them by price
//      (bench/recommend.mjs; the target is ≤ 100 ms for the ranking itself).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cbadm = join(root, 'packages/cbadm/bin/run.js');
const bootDelay = process.env.BENCH_BOOT_DELAY ?? '3s';
const home = mkdtempSync(join(tmpdir(), 'cb-bench-'));
const env = { ...process.env, CB_HOME: home, CB_TWIN_SSH_PORT: process.env.BENCH_SSH_PORT ?? '2299' };

function cb(args, { check = true } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cbadm, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (check && r.status !== 0) throw new Error(`cbadm ${args.join(' ')} exited ${r.status}\n${r.stderr}\n${r.stdout}`);
  return { ms, stdout: r.stdout, status: r.status };
}

function manifest(name, regions, perRegion) {
  const subgroups = regions
    .map((r, i) => `    - { name: g${i + 1}, connection: twin-aws-${r}, count: ${perRegion}, spec: t3.micro, image: ubuntu-22.04 }`)
    .join('\n');
  const file = join(home, `${name}.yaml`);
  writeFileSync(file, `apiVersion: cloud-barista.io/v1alpha1\nkind: MCIS\nmetadata: { name: ${name} }\nspec:\n  subgroups:\n${subgroups}\n`);
  return file;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = { date: new Date().toISOString(), node: process.version, bootDelay };
try {
  // ── 1. provisioning ──────────────────────────────────────────────────────
  cb(['twin', 'up', '--boot-delay', bootDelay]);
  const regions = JSON.parse(cb(['twin', 'connect', '--json']).stdout).connections.map((c) => c.region).slice(0, 10);
  if (regions.length < 10) throw new Error(`the twin offers ${regions.length} regions; the benchmark needs 10`);
  // Alternate the two sizes so drift on a shared machine hits both alike.
  const one = [];
  const hundred = [];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  for (let i = 0; i < rounds; i++) {
    one.push(cb(['mcis', 'create', '-f', manifest(`one-${i}`, [regions[i % 10]], 1), '--json']).ms);
    cb(['mcis', 'delete', `one-${i}`, '--force', '--json']);
    hundred.push(cb(['mcis', 'create', '-f', manifest(`hundred-${i}`, regions, 10), '--json']).ms);
    cb(['mcis', 'delete', `hundred-${i}`, '--force', '--json']);
  }
  results.provisioning = {
    oneVmMs: Math.round(median(one)),
    hundredVmsMs: Math.round(median(hundred)),
    ratio: +(median(hundred) / median(one)).toFixed(2),
    target: '<= 1.5',
  };
  cb(['twin', 'down']);

  // ── 2. CLI start ──────────────────────────────────────────────────────────
  const runs = { node: [], version: [], list: [] };
  for (let i = 0; i < Number(process.env.BENCH_START_RUNS ?? 21); i++) {
    let t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    runs.node.push(Number(process.hrtime.bigint() - t0) / 1e6);
    runs.version.push(cb(['--version']).ms);
    runs.list.push(cb(['mcis', 'list']).ms);
  }
  const node = median(runs.node);
  results.cliStart = {
    nodeMs: +node.toFixed(1),
    versionMs: +median(runs.version).toFixed(1),
    listMs: +median(runs.list).toFixed(1),
    versionRatio: +(median(runs.version) / node).toFixed(2),
    listRatio: +(median(runs.list) / node).toFixed(2),
    target: '<= 3',
  };

  // ── 3. recommend ──────────────────────────────────────────────────────────
  const { benchRecommend } = await import('./recommend.mjs');
  results.recommend = benchRecommend();
} finally {
  cb(['twin', 'down'], { check: false });
  rmSync(home, { recursive: true, force: true });
}
console.log(JSON.stringify(results, null, 2));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
