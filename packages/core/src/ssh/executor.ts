/**
 * How the CLIs reach VMs, in the cloud or in Cloud-Twin alike: ssh2 with host keys pinned on first use
 * in an OpenSSH-compatible known_hosts file, typed errors that say what to do, and bounded parallelism.
 * One connection per operation: commands on many VMs run in parallel, and nothing lingers between them.
 */
import type { Readable, Writable } from 'node:stream';
import type { ReadStream, WriteStream } from 'node:tty';
import { constants as osConstants } from 'node:os';
import type { ClientChannel, ConnectConfig, PseudoTtyOptions, PublicKeyAuthMethod } from 'ssh2';
import { ssh2 } from './load.js';
import {
  ConflictError,
  HostKeyMismatchError,
  NotFoundError,
  OperationError,
  type CbError,
} from '../errors.js';
import { Semaphore } from '../util/limit.js';
import { poll } from '../util/poll.js';
import { fingerprintSha256, keyTypeOfBlob, readPrivateKey } from './keys.js';
import { KnownHosts, knownHostsName } from './known-hosts.js';

type SshClient = import('ssh2').Client;

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

interface ExitStatus {
  exitCode: number | null;
  signal?: string;
}

const STDERR_TAIL_BYTES = 4096;

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

const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_CONNECTIONS = 64;
const RETRYABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/** `vm-1 (ubuntu@127.0.0.1:2222)`, or just the endpoint when there is no label. */
export function describeTarget(t: SshTarget): string {
  const endpoint = `${t.user}@${t.host}:${t.port}`;
  return t.label ? `${t.label} (${endpoint})` : endpoint;
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new OperationError('operation aborted');
}

interface Connected {
  client: SshClient;
  hostKey: Buffer;
}

/** Internal marker: the timeout fired (converted to SshCommandTimeoutError with the output so far). */
class TimeoutFired extends Error {}

export class SshExecutor {
  private readonly knownHosts: KnownHosts;
  private readonly connectTimeoutMs: number;
  private readonly slots: Semaphore;
  private readonly clients = new Set<SshClient>();
  private closed = false;

  constructor(private readonly opts: SshExecutorOptions) {
    this.knownHosts = new KnownHosts(opts.knownHostsPath);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.slots = new Semaphore(opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  }

  /**
   * Runs `command` (through the remote user's shell) and collects its output. A non-zero exit is a
   * result, not an error. Throws OperationError when the VM cannot be reached or refuses our key,
   * HostKeyMismatchError when its host key changed, SshCommandTimeoutError on `timeoutMs`, and the
   * signal's reason on abort; after a timeout or abort the remote command has been sent KILL and hung
   * up, but a command that ignores both may still run on the VM.
   */
  async exec(target: SshTarget, command: string, opts: SshExecOptions = {}): Promise<SshExecResult> {
    this.assertOpen();
    const started = Date.now();
    const ac = new AbortController();
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => ac.abort(new TimeoutFired()), opts.timeoutMs)
        : undefined;
    const onOuterAbort = () => ac.abort(opts.signal?.reason);
    if (opts.signal?.aborted) onOuterAbort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const out: { stdout: Buffer[]; stderr: Buffer[] } = { stdout: [], stderr: [] };
    const sink: SshOutputSink = opts.output ?? {
      stdout: (d) => void out.stdout.push(d),
      stderr: (d) => void out.stderr.push(d),
    };
    try {
      return await this.slots.run(async () => {
        const { client } = await this.connect(target, ac.signal, this.connectTimeoutMs);
        try {
          const status = await this.runCommand(client, target, command, opts.stdin, ac.signal, sink);
          return {
            ...status,
            stdout: Buffer.concat(out.stdout).toString('utf8'),
            stderr: Buffer.concat(out.stderr).toString('utf8'),
            durationMs: Date.now() - started,
          };
        } finally {
          this.release(client);
        }
      });
    } catch (e) {
      if (e instanceof TimeoutFired || (ac.signal.aborted && ac.signal.reason instanceof TimeoutFired)) {
        throw new SshCommandTimeoutError(
          `command on ${describeTarget(target)} timed out after ${opts.timeoutMs} ms`,
          opts.timeoutMs ?? 0,
          Buffer.concat(out.stdout).toString('utf8'),
          Buffer.concat(out.stderr).toString('utf8'),
          { hint: 'raise the timeout, or run long jobs in the background (nohup … &)' },
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  /**
   * Runs a long-lived `command` and hands its stdout to `onStdout` as it arrives (a log tail, a
   * metrics stream). Resolves with the exit status when the command ends; rejects with
   * OperationError when the VM cannot be reached or the connection drops, SshStreamIdleError after
   * `idleTimeoutMs` without stdout, and the signal's reason on abort (the remote command is then
   * sent KILL and hung up). A stream holds a connection slot only while it connects: long-lived
   * streams to many VMs must not starve every other operation of `maxConnections`.
   */
  async stream(target: SshTarget, command: string, opts: SshStreamOptions): Promise<SshStreamResult> {
    this.assertOpen();
    const started = Date.now();
    const ac = new AbortController();
    const onOuterAbort = () => ac.abort(opts.signal?.reason);
    if (opts.signal?.aborted) onOuterAbort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (opts.idleTimeoutMs === undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () =>
          ac.abort(
            new SshStreamIdleError(
              `no output from ${describeTarget(target)} for ${opts.idleTimeoutMs} ms; hung up`,
              opts.idleTimeoutMs ?? 0,
            ),
          ),
        opts.idleTimeoutMs,
      );
    };
    let stderrTail = Buffer.alloc(0);
    try {
      const { client } = await this.slots.run(() => this.connect(target, ac.signal, this.connectTimeoutMs));
      try {
        armIdle();
        const status = await this.runCommand(client, target, command, opts.stdin, ac.signal, {
          stdout: (d) => {
            armIdle();
            opts.onStdout(d);
          },
          stderr: (d) => {
            stderrTail = Buffer.concat([stderrTail, d]);
            if (stderrTail.length > STDERR_TAIL_BYTES) stderrTail = stderrTail.subarray(stderrTail.length - STDERR_TAIL_BYTES);
            opts.onStderr?.(d);
          },
        });
        return { ...status, stderrTail: stderrTail.toString('utf8'), durationMs: Date.now() - started };
      } finally {
        this.release(client);
      }
    } finally {
      clearTimeout(idleTimer);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  /**
   * Waits until the SSH server at `target` answers and accepts our key, retrying connection and
   * authentication failures with jittered backoff (a booting VM refuses connections, and may reject
   * the key until cloud-init installs it). Pins the host key on first contact. Throws at once on a
   * host key mismatch or a missing key file; otherwise OperationError after `maxWaitMs` naming the
   * last failure. A failed probe may still have pinned the host key (it is the server's real key).
   */
  async probe(target: SshTarget, opts: SshProbeOptions): Promise<SshProbeResult> {
    this.assertOpen();
    const started = Date.now();
    const deadline = started + opts.maxWaitMs;
    let attempts = 0;
    let lastError: CbError | undefined;
    let fatal: unknown;
    try {
      return await poll<Buffer | undefined, SshProbeResult>(
        async () => {
          attempts++;
          try {
            const budget = Math.max(1_000, Math.min(this.connectTimeoutMs, deadline - Date.now()));
            const { client, hostKey } = await this.slots.run(() => this.connect(target, opts.signal, budget));
            this.release(client);
            return hostKey;
          } catch (e) {
            if (e instanceof HostKeyMismatchError || e instanceof NotFoundError || opts.signal?.aborted) {
              fatal = e;
              throw e;
            }
            lastError = e instanceof OperationError ? e : new OperationError(String(e), { cause: e });
            return undefined;
          }
        },
        (hostKey) =>
          hostKey
            ? {
                state: 'success',
                value: {
                  hostKeyFingerprint: fingerprintSha256(hostKey),
                  attempts,
                  durationMs: Date.now() - started,
                },
              }
            : { state: 'retry' },
        {
          maxWaitMs: opts.maxWaitMs,
          minDelayMs: opts.minDelayMs ?? 250,
          maxDelayMs: 3_000,
          what: `SSH on ${describeTarget(target)}`,
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
      );
    } catch (e) {
      if (e === fatal || opts.signal?.aborted || lastError === undefined) throw e;
      throw new OperationError(
        `SSH on ${describeTarget(target)} did not answer within ${opts.maxWaitMs} ms (${attempts} attempts); last error: ${lastError.message}`,
        { hint: lastError.hint, cause: lastError },
      );
    }
  }

  /**
   * An interactive session: a pty sized like the local terminal, the local TTY in raw mode for the
   * duration, window size changes forwarded. Resolves to the remote exit status (128+n if it died of
   * signal n). The local terminal mode is restored however this ends. Throws like `exec` when the
   * VM cannot be reached.
   */
  async shell(target: SshTarget, io: SshShellOptions): Promise<number> {
    this.assertOpen();
    const { client } = await this.slots.run(() => this.connect(target, io.signal, this.connectTimeoutMs));
    const stdin = io.stdin as Readable & Partial<Pick<ReadStream, 'isTTY' | 'setRawMode' | 'isRaw'>>;
    const stdout = io.stdout as Writable & Partial<Pick<WriteStream, 'isTTY' | 'rows' | 'columns'>>;
    const size = () => ({
      rows: stdout.isTTY && stdout.rows ? stdout.rows : 24,
      cols: stdout.isTTY && stdout.columns ? stdout.columns : 80,
    });
    const ptyOpts: PseudoTtyOptions = { ...size(), term: io.term ?? process.env.TERM ?? 'xterm-256color' };
    const wantPty = io.pty ?? true;
    let restoreRaw: (() => void) | undefined;
    const cleanups: Array<() => void> = [];
    try {
      const channel = await new Promise<ClientChannel>((resolve, reject) => {
        const cb = (err: Error | undefined, ch: ClientChannel) =>
          err
            ? reject(new OperationError(`cannot open a session on ${describeTarget(target)}: ${err.message}`))
            : resolve(ch);
        if (io.command !== undefined) client.exec(io.command, wantPty ? { pty: ptyOpts } : {}, cb);
        else client.shell(wantPty ? ptyOpts : false, cb);
      });

      if (wantPty && stdin.isTTY && typeof stdin.setRawMode === 'function') {
        const wasRaw = stdin.isRaw ?? false;
        stdin.setRawMode(true);
        restoreRaw = () => stdin.setRawMode?.(wasRaw);
      }
      if (wantPty && stdout.isTTY) {
        const onResize = () => {
          const s = size();
          channel.setWindow(s.rows, s.cols, 0, 0);
        };
        stdout.on('resize', onResize);
        cleanups.push(() => stdout.off('resize', onResize));
      }

      return await new Promise<number>((resolve, reject) => {
        let status: number | undefined;
        channel.on('exit', (code: number | null, signal?: string) => {
          if (typeof code === 'number') status = code;
          else if (signal)
            status =
              128 +
              (osConstants.signals[
                signal.startsWith('SIG') ? (signal as NodeJS.Signals) : (`SIG${signal}` as NodeJS.Signals)
              ] ?? 0);
        });
        channel.on('close', () =>
          status === undefined
            ? reject(new OperationError(`session on ${describeTarget(target)} ended without an exit status`))
            : resolve(status),
        );
        const onLost = () => reject(new OperationError(`connection to ${describeTarget(target)} lost`));
        client.on('close', onLost);
        cleanups.push(() => client.off('close', onLost));
        const onAbort = () => {
          reject(abortReason(io.signal as AbortSignal));
          client.end();
        };
        io.signal?.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => io.signal?.removeEventListener('abort', onAbort));

        channel.pipe(io.stdout, { end: false });
        channel.stderr.pipe(io.stderr, { end: false });
        io.stdin.pipe(channel);
        cleanups.push(() => {
          io.stdin.unpipe(channel);
          // Let the process exit: a paused stdin no longer holds the event loop.
          io.stdin.pause();
        });
      });
    } finally {
      for (const c of cleanups.reverse()) c();
      restoreRaw?.();
      this.release(client);
    }
  }

  /** Ends every open connection (running commands are hung up) and refuses further operations. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('close', () => resolve());
          c.end();
          // A peer that never answers our disconnect must not hold close() forever.
          setTimeout(() => {
            c.destroy();
            resolve();
          }, 2_000).unref();
        }),
    );
    await Promise.all(pending);
    this.clients.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new OperationError('SSH executor is closed');
  }

  private release(client: SshClient): void {
    this.clients.delete(client);
    client.end();
  }

  /** Connects and authenticates; the host key is checked against known_hosts on the way. */
  private async connect(
    target: SshTarget,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<Connected> {
    if (signal?.aborted) throw abortReason(signal);
    const privateKey = readPrivateKey(target.privateKeyPath);
    const client = new (ssh2().Client)();
    this.clients.add(client);
    let hostKeyError: CbError | undefined;
    let hostKey: Buffer | undefined;

    const verify = (key: Buffer): boolean => {
      hostKey = key;
      const keyType = keyTypeOfBlob(key);
      const keyBase64 = key.toString('base64');
      try {
        const verdict = this.knownHosts.check(target.host, target.port, keyType, keyBase64);
        if (verdict === 'new') this.knownHosts.pin(target.host, target.port, keyType, keyBase64);
        if (verdict !== 'mismatch') return true;
        const pinned = this.knownHosts.lookup(target.host, target.port);
        const expected =
          pinned.map((k) => `${k.keyType} ${fingerprintSha256(k.keyBase64)}`).join(', ') || '(revoked)';
        const name = knownHostsName(target.host, target.port);
        hostKeyError = new HostKeyMismatchError(
          target.host,
          target.port,
          expected,
          `${keyType} ${fingerprintSha256(key)}`,
          {
            hint:
              `if ${target.label ?? 'the VM'} was really rebuilt, drop the old key with ` +
              `\`ssh-keygen -R '${name}' -f ${this.opts.knownHostsPath}\` and retry; otherwise something may be ` +
              `impersonating it`,
          },
        );
      } catch (e) {
        hostKeyError =
          e instanceof OperationError || e instanceof ConflictError
            ? e
            : new OperationError(
                `cannot use known_hosts ${this.opts.knownHostsPath}: ${(e as Error).message}`,
                { cause: e },
              );
      }
      return false;
    };

    const auth: PublicKeyAuthMethod = { type: 'publickey', username: target.user, key: privateKey };
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: timeoutMs,
      hostVerifier: verify,
      authHandler: [auth],
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
    };

    return new Promise<Connected>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | undefined) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          this.clients.delete(client);
          client.destroy();
          reject(err);
        } else {
          resolve({ client, hostKey: hostKey ?? Buffer.alloc(0) });
        }
      };
      const onAbort = () => settle(abortReason(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
      client.on('ready', () => settle(undefined));
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        settle(hostKeyError ?? this.connectError(target, err, timeoutMs));
      });
      client.on('close', () =>
        settle(hostKeyError ?? this.connectError(target, new Error('connection closed'), timeoutMs)),
      );
      client.connect(config);
    });
  }

  private connectError(
    target: SshTarget,
    err: Error & { level?: string; code?: string },
    timeoutMs: number,
  ): OperationError {
    const where = describeTarget(target);
    if (err.level === 'client-authentication') {
      return new OperationError(`SSH authentication failed for ${where}: the server refused the key`, {
        hint: `the VM accepts only the key pair it was launched with: check ${target.privateKeyPath} and user '${target.user}'`,
        cause: err,
      });
    }
    const reachHint = `check that the VM is running and that its security group allows TCP port ${target.port}`;
    if (err.level === 'client-timeout') {
      return new OperationError(`SSH to ${where} timed out after ${timeoutMs} ms`, {
        hint: reachHint,
        cause: err,
      });
    }
    const code = err.code ? `${err.code}` : err.message;
    if (err.code && RETRYABLE_SOCKET_CODES.has(err.code)) {
      return new OperationError(`cannot connect to ${where}: ${code}`, { hint: reachHint, cause: err });
    }
    return new OperationError(`SSH connection to ${where} failed: ${err.message}`, {
      hint: reachHint,
      cause: err,
    });
  }

  private runCommand(
    client: SshClient,
    target: SshTarget,
    command: string,
    stdin: SshExecOptions['stdin'],
    signal: AbortSignal,
    sink: SshOutputSink,
  ): Promise<ExitStatus> {
    return new Promise<ExitStatus>((resolve, reject) => {
      let channel: ClientChannel | undefined;
      let done = false;
      const finish = (err: Error | undefined, result?: ExitStatus) => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        client.off('close', onLost);
        if (err) reject(err);
        else if (result) resolve(result);
      };
      const onAbort = () => {
        // Best effort: ask the server to kill the command, then hang up (servers SIGHUP it).
        try {
          channel?.signal('KILL');
        } catch {
          // the channel is already closing
        }
        finish(abortReason(signal));
      };
      const onLost = () =>
        finish(new OperationError(`connection to ${describeTarget(target)} was lost while the command ran`));
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      client.on('close', onLost);

      client.exec(command, (err, ch) => {
        if (err) {
          finish(
            new OperationError(`cannot run a command on ${describeTarget(target)}: ${err.message}`, {
              cause: err,
            }),
          );
          return;
        }
        channel = ch;
        let exitCode: number | null = null;
        let exitSignal: string | undefined;
        // A paused channel stops acknowledging data, so the server stops sending: memory stays bounded.
        let holds = 0;
        const deliver = (handle: (d: Buffer) => void | Promise<void>) => (d: Buffer) => {
          let held: void | Promise<void>;
          try {
            held = handle(d);
          } catch (e) {
            onSinkError(e);
            return;
          }
          if (!held) return;
          if (holds++ === 0) {
            ch.pause();
            ch.stderr.pause();
          }
          held.then(() => {
            if (--holds > 0 || done) return;
            ch.resume();
            ch.stderr.resume();
          }, onSinkError);
        };
        const onSinkError = (e: unknown) => {
          try {
            ch.signal('KILL');
          } catch {
            // the channel is already closing
          }
          ch.close();
          finish(e instanceof Error ? e : new OperationError(String(e)));
        };
        ch.on('data', deliver((d) => sink.stdout(d)));
        ch.stderr.on('data', deliver((d) => sink.stderr(d)));
        ch.on('exit', (code: number | null, sig?: string) => {
          exitCode = typeof code === 'number' ? code : null;
          if (sig) exitSignal = sig.startsWith('SIG') ? sig : `SIG${sig}`;
        });
        // The channel closes once stdout is read to its end; stderr may still hold data then.
        let stderrEnded = false;
        let closed = false;
        const settle = () => {
          if (closed && stderrEnded) finish(undefined, { exitCode, ...(exitSignal ? { signal: exitSignal } : {}) });
        };
        ch.stderr.once('end', () => {
          stderrEnded = true;
          settle();
        });
        ch.stderr.once('close', () => {
          stderrEnded = true;
          settle();
        });
        ch.on('close', () => {
          closed = true;
          settle();
        });
        if (stdin === undefined) ch.end();
        else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) ch.end(stdin);
        else {
          stdin.on('error', (e) =>
            finish(new OperationError(`reading stdin for ${describeTarget(target)}: ${e.message}`)),
          );
          stdin.pipe(ch);
        }
      });
    });
  }
}
