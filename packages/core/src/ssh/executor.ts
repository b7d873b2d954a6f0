/**
 * How the CLIs reach VMs, in the cloud or in Cloud-Twin alike: ssh2 with host keys pinned on first use
 * in an OpenSSH-compatible known_hosts file, typed errors that say what to do, and bounded parallelism.
 * One connection per operation: commands on many VMs run in parallel, and nothing lingers between them.
 */
import type { Readable, Writable } from 'node:stream';
import type { ReadStream, WriteStream } from 'node:tty';
import { constants as osConstants } from 'node:os';
import type { ClientChannel, PseudoTtyOptions, SFTPWrapper } from 'ssh2';
import { HostKeyMismatchError, NotFoundError, OperationError, type CbError } from '../errors.js';
import { abortReason } from '../util/abort.js';
import { poll } from '../util/poll.js';
import { runCommand } from './channel.js';
import { fingerprintSha256 } from './keys.js';
import { SshConnectionPool } from './connection-pool.js';
import {
  describeTarget,
  SshCommandTimeoutError,
  SshStreamIdleError,
  type SshExecOptions,
  type SshExecResult,
  type SshExecutorOptions,
  type SshOutputSink,
  type SshProbeOptions,
  type SshProbeResult,
  type SshShellOptions,
  type SshStreamOptions,
  type SshStreamResult,
  type SshTarget,
} from './types.js';

export * from './types.js';

const STDERR_TAIL_BYTES = 4096;

/** Internal marker: the timeout fired (converted to SshCommandTimeoutError with the output so far). */
class TimeoutFired extends Error {}

export class SshExecutor {
  private readonly pool: SshConnectionPool;

  constructor(opts: SshExecutorOptions) {
    this.pool = new SshConnectionPool(opts);
  }

  /**
   * Runs `command` (through the remote user's shell) and collects its output. A non-zero exit is a
   * result, not an error. Throws OperationError when the VM cannot be reached or refuses our key,
   * HostKeyMismatchError when its host key changed, SshCommandTimeoutError on `timeoutMs`, and the
   * signal's reason on abort; after a timeout or abort the remote command has been sent KILL and hung
   * up, but a command that ignores both may still run on the VM.
   */
  async exec(target: SshTarget, command: string, opts: SshExecOptions = {}): Promise<SshExecResult> {
    this.pool.assertOpen();
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
      return await this.pool.withSlot(async () => {
        const { client } = await this.pool.connect(target, ac.signal, this.pool.connectTimeoutMs);
        try {
          const status = await runCommand(client, target, command, opts.stdin, ac.signal, sink);
          return {
            ...status,
            stdout: Buffer.concat(out.stdout).toString('utf8'),
            stderr: Buffer.concat(out.stderr).toString('utf8'),
            durationMs: Date.now() - started,
          };
        } finally {
          this.pool.release(client);
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
    this.pool.assertOpen();
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
      const { client } = await this.pool.withSlot(() => this.pool.connect(target, ac.signal, this.pool.connectTimeoutMs));
      try {
        armIdle();
        const status = await runCommand(client, target, command, opts.stdin, ac.signal, {
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
        this.pool.release(client);
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
    this.pool.assertOpen();
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
            const budget = Math.max(1_000, Math.min(this.pool.connectTimeoutMs, deadline - Date.now()));
            const { client, hostKey } = await this.pool.withSlot(() => this.pool.connect(target, opts.signal, budget));
            this.pool.release(client);
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
    this.pool.assertOpen();
    const { client } = await this.pool.withSlot(() => this.pool.connect(target, io.signal, this.pool.connectTimeoutMs));
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
      this.pool.release(client);
    }
  }

  /**
   * Opens an SFTP session on the target for `fn`, holding one connection slot; the session and
   * connection close however `fn` ends, and an abort hangs up the connection.
   */
  async sftp<T>(target: SshTarget, fn: (sftp: SFTPWrapper) => Promise<T>, opts: { signal?: AbortSignal } = {}): Promise<T> {
    this.pool.assertOpen();
    return this.pool.withSlot(async () => {
      const { client } = await this.pool.connect(target, opts.signal, this.pool.connectTimeoutMs);
      const onAbort = () => client.end();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
          client.sftp((err, s) =>
            err
              ? reject(new OperationError(`cannot open SFTP on ${describeTarget(target)}: ${err.message}`, { hint: "the VM's SSH server needs the sftp subsystem (openssh-sftp-server)" }))
              : resolve(s),
          ),
        );
        try {
          return await fn(sftp);
        } finally {
          sftp.end();
        }
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
        this.pool.release(client);
      }
    });
  }

  /** Ends every open connection (running commands are hung up) and refuses further operations. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
