/** How `mcis exec` relays the lines of many VMs to one terminal or pipe. */
import { once } from 'node:events';
import type { ExecLine } from '@cloud-barista/core';

// Lines are gathered up to this size and written at once: a write per line costs a system call each.
const BATCH_BYTES = 64 * 1024;

/**
 * Writes whole lines only, so the lines of VMs running at once interleave but never mix; while a
 * pipe is full the VMs' output is held back (SSH flow control) rather than buffered here.
 */
export class LineWriter {
  private readonly prefixes = new Map<string, Buffer>();
  private readonly batches = new Map<NodeJS.WriteStream, { buf: Buffer; used: number }>();
  private readonly drains = new Map<NodeJS.WriteStream, Promise<void>>();
  private scheduled = false;

  readonly line = (line: ExecLine): Promise<void> | undefined => {
    const to = line.stream === 'stdout' ? process.stdout : process.stderr;
    let prefix = this.prefixes.get(line.vm);
    if (!prefix) this.prefixes.set(line.vm, (prefix = Buffer.from(`${line.vm} | `)));
    const size = prefix.length + line.data.length + 1;
    let batch = this.batches.get(to);
    if (batch && batch.used + size > batch.buf.length) {
      this.write(to);
      batch = undefined;
    }
    if (!batch) this.batches.set(to, (batch = { buf: Buffer.allocUnsafe(Math.max(BATCH_BYTES, size)), used: 0 }));
    // Copied now: the line is a view valid only during this call.
    batch.used += prefix.copy(batch.buf, batch.used);
    batch.used += line.data.copy(batch.buf, batch.used);
    batch.buf[batch.used++] = 0x0a;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
    return this.drains.get(to);
  };

  /** Writes what is gathered. */
  flush(): void {
    this.scheduled = false;
    for (const to of [...this.batches.keys()]) this.write(to);
  }

  private write(to: NodeJS.WriteStream): void {
    const batch = this.batches.get(to);
    if (!batch) return;
    this.batches.delete(to);
    // A new buffer per batch: an asynchronous write may still hold the last one.
    if (to.write(batch.buf.subarray(0, batch.used)) || this.drains.has(to)) return;
    this.drains.set(
      to,
      once(to, 'drain').then(() => void this.drains.delete(to)),
    );
  }
}
