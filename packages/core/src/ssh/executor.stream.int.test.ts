/**
 * SshExecutor.stream against the Cloud-Twin VM SSH server: output as it arrives, abort, idle
 * timeout, a dropped connection, and streams not holding connection slots.
 */
import { describe, expect, it } from 'vitest';
import { OperationError } from '../errors.js';
import { SshBed } from '../../test/ssh-bed.js';
import { caught, running as alive } from '../../../../test-support/proc.js';
import { SshStreamIdleError } from './executor.js';

const bed = new SshBed('cb-ssh-stream-', 79);
const startVm = () => bed.startVm();
const executor = (maxConnections?: number) => bed.executor(maxConnections ? { maxConnections } : {});

async function until(cond: () => boolean, maxMs = 5_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('SshExecutor.stream', () => {
  it('delivers stdout as it is written, then the exit status and a stderr tail', async () => {
    const vm = await startVm();
    const arrivals: Array<{ at: number; text: string }> = [];
    const r = await executor().stream(vm.target, 'for i in 1 2 3; do echo "line $i"; sleep 0.3; done; echo oops >&2; exit 4', {
      onStdout: (d) => arrivals.push({ at: Date.now(), text: d.toString() }),
    });
    expect(r.exitCode).toBe(4);
    expect(r.stderrTail).toBe('oops\n');
    expect(arrivals.map((a) => a.text).join('')).toBe('line 1\nline 2\nline 3\n');
    // Output arrived while the command ran, not all at the end.
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(450);
  });

  it('stops on abort with the reason and kills the remote command', async () => {
    const vm = await startVm();
    const ac = new AbortController();
    let pid = 0;
    const p = executor().stream(vm.target, 'echo $$; exec sleep 30', {
      signal: ac.signal,
      onStdout: (d) => {
        pid = Number(d.toString().trim());
        ac.abort(new Error('enough'));
      },
    });
    expect(((await caught(p)) as Error).message).toBe('enough');
    expect(pid).toBeGreaterThan(0);
    await until(() => !alive(pid));
  });

  it('hangs up a stream that goes quiet for idleTimeoutMs', async () => {
    const vm = await startVm();
    const started = Date.now();
    const e = await caught(
      executor().stream(vm.target, 'echo hi; sleep 30', { idleTimeoutMs: 400, onStdout: () => {} }),
    );
    expect(e).toBeInstanceOf(SshStreamIdleError);
    expect((e as SshStreamIdleError).idleTimeoutMs).toBe(400);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends when the VM stops mid-stream: killed, or the connection lost', async () => {
    const vm = await startVm();
    let got = '';
    const p = executor().stream(vm.target, 'while :; do echo tick; sleep 0.1; done', {
      onStdout: (d) => {
        got += d.toString();
      },
    });
    await until(() => got.includes('tick'));
    await vm.server.close();
    // The twin kills the command first (exit-signal KILL) and then drops the connection; which of
    // the two the client sees first is a race, and callers treat both as "the stream ended".
    const outcome = await p.then(
      (r) => r.signal,
      (e: unknown) => e,
    );
    if (typeof outcome === 'string') expect(outcome).toBe('SIGKILL');
    else {
      expect(outcome).toBeInstanceOf(OperationError);
      expect((outcome as Error).message).toMatch(/lost|closed/);
    }
  });

  it('holds a connection slot only while connecting', async () => {
    const vm = await startVm();
    const ex = executor(1);
    const ac = new AbortController();
    const seen = [false, false];
    const streams = [0, 1].map((i) =>
      ex.stream(vm.target, 'while :; do echo x; sleep 0.1; done', {
        signal: ac.signal,
        onStdout: () => {
          seen[i] = true;
        },
      }),
    );
    await until(() => seen[0] === true && seen[1] === true);
    // Exec still gets its slot while both streams run.
    expect((await ex.exec(vm.target, 'echo ok')).stdout).toBe('ok\n');
    ac.abort(new Error('done'));
    for (const s of streams) await expect(s).rejects.toThrow('done');
  });
});
