/**
 * The SSH exec transport: the port over the core's SshExecutor (pooled ssh2 connections, host keys
 * pinned in `$CB_HOME/known_hosts`, per-connection keys), SFTP for file copy and OpenSSH for users.
 * It only translates: what the executor does, and how it fails, is unchanged.
 */
import type { SFTPWrapper } from 'ssh2';
import { OperationError, UsageError } from '../errors.js';
import { opensshArgs, shellQuote } from '../ssh/openssh.js';
import { downloadTree, uploadTree, type SyncStats } from '../ssh/sftp-sync.js';
import type {
  SshExecOptions,
  SshExecResult,
  SshProbeOptions,
  SshShellOptions,
  SshStreamOptions,
  SshStreamResult,
  SshTarget,
} from '../ssh/types.js';
import type { CopyOptions, CopyStats, ExecOptions, ExecResult, ExecTarget, ExecTransport, FileCopy, Interactive, ReadyOptions, StreamOptions, StreamResult } from './transport.js';

/** What the transport needs of an SSH client: the SshExecutor, or a test's fake of it. */
export interface SshBackend {
  exec(target: SshTarget, command: string, opts?: SshExecOptions): Promise<SshExecResult>;
  stream(target: SshTarget, command: string, opts: SshStreamOptions): Promise<SshStreamResult>;
  /** Waits until the server answers and authenticates; pins its host key. */
  probe(target: SshTarget, opts: SshProbeOptions): Promise<unknown>;
  sftp<T>(target: SshTarget, fn: (sftp: SFTPWrapper) => Promise<T>, opts?: { signal?: AbortSignal }): Promise<T>;
  shell(target: SshTarget, io: SshShellOptions): Promise<number>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export A='1' B='2'; ` for the head of a command line (POSIX shells). */
export function envPrefix(env: Record<string, string> | undefined): string {
  const entries = Object.entries(env ?? {});
  if (!entries.length) return '';
  const bad = entries.find(([k]) => !ENV_NAME.test(k));
  if (bad) throw new UsageError(`'${bad[0]}' is not a valid environment variable name`, { hint: 'use letters, digits and _, not starting with a digit' });
  return `export ${entries.map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}; `;
}

export class SshTransport implements ExecTransport {
  readonly kind = 'SSH';
  readonly copy: FileCopy;

  constructor(
    private readonly ssh: SshBackend,
    /** known_hosts for the OpenSSH command line users get (the executor's own file). */
    private readonly knownHostsPath: string,
  ) {
    this.copy = {
      upload: async (target, items, opts = {}) =>
        this.ssh.sftp(
          sshOf(target),
          async (sftp) => {
            let total: SyncStats = { files: 0, copied: 0, skipped: 0, bytes: 0 };
            for (const i of items) total = add(total, await uploadTree(sftp, i.local, i.remote, syncOptions(opts)));
            return total;
          },
          opts.signal ? { signal: opts.signal } : {},
        ),
      download: async (target, remote, local, opts = {}) =>
        this.ssh.sftp(sshOf(target), (sftp) => downloadTree(sftp, remote, local, syncOptions(opts)), opts.signal ? { signal: opts.signal } : {}),
    };
  }

  async exec(target: ExecTarget, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const { onStdout, onStderr, env, ...rest } = opts;
    const kept: { stdout: Buffer[]; stderr: Buffer[] } = { stdout: [], stderr: [] };
    const streaming = onStdout !== undefined || onStderr !== undefined;
    const r = await this.ssh.exec(sshOf(target), envPrefix(env) + command, {
      ...rest,
      ...(streaming
        ? {
            output: {
              stdout: onStdout ?? ((d) => void kept.stdout.push(d)),
              stderr: onStderr ?? ((d) => void kept.stderr.push(d)),
            },
          }
        : {}),
    });
    if (!streaming) return r;
    // A stream nobody asked for is still collected, as without callbacks.
    return { ...r, stdout: Buffer.concat(kept.stdout).toString('utf8'), stderr: Buffer.concat(kept.stderr).toString('utf8') };
  }

  stream(target: ExecTarget, command: string, opts: StreamOptions): Promise<StreamResult> {
    return this.ssh.stream(sshOf(target), command, opts);
  }

  async ready(target: ExecTarget, opts: ReadyOptions): Promise<void> {
    await this.ssh.probe(sshOf(target), opts);
  }

  async interactive(target: ExecTarget): Promise<Interactive> {
    const ssh = sshOf(target);
    return {
      argv: opensshArgs(ssh, this.knownHostsPath),
      builtin: (io) => this.ssh.shell(ssh, io),
    };
  }
}

/** The SSH login of a target; a VM without an address cannot be reached over SSH. */
function sshOf(target: ExecTarget): SshTarget {
  if (!target.ssh?.host) {
    throw new OperationError(`VM '${target.vm}' has no address to reach over SSH`, { hint: 'it needs a public IP: check it with `cbadm mcis status --refresh`' });
  }
  return target.ssh;
}

function syncOptions(o: CopyOptions) {
  return { ...(o.checksum ? { checksum: true } : {}), ...(o.onFile ? { onFile: o.onFile } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

function add(a: CopyStats, b: CopyStats): CopyStats {
  return { files: a.files + b.files, copied: a.copied + b.copied, skipped: a.skipped + b.skipped, bytes: a.bytes + b.bytes };
}
