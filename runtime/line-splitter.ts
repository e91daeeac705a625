/** The longest line delivered whole: a longer one arrives as several lines, each but the last ending in LINE_CONTINUES. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Ends every piece of a line longer than MAX_LINE_BYTES except its last piece. */
export const LINE_CONTINUES = "[hydro: line continues]";

/**
 * Splits a byte stream into lines (without their newlines) in linear time: each chunk is searched
 * once, and the bytes of an unfinished line are kept as chunks and joined only when it ends.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  /** The lines that `chunk` completes, in order. */
  *push(chunk: Buffer): Generator<string> {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, start)) {
      yield* this.keep(chunk.subarray(start, newline));
      yield this.take();
      start = newline + 1;
    }
    yield* this.keep(chunk.subarray(start));
  }

  /** The last line, if the stream ended without a newline. */
  end(): string | undefined {
    return this.pendingBytes > 0 ? this.take() : undefined;
  }

  /** Adds bytes of the unfinished line, cutting off pieces once it is longer than the cap. */
  private *keep(bytes: Buffer): Generator<string> {
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes <= this.maxBytes) return;
    let rest = Buffer.concat(this.pending, this.pendingBytes);
    while (rest.length > this.maxBytes) {
      const cut = characterBoundary(rest, this.maxBytes);
      yield rest.toString("utf8", 0, cut) + LINE_CONTINUES;
      rest = rest.subarray(cut);
    }
    this.pending = [rest];
    this.pendingBytes = rest.length;
  }

  private take(): string {
    const line = this.pending.length === 1 ? this.pending[0]!.toString("utf8") : Buffer.concat(this.pending, this.pendingBytes).toString("utf8");
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }
}

/** The last offset at or before `at` that does not cut a UTF-8 character in two (`at` itself for bytes that are not UTF-8). */
function characterBoundary(bytes: Buffer, at: number): number {
  const continuation = (offset: number) => (bytes[offset]! & 0xc0) === 0x80;
  let cut = at;
  for (let back = 0; back < 3 && cut > 1 && continuation(cut); back++) cut--;
  return continuation(cut) ? at : cut;
}
