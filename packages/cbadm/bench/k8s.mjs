#!/usr/bin/env node
/**
 * Time from `cbadm k8s create` to Provisioned on Cloud-Twin, for 1 + 3 and 1 + 20 nodes, and their
 * ratio. Joins run in parallel, so the target is a ratio ≤ 1.5 (Kubespray: ~15 min for 10 nodes,
 * growing linearly). The time includes creating the VMs (twin boot delay 200 ms) and every bootstrap
 * step over SSH; BENCH_K8S_ROUNDS (default 2) alternated rounds, medians compared.
 * Usage: node packages/cbadm/bench/k8s.mjs [--ssh-port 2419]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CBADM = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const port = process.argv.includes('--ssh-port')
  ? process.argv[process.argv.indexOf('--ssh-port') + 1]
  : '2419';
const home = mkdtempSync(join(tmpdir(), 'cb-bench-k8s-'));
const env = { ...process.env, CB_HOME: home, CB_TWIN_SSH_PORT: port, HOME: home, KUBECONFIG: '' };
delete env.CB_OUTPUT;
delete env.CB_NS;

function cbadm(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CBADM, ...args, '--json'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out))
        : reject(new Error(`cbadm ${args.join(' ')} exited ${code}\n${err}\n${out}`)),
    );
  });
}

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-1', 'us-west-2'];

async function run(name, workers) {
  // Workers spread over regions, as a multi-cloud cluster would be.
  const per = Math.ceil(workers / REGIONS.length);
  const sets = [];
  for (let i = 0, left = workers; left > 0; i++, left -= per)
    sets.push(
      `    - { name: w${i}, connection: twin-aws-${REGIONS[i]}, count: ${Math.min(per, left)}, spec: t3.medium }`,
    );
  const file = join(home, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'apiVersion: cloud-barista.io/v1alpha1',
      'kind: K8sCluster',
      `metadata: { name: ${name} }`,
      'spec:',
      '  controlPlane: { name: cp, connection: twin-aws-ap-northeast-2, count: 1, spec: t3.medium }',
      '  workers:',
      ...sets,
      '',
    ].join('\n'),
  );
  const started = performance.now();
  const c = await cbadm(['k8s', 'create', '-f', file]);
  const ms = performance.now() - started;
  if (c.phase !== 'Provisioned' || c.nodes.length !== workers + 1)
    throw new Error(`${name}: ${c.phase} ${c.reason ?? ''}`);
  await cbadm(['k8s', 'delete', name, '--yes']);
  return ms;
}

try {
  await cbadm(['twin', 'up', '--boot-delay', '200ms']);
  await cbadm(['twin', 'connect']);
  // Alternated rounds, medians: drift on a shared machine hits both sizes alike.
  const rounds = Number(process.env.BENCH_K8S_ROUNDS ?? 2);
  const smalls = [];
  const larges = [];
  for (let i = 0; i < rounds; i++) {
    smalls.push(await run(`bench-small-${i}`, 3));
    larges.push(await run(`bench-large-${i}`, 20));
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
  };
  const small = median(smalls);
  const large = median(larges);
  const result = {
    rounds,
    small: { nodes: '1+3', ms: Math.round(small) },
    large: { nodes: '1+20', ms: Math.round(large) },
    ratio: Math.round((large / small) * 100) / 100,
    target: '<= 1.5',
  };
  process.stdout.write(
    `k8s create → Provisioned on Cloud-Twin: 1+3 nodes ${(small / 1000).toFixed(1)} s, 1+20 nodes ${(large / 1000).toFixed(1)} s, ratio ${result.ratio} (target ≤ 1.5)\n${JSON.stringify(result)}\n`,
  );
} finally {
  await cbadm(['twin', 'down', '--yes']).catch(() => {});
  rmSync(home, { recursive: true, force: true });
}
