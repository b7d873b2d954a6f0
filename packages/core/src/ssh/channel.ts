/**
 * One command on an open connection: output delivered to a sink with backpressure (a sink that
 * returns a promise pauses the channel), the exit status or signal, KILL and hang-up on abort.
 */
import type { ClientChannel } from 'ssh2';
import { OperationError } from '../errors.js';
import { describeTarget, type ExitStatus, type SshExecOptions, type SshOutputSink, type SshTarget } from './types.js';
import { abortReason } from '../util/abort.js';

type SshClient = import('ssh2').Client;

/** Runs `command` on `client`; resolves with its exit status, rejects on abort, a lost connection or a failing sink. */
export function runCommand(
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
