/**
 * Bootstrap through each node's exec transport (SSH, or its driver's) as small idempotent steps per node: preflight → containerd → packages on every
 * node in parallel; init and the CNI on the first control-plane node; join-info fetched there; then
 * other control-plane nodes join one at a time (etcd grows one member at a time) and workers all at
 * once, each as soon as it is ready to (bootstrapNodes); finally a wait for Ready. Each step's
 * script checks what is done, so re-running after an interruption converges. Join secrets live in
 * memory only for the duration of this call.
 */
import { OperationError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { ExecTarget, ExecTransport } from '../exec/transport.js';
import { Semaphore } from '../util/limit.js';
import type { K8sClusterSpec } from './manifest.js';
import type { K8sNodeRecord } from '../records/k8s.js';
import { cniManifestUrl, preflightPorts } from './ports.js';
import {
  finishedSteps,
  parseJoinCommand,
  STEP_LAUNCHER,
  stepScript,
  stepsScript,
  type Step,
} from './scripts.js';

export interface BootNode {
  rec: K8sNodeRecord;
  target: ExecTarget;
}

/** A step failed on a node: the cluster's reason names both. */
export class StepError extends OperationError {
  constructor(
    readonly node: string,
    readonly step: string,
    detail: string,
    /** The node could not be reached, as opposed to the step failing on it. */
    readonly unreachable = false,
  ) {
    super(`node ${node}: step ${step} failed: ${detail}`, {
      hint: `fix the cause, then run the same command again: finished steps are skipped`,
    });
  }
}

export interface BootstrapDeps {
  cluster: string;
  /** How the nodes are reached (the core's per-VM choice). */
  transport: Pick<ExecTransport, 'exec'>;
  events: EventSink;
  /** Records a node's progress (status, step, error). */
  update(node: string, patch: Partial<K8sNodeRecord>): void;
  stepTimeoutMs: number;
  signal?: AbortSignal;
}

export interface ClusterContext {
  name: string;
  spec: K8sClusterSpec;
  /** The first control-plane node: it runs init and answers for the cluster. */
  first: BootNode;
  endpoint: string;
}

function nodeVars(ctx: ClusterContext, n: BootNode): Record<string, string> {
  const k = ctx.spec.kubernetes;
  const labels = [
    `topology.kubernetes.io/region=${n.rec.region}`,
    ...(n.rec.zone ? [`topology.kubernetes.io/zone=${n.rec.zone}`] : []),
    `cloud-barista.io/csp=${n.rec.provider}`,
    `cloud-barista.io/cluster=${ctx.name}`,
  ];
  return {
    CNI: k.cni,
    PORTS: preflightPorts(k.apiPort, n.rec.role).join(' '),
    K8S_VERSION: k.version,
    K8S_MINOR: k.minor,
    // pkgs.k8s.io names its builds <version>-1.1.
    K8S_PKG_VERSION: `${k.version}-1.1`,
    NODE_NAME: n.rec.name,
    NODE_IP: n.rec.publicIp ?? '',
    NODE_LABELS: labels.join(','),
    ROLE: n.rec.role,
  };
}

/** kubeadm's own verdict ([ERROR …] lines) says more than a script's last line. */
function failureDetail(stderr: string, exitCode: number | null): string {
  const lines = stderr
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const errors = lines.filter((l) => /\[ERROR|^error execution/.test(l));
  return (
    [...errors.slice(0, 3), lines.at(-1) ?? ''].filter((l, i, a) => l && a.indexOf(l) === i).join(' | ') ||
    `exit ${String(exitCode)}`
  );
}

/** Runs one step on one node; returns its stdout. Throws StepError with the step's stderr tail. */
export async function runStep(
  deps: BootstrapDeps,
  n: BootNode,
  step: Step,
  vars: Record<string, string>,
  args: string[] = [],
): Promise<string> {
  deps.events({ type: 'vm', mcis: deps.cluster, vm: n.rec.name, status: 'Running', step: `k8s:${step}` });
  let r;
  try {
    r = await deps.transport.exec(n.target, STEP_LAUNCHER, {
      timeoutMs: deps.stepTimeoutMs,
      ...(deps.signal ? { signal: deps.signal } : {}),
      stdin: stepScript(step, vars, args),
    });
  } catch (e) {
    throw new StepError(n.rec.name, step, (e as Error).message, true);
  }
  if (r.exitCode !== 0) {
    throw new StepError(n.rec.name, step, failureDetail(r.stderr, r.exitCode));
  }
  return r.stdout;
}

/** Runs the steps on one node in one session, recording the last finished step or the failed one. */
async function guarded(
  deps: BootstrapDeps,
  n: BootNode,
  steps: Array<[Step, Record<string, string>]>,
): Promise<void> {
  deps.update(n.rec.name, { status: 'Bootstrapping', error: undefined });
  deps.events({
    type: 'vm',
    mcis: deps.cluster,
    vm: n.rec.name,
    status: 'Running',
    step: `k8s:${steps.map(([s]) => s).join('+')}`,
  });
  let r;
  try {
    r = await deps.transport.exec(n.target, STEP_LAUNCHER, {
      timeoutMs: deps.stepTimeoutMs * steps.length,
      ...(deps.signal ? { signal: deps.signal } : {}),
      stdin: stepsScript(steps),
    });
  } catch (e) {
    const step = steps[0]![0];
    deps.update(n.rec.name, { status: 'Failed', step, error: (e as Error).message });
    throw new StepError(n.rec.name, step, (e as Error).message);
  }
  const done = finishedSteps(r.stdout);
  if (r.exitCode !== 0) {
    const step = steps[done.length]?.[0] ?? steps[steps.length - 1]![0];
    const err = new StepError(n.rec.name, step, failureDetail(r.stderr, r.exitCode));
    deps.update(n.rec.name, { status: 'Failed', step, error: err.message });
    throw err;
  }
  deps.update(n.rec.name, { step: done.at(-1) ?? steps[steps.length - 1]![0] });
}

const PREPARE: Step[] = ['preflight', 'containerd', 'packages'];

/** kubeadm init and the CNI on the first control-plane node. */
async function initControlPlane(deps: BootstrapDeps, ctx: ClusterContext, certSans: string[]): Promise<void> {
  const k = ctx.spec.kubernetes;
  const vars = {
    ...nodeVars(ctx, ctx.first),
    API_PORT: String(k.apiPort),
    CLUSTER_NAME: ctx.name,
    ENDPOINT: ctx.endpoint,
    CERT_SANS: certSans.join(' '),
    POD_CIDR: k.podCidr,
    SERVICE_CIDR: k.serviceCidr,
    CNI_MANIFEST_URL: cniManifestUrl(k.cni),
  };
  // The endpoint annotation goes on before the CNI exists, so the first CNI pod already sees it.
  await guarded(deps, ctx.first, [
    ['init', vars],
    ['endpoint', vars],
    ['cni', vars],
  ]);
  deps.update(ctx.first.rec.name, { status: 'Joined' });
}

interface JoinSecrets {
  endpoint: string;
  token: string;
  caHash: string;
  certKey?: string;
}

/** A fresh token and the CA hash (and certificate key) from the first control plane; never logged. */
async function joinSecrets(
  deps: BootstrapDeps,
  ctx: ClusterContext,
  wantCertKey: boolean,
): Promise<JoinSecrets> {
  const out = await runStep(deps, ctx.first, 'join-info', { WANT_CERT_KEY: wantCertKey ? 'yes' : 'no' });
  const join = parseJoinCommand(out);
  if (!join)
    throw new StepError(ctx.first.rec.name, 'join-info', 'kubeadm token create printed no join command');
  const certKey = wantCertKey ? out.trim().split('\n').pop()?.trim() : undefined;
  if (wantCertKey && !/^[0-9a-f]{64}$/.test(certKey ?? ''))
    throw new StepError(
      ctx.first.rec.name,
      'join-info',
      'kubeadm init phase upload-certs printed no certificate key',
    );
  return { ...join, ...(certKey ? { certKey } : {}) };
}

async function joinNode(
  deps: BootstrapDeps,
  ctx: ClusterContext,
  n: BootNode,
  secrets: JoinSecrets,
): Promise<void> {
  const vars = {
    ...nodeVars(ctx, n),
    JOIN_ENDPOINT: secrets.endpoint,
    JOIN_TOKEN: secrets.token,
    JOIN_CA_HASH: secrets.caHash,
    JOIN_CERT_KEY: secrets.certKey ?? '',
  };
  await guarded(deps, n, [
    ['join', vars],
    ['endpoint', vars],
  ]);
  deps.update(n.rec.name, { status: 'Joined' });
}

/**
 * Brings `nodes` into the cluster as a pipeline, so a big cluster costs little more than a small
 * one: every node prepares at once; the first control plane (when among them and `certSans` is
 * given) inits as soon as it is prepared, while the others are still preparing; then each node
 * joins as soon as it is prepared and the join secrets exist — workers in parallel, other control
 * planes one at a time (etcd grows one member at a time). A node that fails is reported and the
 * others go on; if the first control plane fails, no one can join and only it is reported.
 * `beforeJoin` (the firewall) runs alongside the preparation: only joins need the ports open.
 */
export async function bootstrapNodes(
  deps: BootstrapDeps,
  ctx: ClusterContext,
  nodes: BootNode[],
  opts: {
    certSans?: string[];
    parallelism?: number;
    /** Joins wait for it (the firewall opening the cluster's ports). */ beforeJoin?: Promise<unknown>;
  } = {},
): Promise<StepError[]> {
  const sem = new Semaphore(opts.parallelism ?? 50);
  const failures: StepError[] = [];
  const attempt = async (work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (e) {
      if (!(e instanceof StepError)) throw e;
      failures.push(e);
      return false;
    }
  };
  const prepare = (n: BootNode) =>
    sem.run(() =>
      guarded(
        deps,
        n,
        PREPARE.map((step) => [step, nodeVars(ctx, n)]),
      ),
    );
  const first = nodes.find((n) => n.rec.name === ctx.first.rec.name);
  const joining = nodes.filter((n) => n !== first);
  const events = deps.events;
  events({
    type: 'phase',
    mcis: ctx.name,
    phase: 'prepare',
    message: `preflight, containerd, kubeadm ${ctx.spec.kubernetes.version} on ${nodes.length} node(s)`,
  });
  const secrets: Promise<JoinSecrets | undefined> = (async () => {
    if (first) {
      if (!(await attempt(() => prepare(first)))) return undefined;
      if (opts.certSans) {
        events({
          type: 'phase',
          mcis: ctx.name,
          phase: 'init',
          message: `kubeadm init on ${first.rec.name}, CNI ${ctx.spec.kubernetes.cni}`,
        });
        const certSans = opts.certSans;
        if (!(await attempt(() => initControlPlane(deps, ctx, certSans)))) return undefined;
      }
    }
    if (joining.length === 0) return undefined;
    await opts.beforeJoin;
    let s: JoinSecrets | undefined;
    if (
      !(await attempt(
        async () =>
          void (s = await joinSecrets(
            deps,
            ctx,
            joining.some((n) => n.rec.role === 'control-plane'),
          )),
      ))
    )
      return undefined;
    events({ type: 'phase', mcis: ctx.name, phase: 'join', message: `joining ${joining.length} node(s)` });
    return s;
  })();
  let controlPlanes = Promise.resolve();
  await Promise.all([
    secrets,
    ...joining.map(async (n) => {
      if (!(await attempt(() => prepare(n)))) return;
      const s = await secrets;
      if (!s) return; // the first control plane failed: that is the reason to report
      if (n.rec.role === 'worker') {
        await attempt(() => sem.run(() => joinNode(deps, ctx, n, s)));
        return;
      }
      const mine = controlPlanes.then(() => attempt(() => joinNode(deps, ctx, n, s)).then(() => undefined));
      controlPlanes = mine;
      await mine;
    }),
  ]);
  return failures;
}

/** Runs kubectl on the context's control plane (`ctx.first`), against its own API server, as admin. */
export function kubectlOnControlPlane(deps: BootstrapDeps, ctx: ClusterContext, args: string[]): Promise<string> {
  const vars = { NODE_IP: ctx.first.rec.publicIp ?? '', API_PORT: String(ctx.spec.kubernetes.apiPort) };
  return runStep(deps, ctx.first, 'kubectl', vars, args);
}

/** Waits until the nodes report Ready; returns the ones that did not. */
export async function waitReady(
  deps: BootstrapDeps,
  ctx: ClusterContext,
  names: string[],
  timeoutSec: number,
): Promise<StepError[]> {
  if (names.length === 0) return [];
  try {
    await kubectlOnControlPlane(deps, ctx, [
      'wait',
      '--for=condition=Ready',
      ...names.map((n) => `node/${n}`),
      `--timeout=${timeoutSec}s`,
    ]);
    return [];
  } catch (e) {
    const msg = (e as Error).message;
    const late = names.filter((n) => msg.includes(`nodes/${n}`));
    return (late.length ? late : names).map(
      (n) => new StepError(n, 'ready', `node did not become Ready within ${timeoutSec}s`),
    );
  }
}
