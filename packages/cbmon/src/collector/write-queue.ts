/**
 * The collector's write path: samples and cursors queue up and are written in one transaction per
 * flush, so a crash replays instead of losing; the VM-minutes a write touched wait here for rollup.
 */
import { refKey, type Sample } from '@cloud-barista/agent/sample';
import type { MetricsStore, VmMinute } from '@cloud-barista/agent/store/metrics-store';
import type { Cursor } from '@cloud-barista/agent/store/types';
import { LatencyWindow } from './stats.js';

const MINUTE = 60_000;

export class WriteQueue {
  private queue: Sample[] = [];
  private readonly live = new WeakSet<Sample>();
  private readonly cursors = new Map<string, Cursor>();
  private readonly touched = new Map<string, VmMinute>();
  private failing = false;
  /** Samples stored since start. */
  stored = 0;
  /** Age of live samples when stored. */
  readonly latency = new LatencyWindow();

  constructor(
    private readonly store: MetricsStore,
    private readonly log: (line: string) => void,
  ) {}

  /** Queues samples and moves the VM's cursor; `live` samples count towards the latency figures. */
  enqueue(samples: Sample[], cursor: Cursor, live: boolean): void {
    for (const s of samples) {
      this.queue.push(s);
      if (live) this.live.add(s);
    }
    const key = refKey(cursor);
    const prev = this.cursors.get(key);
    this.cursors.set(key, {
      ...cursor,
      ...(cursor.epoch === undefined && prev?.epoch !== undefined ? { epoch: prev.epoch } : {}),
      lostDelta: (prev?.lostDelta ?? 0) + (cursor.lostDelta ?? 0),
    });
    // While the store refuses writes, the timer retries; flushing per enqueue would busy-loop it.
    if (this.queue.length >= 5_000 && !this.failing) this.flush();
  }

  /**
   * Writes what is queued. If the store cannot take it (another writer holds it), the samples and
   * cursors stay queued, in order, for the next flush: nothing is dropped and no cursor moves.
   */
  flush(): void {
    if (this.queue.length === 0 && this.cursors.size === 0) return;
    const samples = this.queue;
    const cursors = [...this.cursors.values()];
    let out: ReturnType<MetricsStore['writeSamples']>;
    try {
      out = this.store.writeSamples(samples, cursors);
    } catch (e) {
      if (!this.failing)
        this.log(
          `store write failed (${(e as Error).message}); ${samples.length} sample(s) kept, will retry`,
        );
      this.failing = true;
      return;
    }
    if (this.failing) this.log(`store writable again: ${samples.length} kept sample(s) written`);
    this.failing = false;
    // Whatever was queued during the write (nothing: it is synchronous) stays; what was written goes.
    this.queue = this.queue.slice(samples.length);
    for (const c of cursors) {
      const now = this.cursors.get(refKey(c));
      if (now === c) this.cursors.delete(refKey(c));
    }
    if (out.refused) this.log(`${out.refused} sample(s) refused: their VM has too many distinct series sets`);
    const now = Date.now();
    this.stored += out.inserted;
    for (const s of samples) if (this.live.has(s)) this.latency.add(now - s.tsMs);
    for (const t of out.touched) this.touched.set(`${t.vmId}/${t.minute}`, t);
  }

  /** Rolls up the finished minutes written so far (all of them when `final`); returns how many. */
  rollUp(final: boolean, now = Date.now()): number {
    // A minute is final a little after it ends: samples of its last second may still be on the way.
    const ready = [...this.touched.entries()].filter(([, t]) => final || t.minute + MINUTE + 10_000 <= now);
    if (ready.length === 0) return 0;
    const written = this.store.rollup(ready.map(([, t]) => t));
    for (const [k] of ready) this.touched.delete(k);
    return written;
  }
}
