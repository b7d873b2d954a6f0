/**
 * Cuts a byte stream into lines as it arrives, so output can be relayed line by line without ever
 * holding more than one bounded line: a line longer than `maxLineBytes` is handed on in pieces, each
 * cut at a UTF-8 character boundary.
 */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

const NL = 0x0a;

export class LineSplitter {
  private held: Buffer[] = [];
  private heldBytes = 0;

  /**
   * `emit` gets each line without its `\n` (or a piece of an over-long line, or the unterminated
   * tail); the buffer may be a view of the pushed chunk, valid only during the call.
   */
  constructor(
    private readonly emit: (line: Buffer) => void,
    readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    // Below 4 bytes a cut could not keep a UTF-8 character whole.
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 4) throw new RangeError(`maxLineBytes must be an integer >= 4, got ${maxLineBytes}`);
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(NL, start); nl >= 0; nl = chunk.indexOf(NL, start)) {
      this.emitBounded(this.take(chunk.subarray(start, nl)));
      start = nl + 1;
    }
    if (start === chunk.length) return;
    // Copied: the caller may reuse its buffer, and a slice would pin the whole chunk.
    const rest = Buffer.from(chunk.subarray(start));
    this.held.push(rest);
    this.heldBytes += rest.length;
    if (this.heldBytes >= this.maxLineBytes) this.keep(this.emitBounded(this.take(Buffer.alloc(0)), true));
  }

  /** Hands on what is left (a last line without `\n`). */
  end(): void {
    if (this.heldBytes) this.emitBounded(this.take(Buffer.alloc(0)));
  }

  /** The held partial line followed by `tail`, as one buffer; nothing is held afterwards. */
  private take(tail: Buffer): Buffer {
    if (!this.heldBytes) return tail;
    const line = Buffer.concat([...this.held, tail]);
    this.held = [];
    this.heldBytes = 0;
    return line;
  }

  private keep(rest: Buffer): void {
    if (!rest.length) return;
    this.held = [rest];
    this.heldBytes = rest.length;
  }

  /**
   * Emits `line` in pieces of at most maxLineBytes. With `partial`, the last piece shorter than the
   * bound is returned instead (the line goes on in the next chunk).
   */
  private emitBounded(line: Buffer, partial = false): Buffer {
    let rest = line;
    while (rest.length > this.maxLineBytes || (partial && rest.length === this.maxLineBytes)) {
      const cut = utf8Boundary(rest, this.maxLineBytes);
      this.emit(rest.subarray(0, cut));
      rest = rest.subarray(cut);
    }
    if (partial) return rest;
    this.emit(rest);
    return Buffer.alloc(0);
  }
}

/** The largest cut at or below `at` that does not split a UTF-8 sequence (or `at` if none is near). */
export function utf8Boundary(buf: Buffer, at: number): number {
  if (at >= buf.length) return buf.length;
  for (let i = at; i > at - 4 && i > 0; i--) {
    // A byte that is not a continuation byte (10xxxxxx) starts a character: cut before it.
    if ((buf[i]! & 0xc0) !== 0x80) return i;
  }
  return at;
}
