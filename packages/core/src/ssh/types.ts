/** The SSH executor's shapes and typed errors: targets, options, results, and how a target is named in messages. */
import type { Readable, Writable } from 'node:stream';
import { OperationError } from '../errors.js';

/** Where to run: one VM's SSH endpoint and the key to log in with. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
  /** VM name, for messages. */
  label?: string;
}

export interface SshExecutorOptions {
  /** known_hosts file shared with OpenSSH (the CLIs pass `$CB_HOME/known_hosts`). */
  knownHostsPath: string;
  /** Max time for TCP connect + SSH handshake + authentication. Default 20 s. */
  connectTimeoutMs?: number;
  /** Max SSH connections open at once across all operations. Default 64. */
  maxConnections?: number;
}

export interface SshExecOptions {
  /** Limit for the whole operation (connect included); on expiry the remote command is hung up. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Sent to the command's stdin, then EOF. Without it the command reads EOF at once. */
  stdin?: string | Buffer | Readable;
  /**
   * Hands the output here as it arrives instead of keeping it (the result's stdout and stderr are
   * then empty): output of any size passes through bounded memory.
   */
  output?: SshOutputSink;
}

/**
 * Where a command's output goes as it arrives, in chunks that do not respect line boundaries. A
 * returned promise holds the command's output back (SSH flow control) until it settles, so a slow
 * reader slows the remote command instead of filling memory; a rejected one ends the command.
 */
export interface SshOutputSink {
  stdout(chunk: Buffer): void | Promise<void>;
  stderr(chunk: Buffer): void | Promise<void>;
}

export interface SshExecResult {
  /** The command's exit status; null if it died of a signal or the server sent no status. */
  exitCode: number | null;
  /** Signal that killed the command, as ssh2 reports it (e.g. `SIGKILL`). */
  signal?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface SshProbeOptions {
  /** Give up after this long (the VM may still be booting). */
  maxWaitMs: number;
  signal?: AbortSignal;
  /** First retry delay; it backs off with jitter up to 3 s. Default 250 ms. */
  minDelayMs?: number;
}

export interface SshProbeResult {
  /** SHA256 fingerprint of the host key, now pinned. */
  hostKeyFingerprint: string;
  attempts: number;
  durationMs: number;
}

export interface SshShellOptions {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Run this command on the pty instead of a login shell (like `ssh -t host CMD`). */
  command?: string;
  /** Request a pseudo-terminal (default true). */
  pty?: boolean;
  /** $TERM for the remote side; default the local $TERM or `xterm-256color`. */
  term?: string;
  signal?: AbortSignal;
}

export interface SshStreamOptions {
  /** Each chunk of the command's stdout, as it arrives (chunks do not respect line boundaries). */
  onStdout: (chunk: Buffer) => void;
  /** Each chunk of its stderr; the last 4 KiB are also in the result. */
  onStderr?: (chunk: Buffer) => void;
  /** Ends the stream: the remote command is sent KILL and hung up, and `stream` rejects with the reason. */
  signal?: AbortSignal;
  /**
   * Hang up when no stdout arrives for this long. A peer that vanished (VM suspended, network cut)
   * otherwise goes unnoticed until SSH keepalives give up, about a minute later.
   */
  idleTimeoutMs?: number;
  /** Sent to the command's stdin, then EOF. */
  stdin?: string | Buffer;
}

export interface SshStreamResult {
  exitCode: number | null;
  signal?: string;
  /** The last 4 KiB of stderr, for error messages. */
  stderrTail: string;
  durationMs: number;
}

/** A stream went quiet for longer than `idleTimeoutMs` and was hung up. */
export class SshStreamIdleError extends OperationError {
  constructor(
    message: string,
    readonly idleTimeoutMs: number,
  ) {
    super(message, { hint: 'the VM may be suspended or unreachable; retrying reconnects when it answers again' });
  }
}

/** The command did not finish within `timeoutMs`; carries what it printed until then. */
export class SshCommandTimeoutError extends OperationError {
  constructor(
    message: string,
    readonly timeoutMs: number,
    readonly stdout: string,
    readonly stderr: string,
    opts: { hint?: string } = {},
  ) {
    super(message, opts);
  }
}

export interface ExitStatus {
  exitCode: number | null;
  signal?: string;
}

/** `vm-1 (ubuntu@127.0.0.1:2222)`, or just the endpoint when there is no label. */
export function describeTarget(t: SshTarget): string {
  const endpoint = `${t.user}@${t.host}:${t.port}`;
  return t.label ? `${t.label} (${endpoint})` : endpoint;
}
