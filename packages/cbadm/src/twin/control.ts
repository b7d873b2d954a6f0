/**
 * Runs Cloud-Twin as a background process under $CB_HOME/twin, so it outlives the CLI invocation
 * that started it. The daemon writes twin.json once it listens; that file is how later commands
 * find it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperationError, UsageError } from '@cloud-barista/core/errors';
import { homePaths, resolveHome } from '@cloud-barista/core/home';
import { sleep } from '@cloud-barista/core/util/poll';
import { alive } from '@cloud-barista/core/util/process';
import type { TwinCredentials } from '@cloud-barista/twin/credentials';

export interface TwinInfo {
  pid: number;
  /** One API endpoint per emulated provider: aws, and gcp / azure / alibaba where the twin serves them. */
  endpoints: { aws: string } & Record<string, string>;
  /** PEM CA of the twin's HTTPS listener, when it has one (Azure's SDK refuses tokens over HTTP). */
  caFile?: string;
  adminUrl: string;
  sshPort: number;
  bootDelayMs: number;
  startedAt: string;
}

export interface TwinStatus {
  running: boolean;
  stateDir: string;
  pid?: number;
  endpoints?: TwinInfo['endpoints'];
  caFile?: string;
  adminUrl?: string;
  sshPort?: number;
  bootDelayMs?: number;
  startedAt?: string;
  instances?: Record<string, number>;
  faults?: unknown[];
  outages?: unknown[];
  /** Whether the twin's VMs run in their own namespaces with enforced firewalls, and why not. */
  isolation?: { on: boolean; reason?: string };
  /** What isolation costs per VM: median start of the VMs booted so far, memory of those running. */
  isolationCost?: { vmsStarted: number; medianStartMs?: number; vmsRunning: number; rssKbPerVm?: number };
}

/**
 * Where Cloud-Twin's package is. It is an optional dependency of cbadm (a user of real clouds does
 * not need it), so a missing one is the user's to install, not a crash.
 */
export function twinPackage(): string {
  try {
    return import.meta.resolve('@cloud-barista/twin');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new UsageError('Cloud-Twin (@cloud-barista/twin) is not installed; cbadm twin commands need it', {
      hint: 'install it where cbadm is installed: npm install -g @cloud-barista/twin (or npm install @cloud-barista/twin in your project)',
    });
  }
}

/** Cloud-Twin's credential helpers, loaded on demand: commands that do not talk to a twin do not pay for them. */
export async function twinCredentialKit(): Promise<typeof import('@cloud-barista/twin/credentials')> {
  twinPackage();
  return import('@cloud-barista/twin/credentials');
}

/** The running twin's credentials, from the secret file in its state dir (0600, the owner's alone). */
export async function twinCredentials(stateDir: string): Promise<TwinCredentials> {
  const { readTwinCredentials } = await twinCredentialKit();
  let creds: TwinCredentials | undefined;
  try {
    creds = readTwinCredentials(stateDir);
  } catch (e) {
    throw new UsageError(`Cloud-Twin's secret file cannot be used: ${(e as Error).message}`, { hint: `fix or remove it, then restart the twin: cbadm twin down && cbadm twin up` });
  }
  if (!creds) throw new UsageError(`Cloud-Twin has no secret file in ${stateDir}`, { hint: 'restart it: cbadm twin down && cbadm twin up' });
  return creds;
}

/** Headers of an admin API call: the twin's admin token. */
async function adminHeaders(stateDir: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${(await twinCredentials(stateDir)).admin}` };
}

/**
 * One call to the running twin's admin API (`/_twin/<path>`), for commands that change it while it
 * runs (`twin fault`, `twin iam`). A refusal (bad rule, bad permission) is the user's to fix.
 */
/** One call to the admin API of the twin running under `stateDir` (by default the one of this CB_HOME). */
export async function twinAdmin<T>(method: 'GET' | 'PUT' | 'POST', path: string, body: unknown, hint: string, stateDir = homePaths(resolveHome()).twin): Promise<T> {
  const info = readTwinInfo(stateDir);
  if (!info) throw new UsageError('Cloud-Twin is not running', { hint: 'start it with: cbadm twin up' });
  const res = await fetch(`${info.adminUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(await adminHeaders(stateDir)) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    const why = typeof json.error === 'string' ? json.error : typeof json.message === 'string' ? json.message : String(res.status);
    throw new UsageError(`Cloud-Twin refused: ${why}`, { hint });
  }
  return json as T;
}

export function readTwinInfo(stateDir: string): TwinInfo | undefined {
  const file = join(stateDir, 'twin.json');
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as TwinInfo;
  return alive(info.pid) ? info : undefined;
}

export async function twinStatus(stateDir: string): Promise<TwinStatus> {
  const info = readTwinInfo(stateDir);
  if (!info) return { running: false, stateDir };
  const res = await fetch(`${info.adminUrl}/status`, { headers: await adminHeaders(stateDir) });
  if (!res.ok) throw new OperationError(`Cloud-Twin refused its status (HTTP ${res.status})`, { hint: `its secret file in ${stateDir} may have been replaced: restart it with cbadm twin down && cbadm twin up` });
  const live = (await res.json()) as Partial<TwinStatus>;
  return { running: true, stateDir, ...info, instances: live.instances ?? {}, faults: live.faults ?? [], outages: live.outages ?? [], ...(live.isolation ? { isolation: live.isolation } : {}), ...(live.isolationCost ? { isolationCost: live.isolationCost } : {}) };
}

export interface TwinUpOptions {
  stateDir: string;
  port?: number;
  azurePort?: number;
  alibabaPort?: number;
  bootDelay?: string;
  stopDelay?: string;
  sshPort?: number;
  faults?: string[];
  /** auto (the twin's default), on or off: VMs in their own namespaces. */
  isolation?: string;
  startTimeoutMs?: number;
}

export async function twinUp(opts: TwinUpOptions): Promise<TwinStatus> {
  if (readTwinInfo(opts.stateDir)) return twinStatus(opts.stateDir);
  const bin = join(fileURLToPath(new URL('.', twinPackage())), 'bin.js');
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  const args = [bin, '--state-dir', opts.stateDir];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  if (opts.azurePort !== undefined) args.push('--azure-port', String(opts.azurePort));
  if (opts.alibabaPort !== undefined) args.push('--alibaba-port', String(opts.alibabaPort));
  if (opts.bootDelay) args.push('--boot-delay', opts.bootDelay);
  if (opts.stopDelay) args.push('--stop-delay', opts.stopDelay);
  if (opts.sshPort !== undefined) args.push('--ssh-port', String(opts.sshPort));
  if (opts.isolation) args.push('--isolation', opts.isolation);
  for (const f of opts.faults ?? []) args.push('--fault', f);
  const log = openSync(join(opts.stateDir, 'twin.out'), 'a');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    const info = readTwinInfo(opts.stateDir);
    if (info && info.pid === child.pid) return twinStatus(opts.stateDir);
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  const tail = existsSync(join(opts.stateDir, 'twin.out')) ? readFileSync(join(opts.stateDir, 'twin.out'), 'utf8').split('\n').slice(-5).join('\n') : '';
  throw new OperationError(`Cloud-Twin did not start${tail ? `:\n${tail}` : ''}`, { hint: `see ${join(opts.stateDir, 'twin.out')}` });
}

export async function twinDown(stateDir: string, timeoutMs = 15_000): Promise<{ stopped: boolean; pid?: number }> {
  const info = readTwinInfo(stateDir);
  if (!info) return { stopped: false };
  // SIGTERM when the admin API cannot be asked (no secret, refused): the twin saves its state either way.
  const asked = await adminHeaders(stateDir)
    .then((headers) => fetch(`${info.adminUrl}/shutdown`, { method: 'POST', headers }))
    .then((r) => r.ok)
    .catch(() => false);
  if (!asked) process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(info.pid)) {
    if (Date.now() > deadline) {
      process.kill(info.pid, 'SIGKILL');
      break;
    }
    await sleep(50);
  }
  return { stopped: true, pid: info.pid };
}
