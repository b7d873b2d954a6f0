/**
 * Keeps the last `capBytes` of a byte stream and counts all of it: what a command's result can hold
 * of output that may be far larger than memory.
 */
export class CappedBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(readonly capBytes: number) {
    if (!Number.isInteger(capBytes) || capBytes < 0) throw new RangeError(`capBytes must be an integer >= 0, got ${capBytes}`);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.capBytes === 0 || chunk.length === 0) return;
    if (chunk.length >= this.capBytes) {
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.capBytes))];
      this.kept = this.capBytes;
      return;
    }
    // Copied: a slice would pin the caller's (possibly much larger) buffer.
    this.chunks.push(Buffer.from(chunk));
    this.kept += chunk.length;
    while (this.kept - this.chunks[0]!.length >= this.capBytes) this.kept -= this.chunks.shift()!.length;
    if (this.kept > this.capBytes) {
      this.chunks[0] = Buffer.from(this.chunks[0]!.subarray(this.kept - this.capBytes));
      this.kept = this.capBytes;
    }
  }

  /** Bytes seen in all. */
  get totalBytes(): number {
    return this.total;
  }

  /** Bytes held (at most capBytes). */
  get keptBytes(): number {
    return this.kept;
  }

  /** True when earlier bytes were dropped. */
  get truncated(): boolean {
    return this.total > this.kept;
  }

  /** What is held, as UTF-8; when truncated, a character cut at the front is left out. */
  text(): string {
    let buf = Buffer.concat(this.chunks);
    if (this.truncated) {
      let skip = 0;
      while (skip < 3 && skip < buf.length && (buf[skip]! & 0xc0) === 0x80) skip++;
      buf = buf.subarray(skip);
    }
    return buf.toString('utf8');
  }
}
