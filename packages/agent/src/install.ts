/**
 * Installing, removing and inspecting agents on the VMs of an MCIS, in parallel through each VM's exec transport (SSH unless its driver brings one). A VM that
 * fails is reported with its reason and the others go on. `installAgents` is also what
 * `cbadm mcis create --install-mon-agent` calls.
 */
import type { Core } from '@cloud-barista/core';
import { OperationError, PartialError } from '@cloud-barista/core/errors';
import { Semaphore } from '@cloud-barista/core/util/limit';
import type { MetricsStore } from './store/metrics-store.js';
import { reach, selectTargets, type MonTarget, type Selector } from './targets.js';
import { agentScript, agentVersion } from './script.js';
import {
  agentError,
  installCommand,
  installInput,
  parseKv,
  parseStatus,
  scriptCommand,
  validateSettings,
  type AgentStatus,
  type InstallSettings,
} from './protocol.js';

export interface AgentJobOptions {
  core: Core;
  /** The metrics store agents are registered in; absent: `$CB_HOME/metrics.db` is opened (and closed) for the call. */
  store?: MetricsStore;
  ns: string;
  mcis: string;
  selector?: Selector;
  /** VMs worked on at once (default 32). */
  concurrency?: number;
  /** Per VM (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** One line per VM as it finishes (progress on stderr). */
  onVm?: (r: AgentVmResult) => void;
}

export interface InstallOptions extends AgentJobOptions {
  /** Sampling interval, whole seconds (default 5 s). */
  intervalMs?: number;
  /** What the agent's on-disk ring keeps (default 1 h). */
  ringMs?: number;
  /** Push to this collector URL (`cbmon collector serve --listen …`) instead of being pulled over SSH. */
  push?: string;
  /**
   * The collector's key pin for an https push URL with a self-signed certificate. Default: the pin
   * of the collector running on this CB_HOME, if it serves TLS.
   */
  pushPin?: string;
}

export interface AgentVmResult {
  vm: string;
  ok: boolean;
  /** installed | upgraded | replaced | reconfigured | started | unchanged | removed | absent | status */
  result?: string;
  status?: AgentStatus;
  error?: string;
  hint?: string;
}

export interface AgentJobResult {
  ns: string;
  mcis: string;
  version: string;
  vms: AgentVmResult[];
}

export const DEFAULT_INTERVAL_MS = 5_000;
export const DEFAULT_RING_MS = 3_600_000;

/** `http://host:8086` → `http://host:8086/write`: agents POST line protocol to the write path. */
export function normalizePushUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.pathname === '' || u.pathname === '/') u.pathname = '/write';
    return u.toString();
  } catch {
    return url;
  }
}

/** Runs `fn` with the caller's metrics store, or one opened under the core's home for the call. */
async function withStore<T>(o: AgentJobOptions, fn: (store: MetricsStore) => Promise<T>): Promise<T> {
  if (o.store) return fn(o.store);
  const { MetricsStore, metricsDbPath } = await import('./store/metrics-store.js');
  const store = new MetricsStore(metricsDbPath(o.core.home.root));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

async function eachVm(
  o: AgentJobOptions,
  work: (t: MonTarget) => Promise<AgentVmResult>,
): Promise<AgentJobResult> {
  const targets = selectTargets(o.core, o.ns, o.mcis, o.selector);
  const sem = new Semaphore(o.concurrency ?? 32);
  const vms = await Promise.all(
    targets.map((t) =>
      sem.run(async () => {
        let r: AgentVmResult;
        try {
          r = await work(t);
        } catch (e) {
          const err = e as Error & { hint?: string };
          r = { vm: t.ref.vm, ok: false, error: err.message, ...(err.hint ? { hint: err.hint } : {}) };
        }
        o.onVm?.(r);
        return r;
      }),
    ),
  );
  return { ns: o.ns, mcis: o.mcis, version: agentVersion(), vms };
}

async function run(
  o: AgentJobOptions,
  t: MonTarget,
  command: string,
  stdin = agentScript(),
): Promise<Record<string, string>> {
  const where = reach(o.core, t.ref);
  if ('wait' in where) throw new OperationError(where.wait);
  const r = await o.core.exec.exec(where.target, command, {
    stdin,
    timeoutMs: o.timeoutMs ?? 60_000,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (r.exitCode !== 0) throw agentError(t.ref, r.exitCode, r.stderr);
  return parseKv(r.stdout);
}

/**
 * Installs (or upgrades, or reconfigures) the agent on the selected VMs and records each in the
 * metrics store so a collector pulls from it. Idempotent: an agent already installed with the same
 * script and settings is left running (`unchanged`). Bad settings throw UsageError before any VM
 * is touched; per-VM failures are in the result.
 */
export async function installAgents(o: InstallOptions): Promise<AgentJobResult> {
  const intervalS = (o.intervalMs ?? DEFAULT_INTERVAL_MS) / 1_000;
  const ringS = Math.round((o.ringMs ?? DEFAULT_RING_MS) / 1_000);
  const pushUrl = o.push ? normalizePushUrl(o.push) : undefined;
  let pin = o.pushPin;
  if (pushUrl?.startsWith('https:') && pin === undefined) {
    const { readCollectorInfo } = await import('./collector-info.js');
    pin = readCollectorInfo(o.core.home.root)?.pushPin ?? undefined;
  }
  // Validate once with placeholder identity before touching anything.
  validateSettings({
    ns: o.ns,
    mcis: o.mcis,
    vm: 'x',
    csp: 'x',
    region: 'x',
    subgroup: 'x',
    intervalS,
    ringS,
    ...(pushUrl ? { push: { url: pushUrl, token: 'x', ...(pin ? { pin } : {}) } } : {}),
  });
  const version = agentVersion();
  return withStore(o, async (store) => {
    return eachVm(o, async (t) => {
      const token = pushUrl ? store.pushToken(o.ns, o.mcis, t.ref.vm) : undefined;
      const settings: InstallSettings = {
        ...t.ref,
        subgroup: t.ref.subgroup,
        intervalS,
        ringS,
        ...(pushUrl && token ? { push: { url: pushUrl, token, ...(pin ? { pin } : {}) } } : {}),
      };
      validateSettings(settings);
      const kv = await run(o, t, installCommand(settings), installInput(settings, agentScript()));
      const status = parseStatus(kv);
      store.putAgent({
        ns: o.ns,
        mcis: o.mcis,
        vm: t.ref.vm,
        mode: pushUrl ? 'push' : 'pull',
        intervalS,
        ringS,
        version: status.version ?? version,
        pushUrl: pushUrl ?? null,
        installedAt: new Date().toISOString(),
        epoch: status.epoch,
      });
      return { vm: t.ref.vm, ok: true, result: kv.result ?? 'installed', status };
    });
  });
}

/** Stops and removes the agent (and its ring) from the selected VMs; forgets them in the store. */
export async function uninstallAgents(o: AgentJobOptions): Promise<AgentJobResult> {
  return withStore(o, (store) =>
    eachVm(o, async (t) => {
      const kv = await run(o, t, scriptCommand('uninstall'));
      store.deleteAgent(o.ns, o.mcis, t.ref.vm);
      return { vm: t.ref.vm, ok: true, result: kv.result ?? 'removed' };
    }),
  );
}

/** What each selected VM's agent says about itself. */
export async function agentStatuses(o: AgentJobOptions): Promise<AgentJobResult> {
  return eachVm(o, async (t) => {
    const status = parseStatus(await run(o, t, scriptCommand('status')));
    return { vm: t.ref.vm, ok: true, result: 'status', status };
  });
}

/**
 * For commands and for cbadm: nothing failed → returns; some VMs failed → PartialError (exit 3)
 * carrying the result; all failed → OperationError (exit 1) naming each VM's reason.
 */
export function assertAllOk(r: AgentJobResult, what: string): void {
  const bad = r.vms.filter((v) => !v.ok);
  if (bad.length === 0) return;
  const detail = bad.map((b) => `${b.vm}: ${b.error ?? 'failed'}`).join('; ');
  const hint = bad.find((b) => b.hint)?.hint;
  if (bad.length === r.vms.length)
    throw new OperationError(`${what} failed on every VM: ${detail}`, hint ? { hint } : {});
  throw new PartialError(
    `${what} failed on ${bad.length} of ${r.vms.length} VM(s): ${detail}`,
    r,
    hint ? { hint } : {},
  );
}
