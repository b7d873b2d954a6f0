/**
 * Reading one agent's stream through the VM's exec transport (SSH, or its driver's): connect, ask for what comes after the cursor, reassemble
 * samples, and with `follow` reconnect with backoff for as long as the caller wants (a VM that is
 * suspended is waited for, not hammered). The cursor moves with every mark, so a reconnect resumes
 * exactly where the last stream stopped: nothing is read twice or skipped.
 */
import type { ExecTarget, ExecTransport } from '@cloud-barista/core/exec/transport';
import { backoffDelay, sleep } from '@cloud-barista/core/util/poll';
import { NotFoundError } from '@cloud-barista/core/errors';
import { StreamAssembler } from '../collector/assemble.js';
import type { Sample, VmRef } from '@cloud-barista/agent/sample';
import { agentError, streamCommand, type Control, type StreamRequest } from '@cloud-barista/agent/protocol';

export type StreamStart = { since: number; epoch?: string } | { last: number } | 'now';

export type FollowState = 'connecting' | 'streaming' | 'waiting' | 'retrying' | 'done';

export interface FollowOptions {
  /** The core's per-VM transport (core.exec). */
  transport: Pick<ExecTransport, 'stream'>;
  ref: VmRef;
  /** Where the VM is now (asked again before every connect: an address may change on resume). */
  reach: () => { target: ExecTarget } | { wait: string };
  start: StreamStart;
  /** Only samples taken at or after this time (epoch ms). */
  sinceTsMs?: number;
  /** Keep reading new samples (and reconnect); without it, read what the ring has and return. */
  follow: boolean;
  signal: AbortSignal;
  /** A stream silent this long is hung up and reconnected (the agent sends a mark every few seconds). */
  idleTimeoutMs?: number;
  /**
   * Complete samples in seq order. `live` is false for the backlog a session starts with (what the
   * ring held since the cursor) and true for samples read as the agent wrote them.
   */
  onSamples: (samples: Sample[], at: { epoch: string; mark: number; live: boolean }) => void;
  /** The agent's hello; `lost` counts samples the ring no longer had when we asked for them. */
  onHello?: (hello: Extract<Control, { type: 'hello' }>, lost: number) => void;
  onState?: (state: FollowState, detail?: string) => void;
  onBadLine?: (message: string) => void;
  /** Errors that end the follow instead of a retry (e.g. the agent is not installed, for a live view). */
  stopOn?: (e: unknown) => boolean;
  /** Backoff between reconnects (default 500 ms … 10 s) and between looks at a VM that is not running. */
  minRetryMs?: number;
  maxRetryMs?: number;
  waitPollMs?: number;
}

function request(start: StreamStart, follow: boolean, sinceTsMs: number | undefined): StreamRequest {
  const base: StreamRequest = { follow, ...(sinceTsMs !== undefined ? { sinceTsMs } : {}) };
  if (start === 'now') return base;
  if ('last' in start) return { ...base, last: start.last };
  return { ...base, since: start.since, ...(start.epoch ? { epoch: start.epoch } : {}) };
}

/**
 * Runs until the signal aborts (follow) or the ring has been read (no follow). Without follow it
 * throws what went wrong; with follow errors are reported through onState and retried (unless
 * `stopOn` says otherwise). It never rejects because of an abort.
 */
export async function followAgent(o: FollowOptions): Promise<void> {
  let cursor: StreamStart = o.start;
  let attempt = 0;
  const minRetry = o.minRetryMs ?? 500;
  const maxRetry = o.maxRetryMs ?? 10_000;
  const pause = async (ms: number) => {
    try {
      await sleep(ms, o.signal);
    } catch {
      // aborted: the loop condition ends it
    }
  };
  while (!o.signal.aborted) {
    const where = o.reach();
    if ('wait' in where) {
      if (!o.follow) throw new NotFoundError('reachable VM', o.ref.vm, { hint: where.wait });
      o.onState?.('waiting', where.wait);
      await pause(o.waitPollMs ?? 2_000);
      continue;
    }
    o.onState?.('connecting');
    let epoch = '';
    let marks = 0;
    // Hanging up this session only (an overflow), not the whole follow.
    const session = new AbortController();
    const onAbort = () => session.abort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    let overflow: string | undefined;
    const assembler = new StreamAssembler(o.ref, (e) => {
      if (e.type === 'bad-line') o.onBadLine?.(e.message);
      else if (e.type === 'overflow') {
        overflow = e.message;
        session.abort();
      }
      else if (e.type === 'control' && e.control.type === 'hello') {
        const h = e.control;
        epoch = h.epoch;
        const since = typeof cursor === 'object' && 'since' in cursor ? cursor.since : 0;
        const lost =
          !h.reset && since > 0 && h.first > since + 1 ? Math.min(h.first, h.last + 1) - since - 1 : 0;
        attempt = 0;
        o.onHello?.(h, lost);
        o.onState?.('streaming');
      } else if (e.type === 'samples') {
        cursor = { since: e.mark, epoch };
        if (e.samples.length) o.onSamples(e.samples, { epoch, mark: e.mark, live: marks > 0 });
        marks++;
      }
    });
    try {
      const r = await o.transport.stream(where.target, streamCommand(request(cursor, o.follow, o.sinceTsMs)), {
        onStdout: (d) => assembler.push(d),
        signal: session.signal,
        ...(o.idleTimeoutMs ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
      });
      if (overflow !== undefined && !o.signal.aborted) throw new Error(`hung up: ${overflow}`);
      if (r.exitCode !== 0)
        throw agentError(o.ref, r.exitCode, r.stderrTail || (r.signal ? `killed by ${r.signal}` : ''));
      if (!o.follow) {
        o.onState?.('done');
        return;
      }
      o.onState?.('retrying', 'the stream ended');
    } catch (e) {
      if (o.signal.aborted) break;
      const err = overflow !== undefined ? new Error(`hung up: ${overflow}`) : e;
      if (!o.follow || o.stopOn?.(err)) throw err;
      o.onState?.('retrying', (err as Error).message);
    } finally {
      o.signal.removeEventListener('abort', onAbort);
    }
    await pause(backoffDelay(attempt++, minRetry, maxRetry));
  }
  o.onState?.('done');
}
