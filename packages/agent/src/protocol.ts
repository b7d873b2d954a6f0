/**
 * How cbmon talks to the agent: the remote command lines (values shell-quoted), the KEY=VALUE
 * output of install/status, the `#cbmon …` control lines of a stream, and what the agent's exit
 * codes mean for the user. Pure.
 */
import { shellQuote } from '@cloud-barista/core/ssh/openssh';
import { OVERLAY_IFACE } from '@cloud-barista/core/orchestrator/overlay-plan';
import type { VmRef } from './sample.js';
import {
  BugError,
  NotFoundError,
  OperationError,
  UsageError,
  type CbError,
} from '@cloud-barista/core/errors';

export interface InstallSettings {
  ns: string;
  mcis: string;
  vm: string;
  csp: string;
  region: string;
  subgroup: string;
  /** Whole seconds, at least 1. */
  intervalS: number;
  /** How much the on-disk ring keeps, in seconds. */
  ringS: number;
  /** `pin`: the collector's key (`sha256//…`, see collector/tls.ts) when it serves a self-signed certificate. */
  push?: { url: string; token: string; pin?: string };
}

const PIN = /^sha256\/\/[A-Za-z0-9+/]{43}=$/;

const DIR = '"$HOME/.cbmon"';
const TAG_VALUE = /^[A-Za-z0-9._:/-]+$/;

/** Checks what goes into the agent's config and line protocol tags; throws UsageError. */
export function validateSettings(s: InstallSettings): void {
  for (const key of ['ns', 'mcis', 'vm', 'csp', 'region', 'subgroup'] as const) {
    if (!TAG_VALUE.test(s[key])) {
      throw new UsageError(`${key} '${s[key]}' cannot be a metric tag`, {
        hint: 'use letters, digits and . _ : / -',
      });
    }
  }
  if (!Number.isInteger(s.intervalS) || s.intervalS < 1 || s.intervalS > 3600) {
    throw new UsageError(`--interval must be whole seconds between 1s and 1h, got ${s.intervalS}s`, {
      hint: 'e.g. --interval 5s (the default) or --interval 1s',
    });
  }
  if (!Number.isInteger(s.ringS) || s.ringS < s.intervalS) {
    throw new UsageError(`--ring must be at least one interval, got ${s.ringS}s`, {
      hint: 'e.g. --ring 1h (the default)',
    });
  }
  if (s.push) {
    let url: URL;
    try {
      url = new URL(s.push.url);
    } catch {
      throw new UsageError(`--push: '${s.push.url}' is not a URL`, {
        hint: 'e.g. --push http://10.0.0.5:8086/write',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`--push: '${s.push.url}' must be http or https`);
    }
    if (url.username || url.password || url.search)
      throw new UsageError(`--push: the URL must carry no credentials or query`, {
        hint: 'the push token is sent in a header; give just the collector URL',
      });
    if (s.push.pin !== undefined) {
      if (!PIN.test(s.push.pin))
        throw new UsageError(`--push-pin: '${s.push.pin}' is not a key pin`, {
          hint: 'copy it from `cbmon collector status` (sha256//… , 44 base64 characters)',
        });
      if (url.protocol !== 'https:')
        throw new UsageError('--push-pin needs an https --push URL', { hint: 'start the collector with --tls' });
    }
  }
}

/** Writes the script (sent on stdin, after the token line) next to the installed one and lets it install itself. */
export function installCommand(s: InstallSettings): string {
  const kv = [
    `ns=${s.ns}`,
    `mcis=${s.mcis}`,
    `vm=${s.vm}`,
    `csp=${s.csp}`,
    `region=${s.region}`,
    `subgroup=${s.subgroup}`,
    `interval=${s.intervalS}`,
    `ring=${s.ringS}`,
    ...(s.push ? [`push=${s.push.url}`] : []),
    ...(s.push?.pin ? [`pin=${s.push.pin}`] : []),
    // Every agent watches for the overlay interface: an overlay enabled later needs no reinstall.
    `overlay=${OVERLAY_IFACE}`,
  ];
  // stdin: the push token (or an empty line), then the script. The token reaches the installer
  // through its environment, never through a command line others on the VM can see.
  return (
    `umask 077 && mkdir -p ${DIR} && IFS= read -r CBMON_PUSH_TOKEN && export CBMON_PUSH_TOKEN && ` +
    `cat > ${DIR}/agent.sh.new && sh ${DIR}/agent.sh.new install ${kv.map(shellQuote).join(' ')}`
  );
}

/** What install sends on stdin: see installCommand. */
export function installInput(s: InstallSettings, script: string): string {
  return `${s.push?.token ?? ''}\n${script}`;
}

/**
 * Runs this package's script (sent on stdin) with one command, whatever is installed: the whole
 * script is read before it starts, so nothing it runs can eat the rest of stdin.
 */
export function scriptCommand(cmd: 'uninstall' | 'status' | 'start'): string {
  return `sh -c "$(cat)" cbmon-agent ${cmd}`;
}

export interface StreamRequest {
  /** Lines with seq > since; absent means "from now". */
  since?: number;
  /** Instead of since: the last n samples. */
  last?: number;
  /** Only samples at or after this time (epoch ms). */
  sinceTsMs?: number;
  /** The epoch the caller's `since` belongs to; another epoch makes the agent send its whole ring. */
  epoch?: string;
  follow: boolean;
}

/** Runs the installed agent's stream (the daemon's own version reads its own ring). */
export function streamCommand(r: StreamRequest): string {
  const args: string[] = ['stream'];
  if (r.last !== undefined) args.push('--last', String(r.last));
  else if (r.since !== undefined) args.push('--since', String(r.since));
  if (r.sinceTsMs !== undefined) args.push('--since-ts', `${Math.trunc(r.sinceTsMs)}000000`);
  if (r.epoch) args.push('--epoch', r.epoch);
  if (r.follow) args.push('--follow');
  return `[ -f ${DIR}/agent.sh ] || { echo 'cbmon-agent: not installed' >&2; exit 20; }; exec sh ${DIR}/agent.sh ${args.map(shellQuote).join(' ')}`;
}

/** `KEY=VALUE` lines → record (later keys win). */
export function parseKv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && /^[a-z_]+$/.test(line.slice(0, eq))) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export interface AgentStatus {
  installed: boolean;
  version: string | null;
  running: boolean;
  pid: number | null;
  epoch: string | null;
  /** Newest sample's sequence number (0: none yet). */
  seq: number;
  /** Oldest sample the ring still holds. */
  first: number;
  intervalS: number | null;
  ringS: number | null;
  mode: 'pull' | 'push' | null;
  pushUrl: string | null;
  pushAcked: number | null;
  ringKb: number;
}

const num = (v: string | undefined): number | null =>
  v === undefined || v === '' || !/^\d+$/.test(v) ? null : Number(v);

export function parseStatus(kv: Record<string, string>): AgentStatus {
  const installed = kv.installed === '1';
  return {
    installed,
    version: installed ? (kv.version ?? null) : null,
    running: kv.running === '1',
    pid: num(kv.pid),
    epoch: kv.epoch || null,
    seq: num(kv.seq) ?? 0,
    first: num(kv.first) ?? 0,
    intervalS: num(kv.interval),
    ringS: num(kv.ring),
    mode: kv.mode === 'push' || kv.mode === 'pull' ? kv.mode : null,
    pushUrl: kv.push_url || null,
    pushAcked: num(kv.push_acked),
    ringKb: num(kv.ring_kb) ?? 0,
  };
}

export type Control =
  | {
      type: 'hello';
      version: string;
      epoch: string;
      first: number;
      last: number;
      since: number;
      reset: boolean;
      intervalS: number;
    }
  | { type: 'mark'; seq: number }
  | { type: 'restarted' };

/** A `#cbmon …` line of a stream, or null for anything else (other comments are ignored). */
export function parseControl(line: string): Control | null {
  if (!line.startsWith('#cbmon ')) return null;
  const [kind, ...rest] = line.slice(7).trim().split(/\s+/);
  const kv = parseKv(rest.join('\n'));
  switch (kind) {
    case 'hello':
      return {
        type: 'hello',
        version: kv.version ?? '',
        epoch: kv.epoch ?? '',
        first: Number(kv.first ?? 0),
        last: Number(kv.last ?? 0),
        since: Number(kv.since ?? 0),
        reset: kv.reset === '1',
        intervalS: Number(kv.interval ?? 0),
      };
    case 'mark':
      return kv.seq !== undefined && /^\d+$/.test(kv.seq) ? { type: 'mark', seq: Number(kv.seq) } : null;
    case 'restarted':
      return { type: 'restarted' };
    default:
      return null;
  }
}

/** What an agent command's failure means, in words that say who must act. */
export function agentError(ref: Pick<VmRef, 'ns' | 'mcis' | 'vm'>, exitCode: number | null, stderr: string): CbError {
  const vm = ref.vm;
  const said =
    stderr
      .trim()
      .split('\n')
      .filter(Boolean)
      .pop()
      ?.replace(/^cbmon-agent: /, '') ?? '';
  switch (exitCode) {
    case 10:
      return new OperationError(`${vm}: ${said || 'no /proc'}`, {
        hint: 'the agent reads Linux procfs; in a container, mount the host /proc and set HOST_PROC',
      });
    case 11:
      return new OperationError(`${vm}: ${said}`, {
        hint: 'install it on the VM (coreutils, busybox) and retry',
      });
    case 12:
      return new OperationError(`${vm}: ${said}`, {
        hint: 'install curl or wget on the VM, or use pull mode (no --push)',
      });
    case 20:
      return new NotFoundError('agent', vm, { hint: `install it: cbmon agent install ${ref.mcis} --vm ${vm}${ref.ns === 'default' ? '' : ` --ns ${ref.ns}`}` });
    case 2:
      return new BugError(`${vm}: the agent rejected cbmon's request: ${said}`, {
        hint: 'this is a cbmon bug; please report it',
      });
    default:
      return new OperationError(
        `${vm}: agent command failed (exit ${exitCode ?? 'by signal'})${said ? `: ${said}` : ''}`,
      );
  }
}
