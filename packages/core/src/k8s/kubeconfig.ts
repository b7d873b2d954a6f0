/**
 * Kubeconfig handling on the user's machine: the admin.conf fetched from the control plane is
 * renamed after the cluster (cluster, user and context named `<cluster>`, `<cluster>-admin`), then
 * written to its own file or merged into the user's kubeconfig, replacing only entries of that name.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { OperationError, UsageError } from '../errors.js';

interface Named {
  name: string;
  [k: string]: unknown;
}
export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[];
  contexts?: Named[];
  users?: Named[];
  'current-context'?: string;
  preferences?: Record<string, unknown>;
  [k: string]: unknown;
}

/** User entries that make kubectl run a program on the user's machine. */
const RUNS_PROGRAMS = ['exec', 'auth-provider'] as const;

export interface RenameOptions {
  /** The API server address to use instead of admin.conf's. */
  server?: string;
  /** Keep an `exec` or `auth-provider` user entry (refused otherwise). */
  allowExec?: boolean;
}

/**
 * admin.conf → a kubeconfig with one cluster, user and context named after the cluster. The file
 * comes from a VM, which the user's machine must not trust with running programs: a user entry with
 * `exec` or `auth-provider` (kubectl would run it on every call) is refused unless `allowExec`.
 */
export function renameKubeconfig(adminConf: string, name: string, opts: RenameOptions = {}): { config: Kubeconfig; server: string } {
  const src = parse(adminConf) as Kubeconfig;
  const found = src.clusters?.[0]?.cluster as { server?: string } | undefined;
  const entry = src.users?.[0];
  const user = entry?.user;
  if (!found?.server || !user) throw new OperationError('the control plane returned an admin.conf without a cluster or user', { hint: 'check the init step on the first control-plane node' });
  const runs = typeof user === 'object' ? RUNS_PROGRAMS.filter((k) => k in user) : [];
  if (runs.length && !opts.allowExec) {
    throw new OperationError(
      `the control plane's admin.conf user ${JSON.stringify(entry.name)} has ${runs.map((k) => `an '${k}' entry`).join(' and ')}: kubectl would run a program from it on this machine; nothing was written`,
      { hint: 'check /etc/kubernetes/admin.conf on the control plane; if you trust it, run again with --allow-exec' },
    );
  }
  const server = opts.server;
  const cluster = server ? { ...found, server } : found;
  return {
    server: cluster.server ?? found.server,
    config: {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster }],
      users: [{ name: `${name}-admin`, user }],
      contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
      'current-context': name,
      preferences: {},
    },
  };
}

/** Merges `add` into `base`: entries of the same names are replaced, everything else is kept. */
export function mergeKubeconfig(base: Kubeconfig, add: Kubeconfig, setCurrent: boolean): Kubeconfig {
  const merge = (a: Named[] | undefined, b: Named[] | undefined) => {
    const names = new Set((b ?? []).map((x) => x.name));
    return [...(a ?? []).filter((x) => !names.has(x.name)), ...(b ?? [])];
  };
  return {
    ...base,
    apiVersion: base.apiVersion ?? 'v1',
    kind: base.kind ?? 'Config',
    clusters: merge(base.clusters, add.clusters),
    users: merge(base.users, add.users),
    contexts: merge(base.contexts, add.contexts),
    ...(setCurrent || !base['current-context'] ? { 'current-context': add['current-context'] } : {}),
  };
}

/** The file `kubectl` reads first: the first entry of $KUBECONFIG, else ~/.kube/config (honours $HOME). */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = env.KUBECONFIG?.split(delimiter).find((p) => p !== '');
  return first ?? join(env.HOME ?? homedir(), '.kube', 'config');
}

/** Writes atomically with mode 0600 (it holds a client key). */
export function writeKubeconfig(path: string, config: Kubeconfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, stringify(config), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function readKubeconfig(path: string): Kubeconfig {
  if (!existsSync(path)) return {};
  const parsed: unknown = parse(readFileSync(path, 'utf8'));
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object') throw new UsageError(`${path} is not a kubeconfig`, { hint: 'point KUBECONFIG at a kubeconfig file, or pass --file' });
  return parsed as Kubeconfig;
}

/**
 * `base` without the cluster, user and context `renameKubeconfig` named after `name` (other entries
 * stay); the current context is unset when it was this cluster's rather than pointed at another cluster.
 */
export function withoutCluster(base: Kubeconfig, name: string): { config: Kubeconfig; removed: boolean } {
  const drop = (list: Named[] | undefined, n: string) => (list ?? []).filter((x) => x.name !== n);
  const config: Kubeconfig = { ...base, clusters: drop(base.clusters, name), users: drop(base.users, `${name}-admin`), contexts: drop(base.contexts, name) };
  if (base['current-context'] === name) delete config['current-context'];
  const removed = config.contexts!.length !== (base.contexts ?? []).length || config.clusters!.length !== (base.clusters ?? []).length || config.users!.length !== (base.users ?? []).length;
  return { config, removed };
}

export interface KubeconfigCleanup {
  file: string;
  /** context: removed from the file; file: the file held only this cluster and was deleted; absent: nothing of it was there. */
  outcome: 'context' | 'file' | 'absent';
}

/**
 * Takes the cluster out of a kubeconfig file cbadm wrote it into. A file under `ownDir` (cbadm's own
 * `$CB_HOME/kube`) left without contexts is deleted; the user's files are only edited.
 */
export function forgetCluster(file: string, name: string, ownDir: string): KubeconfigCleanup {
  if (!existsSync(file)) return { file, outcome: 'absent' };
  const { config, removed } = withoutCluster(readKubeconfig(file), name);
  if (!removed) return { file, outcome: 'absent' };
  if (dirname(file) === ownDir && !config.contexts?.length) {
    unlinkSync(file);
    return { file, outcome: 'file' };
  }
  writeKubeconfig(file, config);
  return { file, outcome: 'context' };
}
