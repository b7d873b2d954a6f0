/**
 * Keeps the last `capBytes` of a byte stream and counts all of it: what a command's result can hold
 * of output that may be far larger than memory. One ring buffer, grown up to the cap as output
 * comes, so passing gigabytes through allocates nothing per chunk.
 */
const MIN_ALLOC = 4096;

export class CappedBuffer {
  private ring = Buffer.alloc(0);
  /** Where the oldest kept byte is in `ring`. */
  private start = 0;
  private kept = 0;
  private total = 0;

  constructor(readonly capBytes: number) {
    if (!Number.isInteger(capBytes) || capBytes < 0) throw new RangeError(`capBytes must be an integer >= 0, got ${capBytes}`);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.capBytes === 0 || chunk.length === 0) return;
    if (chunk.length >= this.capBytes) {
      this.grow(this.capBytes);
      chunk.copy(this.ring, 0, chunk.length - this.capBytes);
      this.start = 0;
      this.kept = this.capBytes;
      return;
    }
    this.grow(Math.min(this.capBytes, this.kept + chunk.length));
    const size = this.ring.length;
    const end = (this.start + this.kept) % size;
    const first = chunk.copy(this.ring, end);
    if (first < chunk.length) chunk.copy(this.ring, 0, first);
    const overflow = Math.max(0, this.kept + chunk.length - size);
    this.start = (this.start + overflow) % size;
    this.kept += chunk.length - overflow;
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
    let buf = this.linear();
    if (this.truncated) {
      let skip = 0;
      while (skip < 3 && skip < buf.length && (buf[skip]! & 0xc0) === 0x80) skip++;
      buf = buf.subarray(skip);
    }
    return buf.toString('utf8');
  }

  private linear(): Buffer {
    const end = this.start + this.kept;
    if (end <= this.ring.length) return this.ring.subarray(this.start, end);
    return Buffer.concat([this.ring.subarray(this.start), this.ring.subarray(0, end - this.ring.length)]);
  }

  /** Makes room for `need` bytes (at most the cap), keeping what is held in order from index 0. */
  private grow(need: number): void {
    if (need <= this.ring.length) return;
    const size = Math.min(this.capBytes, Math.max(need, this.ring.length * 2, MIN_ALLOC));
    const next = Buffer.alloc(size);
    this.linear().copy(next);
    this.ring = next;
    this.start = 0;
  }
}
