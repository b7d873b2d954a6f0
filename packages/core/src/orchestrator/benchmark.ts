/**
 * `cbadm mcis benchmark`: measures every Running VM of an MCIS over SSH with nothing installed on
 * it — a fixed awk workload for CPU (one process, then one per vCPU), `dd` for memory and disk
 * throughput, and bash's /dev/tcp for the TCP connect RTT to every other VM — plus the connect RTT
 * from this machine to each VM. Results are averaged per (provider, region, spec) and stored: they
 * feed the recommender's `performance` priority.
 */
import { connect } from 'node:net';
import { nowIso } from '../domain.js';
import { OperationError, PartialError } from '../errors.js';
import type { BenchmarkRecord } from '../records/catalog.js';
import type { Vm } from '../model.js';
import { Semaphore } from '../util/limit.js';
import type { OrchestratorDeps, RunOptions } from './deps.js';
import { execTargetOf, transportsOf } from './transport.js';

/** awk loop iterations per process: ~0.2–0.5 s on a current core. Fixed, so runs compare. */
export const CPU_ITERATIONS = 2_000_000;
const MEM_BYTES = 1024 * 1_048_576;
const DISK_BYTES = 64 * 1_048_576;

/**
 * The script, written to a temp file through a quoted here-document (so it needs no escaping) and
 * run with bash where there is one (every mainstream cloud image), else sh (no RTT then). Times
 * are microseconds from bash's $EPOCHREALTIME (no fork) or GNU date.
 */
export const BENCHMARK_SCRIPT = `set -u
now_us() { if [ -n "\${EPOCHREALTIME:-}" ]; then t=$EPOCHREALTIME; echo "\${t%%[.,]*}\${t#*[.,]}"; else echo $(( $(date +%s%N) / 1000 )); fi; }
n=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo 1)
echo "cb-bench nproc $n"
work() { awk 'BEGIN { s = 0; for (i = 1; i <= ${CPU_ITERATIONS}; i++) s = (s + i * i) % 1000003; if (s < 0) print s }'; }
t0=$(now_us); work; t1=$(now_us); echo "cb-bench cpu1 $((t1 - t0)) ${CPU_ITERATIONS}"
t0=$(now_us); k=0; while [ "$k" -lt "$n" ]; do work & k=$((k + 1)); done; wait; t1=$(now_us); echo "cb-bench cpun $((t1 - t0)) $((${CPU_ITERATIONS} * n))"
t0=$(now_us); dd if=/dev/zero of=/dev/null bs=1048576 count=${MEM_BYTES / 1_048_576} 2>/dev/null; t1=$(now_us); echo "cb-bench mem $((t1 - t0)) ${MEM_BYTES}"
f="$HOME/.cb-bench-disk.$$"
t0=$(now_us); dd if=/dev/zero of="$f" bs=1048576 count=${DISK_BYTES / 1_048_576} conv=fdatasync 2>/dev/null; t1=$(now_us); rm -f "$f"; echo "cb-bench disk $((t1 - t0)) ${DISK_BYTES}"
R='best=; for k in 1 2 3 4 5; do t0=\${EPOCHREALTIME/[.,]/}; exec 3<>"/dev/tcp/$1/$2" || { echo fail; exit 0; }; t1=\${EPOCHREALTIME/[.,]/}; exec 3<&-; d=$((t1 - t0)); if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi; done; echo "$best"'
for p in "$@"; do
  name=\${p%%=*}; addr=\${p#*=}; host=\${addr%:*}; port=\${addr##*:}
  if command -v bash >/dev/null 2>&1; then r=$(timeout 5 bash -c "$R" cb-rtt "$host" "$port" 2>/dev/null || echo fail); else r=unsupported; fi
  echo "cb-bench rtt $name \${r:-fail}"
done
`;

const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The remote command: writes the script to a temp file, runs it against the peers, removes it. */
export function benchmarkCommand(peers: Array<{ name: string; host: string; port: number }>): string {
  const args = peers.map((p) => shellWord(`${p.name}=${p.host}:${p.port}`)).join(' ');
  return [
    'f=$(mktemp) || exit 1',
    "cat > \"$f\" <<'CB_BENCH_EOF'",
    BENCHMARK_SCRIPT.trimEnd(),
    'CB_BENCH_EOF',
    `if command -v bash >/dev/null 2>&1; then bash "$f" ${args}; else sh "$f" ${args}; fi`,
    'rc=$?; rm -f "$f"; exit $rc',
  ].join('\n');
}

export interface VmBenchmark {
  vm: string;
  provider: string;
  region: string;
  spec: string;
  /** vCPUs the VM reports (nproc). */
  vcpu: number | null;
  cpuSingleOps: number | null;
  cpuMultiOps: number | null;
  memMBps: number | null;
  diskMBps: number | null;
  /** TCP connect RTT from the machine running cbadm, ms (best of 5). */
  clientRttMs: number | null;
  error?: string;
}

export interface BenchmarkResult {
  ns: string;
  mcis: string;
  measuredAt: string;
  vms: VmBenchmark[];
  /** TCP connect RTT in ms from each VM (row) to each other VM (column); null on the diagonal or when not measured. */
  rtt: { vms: string[]; matrixMs: Array<Array<number | null>> };
  /** What was stored per (provider, region, spec), for the performance priority. */
  stored: BenchmarkRecord[];
}

interface Parsed {
  nproc?: number;
  cpu1?: number;
  cpun?: number;
  mem?: number;
  disk?: number;
  rtt: Map<string, number>;
}

/** `cb-bench KEY MICROSECONDS AMOUNT` lines → rates. Unknown lines are ignored. */
export function parseBenchmarkOutput(stdout: string): Parsed {
  const out: Parsed = { rtt: new Map() };
  for (const line of stdout.split('\n')) {
    const [tag, key, a, b] = line.trim().split(/\s+/);
    if (tag !== 'cb-bench' || !key || a === undefined) continue;
    const us = Number(a);
    const amount = Number(b);
    const rate = us > 0 && amount > 0 ? (amount * 1e6) / us : undefined;
    if (key === 'nproc' && Number(a) > 0) out.nproc = Number(a);
    else if (key === 'cpu1') out.cpu1 = rate;
    else if (key === 'cpun') out.cpun = rate;
    else if (key === 'mem' && rate) out.mem = rate / 1e6;
    else if (key === 'disk' && rate) out.disk = rate / 1e6;
    else if (key === 'rtt' && b !== undefined && /^\d+$/.test(b)) out.rtt.set(a, Number(b) / 1000);
  }
  return out;
}

/** Best-of-N TCP connect time to host:port in ms; null when it never connects. */
export async function tcpConnectRtt(host: string, port: number, attempts = 5, timeoutMs = 3000): Promise<number | null> {
  let best: number | null = null;
  for (let i = 0; i < attempts; i++) {
    const ms = await new Promise<number | null>((resolve) => {
      const t0 = process.hrtime.bigint();
      const s = connect({ host, port });
      const done = (v: number | null) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(timeoutMs, () => done(null));
      s.once('connect', () => done(Number(process.hrtime.bigint() - t0) / 1e6));
      s.once('error', () => done(null));
    });
    if (ms !== null && (best === null || ms < best)) best = ms;
  }
  return best === null ? null : Math.round(best * 1000) / 1000;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const r1 = (n: number | undefined | null) => (n === undefined || n === null ? null : Math.round(n * 10) / 10);

/**
 * Benchmarks every Running VM in parallel. Throws PartialError (exit 3) when some VMs could not be
 * measured and OperationError when none could; results of the others are stored either way.
 */
export async function runBenchmark(deps: OrchestratorDeps, ns: string, name: string, vms: Vm[], opts: RunOptions & { timeoutMs?: number; concurrency?: number } = {}): Promise<BenchmarkResult> {
  const events = opts.events;
  const transports = transportsOf(deps);
  const running = vms.filter((v) => v.status === 'Running' && transports.reachable(v));
  // RTTs are TCP connects to the SSH port: VMs without an address have none to measure.
  const peersOf = (vm: Vm) => running.filter((p) => p.name !== vm.name && p.publicIp).map((p) => ({ name: p.name, host: p.publicIp!, port: p.sshPort }));
  // This machine first, while the VMs are idle.
  const client = new Map<string, number | null>();
  await Promise.all(running.map(async (vm) => client.set(vm.name, vm.publicIp ? await tcpConnectRtt(vm.publicIp, vm.sshPort) : null)));
  const gate = new Semaphore(opts.concurrency ?? 64);
  const measured = new Map<string, Parsed>();
  const results: VmBenchmark[] = await Promise.all(
    vms.map((vm) =>
      gate.run(async (): Promise<VmBenchmark> => {
        const base = { vm: vm.name, provider: vm.provider, region: vm.region, spec: vm.spec, vcpu: null, cpuSingleOps: null, cpuMultiOps: null, memMBps: null, diskMBps: null, clientRttMs: client.get(vm.name) ?? null };
        if (!running.includes(vm)) return { ...base, error: `VM is ${vm.status}; benchmark needs Running` };
        events?.({ type: 'vm', mcis: name, vm: vm.name, status: vm.status, step: 'benchmark' });
        try {
          const r = await transports.exec(execTargetOf(deps, vm), benchmarkCommand(peersOf(vm)), { timeoutMs: opts.timeoutMs ?? 180_000, ...(opts.signal ? { signal: opts.signal } : {}) });
          const p = parseBenchmarkOutput(r.stdout);
          if (r.exitCode !== 0 || p.cpu1 === undefined) {
            return { ...base, error: `benchmark exited ${r.exitCode ?? r.signal ?? 'without status'}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ') || 'no output'}` };
          }
          measured.set(vm.name, p);
          events?.({ type: 'vm', mcis: name, vm: vm.name, status: vm.status, step: 'benchmark', message: 'done' });
          return { ...base, vcpu: p.nproc ?? null, cpuSingleOps: Math.round(p.cpu1), cpuMultiOps: p.cpun === undefined ? null : Math.round(p.cpun), memMBps: r1(p.mem), diskMBps: r1(p.disk) };
        } catch (e) {
          return { ...base, error: e instanceof Error ? e.message : String(e) };
        }
      }),
    ),
  );
  const names = vms.map((v) => v.name);
  const matrixMs = names.map((from) => names.map((to) => (from === to ? null : (measured.get(from)?.rtt.get(to) ?? null))));
  const measuredAt = nowIso();
  const groups = new Map<string, VmBenchmark[]>();
  for (const r of results) {
    if (r.error || r.cpuSingleOps === null) continue;
    const k = `${r.provider}\u0000${r.region}\u0000${r.spec}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const stored: BenchmarkRecord[] = [...groups.values()].map((g) => {
    const first = g[0]!;
    const rtts = g.flatMap((x) => (x.clientRttMs === null ? [] : [x.clientRttMs]));
    const rec: BenchmarkRecord = {
      provider: first.provider,
      region: first.region,
      spec: first.spec,
      ns,
      mcis: name,
      vms: g.length,
      cpuSingleOps: Math.round(mean(g.map((x) => x.cpuSingleOps!))),
      cpuMultiOps: Math.round(mean(g.map((x) => x.cpuMultiOps ?? x.cpuSingleOps!))),
      memMBps: r1(mean(g.map((x) => x.memMBps ?? 0)))!,
      diskMBps: r1(mean(g.map((x) => x.diskMBps ?? 0)))!,
      ...(rtts.length ? { clientRttMs: Math.round(mean(rtts) * 1000) / 1000 } : {}),
      measuredAt,
    };
    deps.store.putBenchmark(rec);
    return rec;
  });
  const result: BenchmarkResult = { ns, mcis: name, measuredAt, vms: results, rtt: { vms: names, matrixMs }, stored };
  const failed = results.filter((r) => r.error);
  if (failed.length && !stored.length) {
    throw new OperationError(`benchmark of MCIS '${name}' measured no VM: ${failed.map((f) => `${f.vm}: ${f.error}`).join('; ')}`, { hint: `check the VMs with: cbadm mcis status ${name} --refresh` });
  }
  if (failed.length) throw new PartialError(`benchmark: ${failed.length} of ${results.length} VM(s) not measured: ${failed.map((f) => f.vm).join(', ')}`, result);
  return result;
}
