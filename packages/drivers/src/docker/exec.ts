/**
 * The Docker exec transport (core's ExecTransport port): commands run in the container the Engine
 * way, not over SSH, so images without sshd work. Exec create (`/bin/sh -c`, the variables as the
 * exec's Env), exec start on the hijacked connection (stdout and stderr multiplexed in 8-byte-
 * header frames without a TTY, demultiplexed here with backpressure), and the exit code from exec
 * inspect. `mcis ssh` gets the `docker exec -it` line for the same daemon.
 */
import type { Readable } from 'node:stream';
import type { Exec } from 'dockerode';
import { OperationError } from '@cloud-barista/core/errors';
import type { ExecOptions, ExecResult, ExecTarget, ExecTransport, Interactive, ReadyOptions, StreamOptions, StreamResult } from '@cloud-barista/core/exec/transport';
import type { Connection } from '@cloud-barista/core/model';
import { poll } from '@cloud-barista/core/util/poll';
import type { DockerClient } from './client.js';
import { DEFAULT_HOST } from './endpoint.js';

type Sink = (chunk: Buffer) => void | Promise<void>;

const STDERR_TAIL = 4096;

/** Splits the multiplexed stream into stdout (1) and stderr (2) chunks, awaiting each sink (backpressure). */
export async function demultiplex(stream: AsyncIterable<Buffer>, out: Sink, err: Sink): Promise<void> {
  let buf: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const payload = buf.subarray(8, 8 + size);
      const kind = buf[0];
      buf = buf.subarray(8 + size);
      if (kind === 2) await err(payload);
      else await out(payload);
    }
  }
}

interface RunOptions {
  env?: Record<string, string> | undefined;
  stdin?: string | Buffer | Readable | undefined;
  out: Sink;
  err: Sink;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
}

function containerOf(target: ExecTarget): string {
  if (!target.providerId) throw new OperationError(`VM '${target.vm}' has no container yet`, { hint: 'wait for it to be created: cbadm mcis status --refresh' });
  return target.providerId;
}

export class DockerExecTransport implements ExecTransport {
  readonly kind = 'docker exec';

  constructor(
    private readonly client: DockerClient,
    private readonly connection: Pick<Connection, 'context'>,
  ) {}

  async exec(target: ExecTarget, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const r = await this.run(target, command, {
      env: opts.env,
      stdin: opts.stdin,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      out: opts.onStdout ?? ((c) => void kept.stdout.push(c)),
      err: opts.onStderr ?? ((c) => void kept.stderr.push(c)),
    });
    return { ...r, stdout: Buffer.concat(kept.stdout).toString('utf8'), stderr: Buffer.concat(kept.stderr).toString('utf8') };
  }

  async stream(target: ExecTarget, command: string, opts: StreamOptions): Promise<StreamResult> {
    let tail: Buffer = Buffer.alloc(0);
    const r = await this.run(target, command, {
      stdin: opts.stdin,
      signal: opts.signal,
      idleTimeoutMs: opts.idleTimeoutMs,
      out: (c) => opts.onStdout(c),
      err: (c) => {
        tail = Buffer.concat([tail, c]).subarray(-STDERR_TAIL);
        opts.onStderr?.(c);
      },
    });
    return { exitCode: r.exitCode, stderrTail: tail.toString('utf8'), durationMs: r.durationMs };
  }

  /** Ready when the container runs and a command in it exits 0. */
  async ready(target: ExecTarget, opts: ReadyOptions): Promise<void> {
    const id = containerOf(target);
    await poll(
      async () => {
        try {
          const c = await this.client.call((d) => d.getContainer(id).inspect());
          if (!c.State.Running || c.State.Paused) return false;
          return (await this.exec(target, 'true', { timeoutMs: 10_000 })).exitCode === 0;
        } catch {
          return false;
        }
      },
      (ok) => (ok ? { state: 'success', value: undefined } : { state: 'retry' }),
      { maxWaitMs: opts.maxWaitMs, minDelayMs: 100, maxDelayMs: 2_000, what: `container of VM '${target.vm}' to run commands`, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  }

  interactive(target: ExecTarget): Promise<Interactive> {
    const id = containerOf(target);
    const host = this.client.endpoint.host;
    const where = this.connection.context ? ['--context', this.connection.context] : host === DEFAULT_HOST ? [] : ['-H', host];
    return Promise.resolve({ argv: ['docker', ...where, 'exec', '-it', id.slice(0, 12), '/bin/sh'] });
  }

  private async run(target: ExecTarget, command: string, o: RunOptions): Promise<{ exitCode: number | null; durationMs: number }> {
    const started = Date.now();
    const id = containerOf(target);
    o.signal?.throwIfAborted();
    const exec: Exec = await this.client.call((d) =>
      d.getContainer(id).exec({
        Cmd: ['/bin/sh', '-c', command],
        AttachStdin: o.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        ...(o.env ? { Env: Object.entries(o.env).map(([k, v]) => `${k}=${v}`) } : {}),
      }),
    );
    // Not retried: starting an exec runs the command.
    const socket = (await exec.start({ hijack: true, stdin: o.stdin !== undefined }));
    const stop = (why: Error) => {
      failure ??= why;
      socket.destroy();
    };
    let failure: Error | undefined;
    const onAbort = () => stop(o.signal?.reason instanceof Error ? o.signal.reason : new OperationError(`command on VM '${target.vm}' was cancelled`));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = o.timeoutMs ? setTimeout(() => stop(new OperationError(`command on VM '${target.vm}' timed out after ${o.timeoutMs} ms`)), o.timeoutMs) : undefined;
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      if (!o.idleTimeoutMs) return;
      clearTimeout(idle);
      idle = setTimeout(() => stop(new OperationError(`no output from VM '${target.vm}' for ${o.idleTimeoutMs} ms`)), o.idleTimeoutMs);
    };
    touch();
    if (o.stdin === undefined) {
      // nothing to send
    } else if (typeof o.stdin === 'string' || Buffer.isBuffer(o.stdin)) socket.end(o.stdin);
    else o.stdin.pipe(socket);
    try {
      await demultiplex(
        socket,
        async (c) => {
          touch();
          await o.out(c);
        },
        (c) => o.err(c),
      );
    } catch (e) {
      failure ??= e instanceof Error ? e : new Error(String(e));
    } finally {
      clearTimeout(timer);
      clearTimeout(idle);
      o.signal?.removeEventListener('abort', onAbort);
    }
    if (failure) throw failure;
    const info = await this.exitOf(exec);
    return { exitCode: info, durationMs: Date.now() - started };
  }

  /** The exit code; the daemon may report Running for a moment after the stream ends. */
  private async exitOf(exec: Exec): Promise<number | null> {
    for (let i = 0; i < 50; i++) {
      const info = await this.client.call(() => exec.inspect());
      if (!info.Running) return info.ExitCode ?? null;
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }
}
