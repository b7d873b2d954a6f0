// Benchmarks (`npm run bench`). Machines here are shared and noisy, so every figure is a ratio of
// two things measured side by side in this one run, never an absolute time asserted anywhere.
//   1. Provisioning: wall time of a 100-VM MCIS over 10 twin regions ÷ that of a 1-VM MCIS, same
//      boot delay, on AWS alone; then 100 VMs over two regions of each of AWS, GCP, Azure, Alibaba
//      and OpenStack ÷ 5 VMs, one per cloud. Perfect parallelism is 1.0; Terraform's default parallelism of 10 would
//      give ~10.
//      Both with twin isolation off, then again with it on (as root), with isolation's cost per VM.
//   2. CLI start: median of `cbadm --version` and `cbadm mcis list` ÷ median of `node -e 0`.
//   3. Recommend: ranking 50,000 candidates with all four priorities ÷ sorting them by price
//      (bench/recommend.mjs; the target is ≤ 100 ms for the ranking itself).
//      Both also without the boot delay (large − delay) ÷ (small − delay): the delay is most of each run.
//   4. Monitoring: 100 twin VMs streaming at 1 s into one collector: its CPU, samples/s, loss
//      reconciled with the store (rows per VM per second of the window, not the collector's counter),
//      p95 sample-to-store latency, store size per VM-day (packages/cbmon/bench/collector.mjs).
//   5. Kubernetes: `k8s create` to Provisioned for 1+20 nodes ÷ 1+3 nodes (packages/cbadm/bench/k8s.mjs).
//   6. Day 2: on a 100-VM MCIS over 10 AWS regions, a no-op `apply` (one refresh) ÷ `mcis status
//      --refresh` (the same refresh alone); and `apply` scaling 10 → 100 VMs ÷ creating 100.
//   7. Overlay: `mcis network enable` on 10, 50 and 100 VMs over three clouds, mesh and hub; 100 ÷ 10.
//   8. Load balancer: requests/s through HAProxy over the overlay ÷ straight to one backend (bench/nlb.mjs, root).
// BENCH_ONLY=provisioning,cli,recommend,monitoring,k8s,day2,overlay,nlb runs a subset (overlay, nlb: as root).
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
  if (check && r.status !== 0)
    throw new Error(`cbadm ${args.join(' ')} exited ${r.status}\n${r.stderr}\n${r.stdout}`);
  return { ms, stdout: r.stdout, status: r.status };
}

const SPEC = { aws: 't3.micro', gcp: 'e2-micro', azure: 'Standard_B1s', alibaba: 'ecs.t6-c1m1.large', openstack: 'm1.small' };

/** groups: [{connection, provider, count}] → a manifest file. */
function manifest(name, groups, image = 'ubuntu-22.04') {
  const subgroups = groups
    .map(
      (g, i) =>
        `    - { name: g${i + 1}, connection: ${g.connection}, count: ${g.count}, spec: ${SPEC[g.provider]}, image: ${image} }`,
    )
    .join('\n');
  const file = join(home, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: cloud-barista.io/v1alpha1\nkind: MCIS\nmetadata: { name: ${name} }\nspec:\n  subgroups:\n${subgroups}\n`,
  );
  return file;
}

/** Median wall time of creating (then deleting) each of two MCIS, alternated so drift hits both alike. */
function sideBySide(label, small, large, rounds, whileLargeRuns) {
  const a = [];
  const b = [];
  for (let i = 0; i < rounds; i++) {
    for (const [name, groups, out] of [
      [`${label}-small-${i}`, small, a],
      [`${label}-large-${i}`, large, b],
    ]) {
      out.push(cb(['mcis', 'create', '-f', manifest(name, groups), '--json']).ms);
      if (out === b) whileLargeRuns?.();
      cb(['mcis', 'delete', name, '--yes', '--force', '--json']);
    }
  }
  // The boot delay is most of each run and pulls the ratio toward 1: report it without as well.
  const boot = durationMs(bootDelay);
  return {
    smallMs: Math.round(median(a)),
    largeMs: Math.round(median(b)),
    ratio: +(median(b) / median(a)).toFixed(2),
    ratioWithoutBootDelay: +((median(b) - boot) / (median(a) - boot)).toFixed(2),
  };
}

/** '3s' / '1500ms' → ms (the twin's --boot-delay forms). */
function durationMs(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!m) throw new Error(`BENCH_BOOT_DELAY '${text}' is not like 3s or 1500ms`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = { date: new Date().toISOString(), node: process.version, bootDelay };
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const want = (section) => !only || only.has(section);

/** Runs a benchmark script of another package; its last stdout line is its JSON result. */
function script(path) {
  const r = spawnSync(process.execPath, [join(root, path)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) return { error: `${path} exited ${r.status}` };
  const out = r.stdout.trim();
  try {
    return JSON.parse(out);
  } catch {
    return JSON.parse(out.split('\n').pop());
  }
}

/** Both provisioning figures on a twin started with `--isolation mode`; undefined when it cannot be on. */
function provisioning(mode) {
  const up = cb(['twin', 'up', '--boot-delay', bootDelay, '--isolation', mode], { check: mode !== 'on' });
  if (up.status !== 0) return undefined;
  try {
    const conns = JSON.parse(cb(['twin', 'connect', '--json']).stdout).connections;
    const of = (provider, n) => conns.filter((c) => c.provider === provider).slice(0, n);
    const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
    const aws10 = of('aws', 10);
    if (aws10.length < 10)
      throw new Error(`the twin offers ${aws10.length} AWS regions; the benchmark needs 10`);
    // One untimed 1-VM MCIS first: a twin's first create pays one-time costs (catalogs, defaults).
    cb(['mcis', 'create', '-f', manifest(`warm-${mode}`, [{ connection: aws10[0].name, provider: 'aws', count: 1 }]), '--json']);
    cb(['mcis', 'delete', `warm-${mode}`, '--yes', '--force', '--json']);
    const out = {};
    let cost;
    const aws = sideBySide(
      `aws-${mode}`,
      [{ connection: aws10[0].name, provider: 'aws', count: 1 }],
      aws10.map((c) => ({ connection: c.name, provider: 'aws', count: 10 })),
      rounds,
      () => (cost ??= isolationCost()),
    );
    out.aws = {
      oneVmMs: aws.smallMs,
      hundredVmsMs: aws.largeMs,
      ratio: aws.ratio,
      ratioWithoutBootDelay: aws.ratioWithoutBootDelay,
      target: '<= 1.5',
    };
    // 100 VMs over two regions of each of the five clouds (10 each) against one VM on each cloud.
    const clouds = ['aws', 'gcp', 'azure', 'alibaba', 'openstack'];
    const mixed = clouds.flatMap((p) => of(p, 2));
    if (mixed.length === 10) {
      const m = sideBySide(
        `mixed-${mode}`,
        clouds.map((p) => ({ connection: of(p, 1)[0].name, provider: p, count: 1 })),
        mixed.map((c) => ({ connection: c.name, provider: c.provider, count: 10 })),
        rounds,
      );
      out.fiveClouds = {
        fiveVmsMs: m.smallMs,
        hundredVmsMs: m.largeMs,
        ratio: m.ratio,
        ratioWithoutBootDelay: m.ratioWithoutBootDelay,
        target: '<= 1.5',
      };
    }
    const status = isolationCost();
    if (mode === 'on')
      out.isolationPerVm = {
        medianStartMs: status?.medianStartMs,
        vmsStarted: status?.vmsStarted,
        // Measured while the first 100-VM MCIS ran.
        rssKb: cost?.rssKbPerVm,
        vmsRunning: cost?.vmsRunning,
      };
    return out;
  } finally {
    cb(['twin', 'down', '--yes'], { check: false });
  }
}

/** The twin's own account of what isolation costs per VM (`twin status --json`). */
function isolationCost() {
  return JSON.parse(cb(['twin', 'status', '--json']).stdout).isolationCost;
}

try {
  // ── 1. provisioning ──────────────────────────────────────────────────────
  if (want('provisioning')) {
    // The standard figures with isolation off; then the same run with it on (as root), plus what
    // isolation costs per VM as the twin measured it (`twin status`: median start, memory).
    const off = provisioning('off');
    results.provisioning = off.aws;
    if (off.fiveClouds) results.provisioningFiveClouds = off.fiveClouds;
    const on = provisioning('on');
    if (on) {
      // Isolation's cost per VM as the user sees it: the 1-VM MCIS's extra wall time, and the
      // 100-VM one's extra wall time spread over its VMs (both against isolation off, same run).
      on.isolationPerVm.oneVmExtraMs = on.aws.oneVmMs - off.aws.oneVmMs;
      on.isolationPerVm.extraMsPerVmAt100 = Math.round((on.aws.hundredVmsMs - off.aws.hundredVmsMs) / 100);
      results.provisioningIsolated = on;
    }
  }

  // ── 6. day 2 ──────────────────────────────────────────────────────────────
  if (want('day2')) {
    cb(['twin', 'up', '--boot-delay', bootDelay]);
    const aws10 = JSON.parse(cb(['twin', 'connect', '--json']).stdout).connections.filter((c) => c.provider === 'aws').slice(0, 10);
    const per = (n) => aws10.map((c) => ({ connection: c.name, provider: 'aws', count: n }));
    const create100 = cb(['mcis', 'create', '-f', manifest('d100', per(10)), '--json']).ms;
    const refresh = [];
    const noop = [];
    for (let i = 0; i < 5; i++) {
      refresh.push(cb(['mcis', 'status', 'd100', '--refresh', '--json']).ms);
      noop.push(cb(['apply', '-f', manifest('d100', per(10)), '--auto-approve', '--json']).ms);
    }
    cb(['mcis', 'delete', 'd100', '--yes', '--force', '--json']);
    cb(['mcis', 'create', '-f', manifest('d10', per(1)), '--json']);
    const scale = cb(['apply', '-f', manifest('d10', per(10)), '--auto-approve', '--json']).ms;
    cb(['mcis', 'delete', 'd10', '--yes', '--force', '--json']);
    results.day2 = {
      refreshMs: Math.round(median(refresh)),
      noopApplyMs: Math.round(median(noop)),
      noopApplyRatio: +(median(noop) / median(refresh)).toFixed(2),
      create100Ms: Math.round(create100),
      scale10to100Ms: Math.round(scale),
      scaleRatio: +(scale / create100).toFixed(2),
      target: 'scaleRatio <= 1.2',
    };
    cb(['twin', 'down', '--yes']);
  }

  // ── 7. overlay: `mcis network enable` on 10, 50 and 100 running VMs, mesh then hub (isolated twin, root) ──
  if (want('overlay') && process.getuid?.() === 0) {
    cb(['twin', 'up', '--boot-delay', '200ms', '--isolation', 'on']);
    const conns = JSON.parse(cb(['twin', 'connect', '--json']).stdout).connections;
    const three = ['aws', 'gcp', 'azure'].map((p) => conns.find((c) => c.provider === p));
    const sizes = (process.env.BENCH_OVERLAY_SIZES ?? '10,50,100').split(',').map(Number);
    const overlayRounds = Number(process.env.BENCH_OVERLAY_ROUNDS ?? 3);
    const setup = { mesh: {}, hub: {} };
    for (const n of sizes) {
      const per = Math.ceil(n / three.length);
      const groups = three.map((c, i) => ({ connection: c.name, provider: c.provider, count: i < three.length - 1 ? per : n - per * (three.length - 1) }));
      cb(['mcis', 'create', '-f', manifest(`o${n}`, groups, 'debian-12'), '--json']);
      // Each topology from scratch on the same VMs (disable takes every tunnel and key away), the
      // two alternated and the median kept: one noisy run moves a ratio of two short times a lot.
      const times = { mesh: [], hub: [] };
      for (let round = 0; round < overlayRounds; round++) {
        for (const topology of ['mesh', 'hub']) {
          times[topology].push(cb(['mcis', 'network', 'enable', `o${n}`, '--topology', topology, '--json']).ms);
          cb(['mcis', 'network', 'disable', `o${n}`, '--json']);
        }
      }
      for (const topology of ['mesh', 'hub']) setup[topology][n] = Math.round(median(times[topology]));
      cb(['mcis', 'delete', `o${n}`, '--yes', '--force', '--json']);
    }
    const ratio = (t) => (t[10] && t[100] ? { ratio100to10: +(t[100] / t[10]).toFixed(2) } : {});
    results.overlay = {
      mesh: { setupMs: setup.mesh, ...ratio(setup.mesh) },
      hub: { setupMs: setup.hub, ...ratio(setup.hub) },
      target: 'ratio100to10 <= 2',
      note: `median wall time of ${overlayRounds} runs of \`mcis network enable\` (CLI start, firewall sync, one SSH session per VM, 64 at a time) on VMs over AWS, GCP and Azure; mesh: n-1 peers each; hub: one hub per region`,
    };
    cb(['twin', 'down', '--yes']);
  }

  // ── 8. load balancer: HAProxy over the overlay vs direct (isolated twin, root) ──
  if (want('nlb') && process.getuid?.() === 0) {
    const { benchNlb } = await import('./nlb.mjs');
    results.nlb = await benchNlb(cb, home);
  }

  // ── 2. CLI start ──────────────────────────────────────────────────────────
  if (want('cli')) {
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
  }

  // ── 3. recommend ──────────────────────────────────────────────────────────
  if (want('recommend')) {
    const { benchRecommend } = await import('./recommend.mjs');
    results.recommend = benchRecommend();
  }
  // ── 4, 5. monitoring and Kubernetes, each with its own twin ───────────────
  if (want('monitoring')) results.monitoring = script('packages/cbmon/bench/collector.mjs');
  if (want('k8s')) results.k8s = script('packages/cbadm/bench/k8s.mjs');
} finally {
  cb(['twin', 'down', '--yes'], { check: false });
  rmSync(home, { recursive: true, force: true });
}
console.log(JSON.stringify(results, null, 2));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
