/**
 * Frames on a port connection: a 4-byte big-endian length, then the payload.
 * The first frame of every connection is a hello naming the sender (hello.ts), so a merged
 * receiver can tag each message with where it came from.
 */

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const HEADER_BYTES = 4;

export function encodeFrame(payload: Uint8Array | string): Buffer {
  const batch = new FrameBatch();
  batch.add(payload);
  return batch.take();
}

/**
 * Frames collected to be written together: `take()` copies them into one buffer, each header and
 * payload in place (a string payload is encoded as UTF-8 straight into it), so a burst of small
 * messages costs one allocation and one write rather than two allocations and an iovec each.
 *
 * A burst of small ASCII strings (JSON messages, mostly) is framed as one latin1 string instead,
 * written into the buffer by one call: ~85 rather than ~170 ns per 16-byte message (bench/ports).
 */
export class FrameBatch {
  private payloads: Array<Uint8Array | string> = [];
  /** Whether every payload is a string, and the string framing may apply. */
  private allStrings = true;
  /**
   * What `take()` will return, headers included, counting a string by its length: its UTF-8 size
   * when it is ASCII, else a little less (for the caller's batching threshold, that is close enough).
   */
  bytes = 0;

  add(payload: Uint8Array | string): void {
    this.payloads.push(payload);
    if (typeof payload === "string") this.bytes += HEADER_BYTES + payload.length;
    else {
      this.allStrings = false;
      this.bytes += HEADER_BYTES + payload.byteLength;
    }
  }

  get empty(): boolean {
    return this.payloads.length === 0;
  }

  take(): Buffer {
    const payloads = this.payloads;
    const framed = this.allStrings && payloads.length > 1 && this.bytes <= payloads.length * SMALL_FRAME_BYTES ? asciiFrames(payloads as string[]) : undefined;
    this.payloads = [];
    this.allStrings = true;
    this.bytes = 0;
    return framed ?? frames(payloads);
  }
}

/** Frames whose average size is at most this are framed as one string (bigger ones are copied once, in place). */
const SMALL_FRAME_BYTES = 1024;

/**
 * The frames of ASCII strings, built as one latin1 string (a header's bytes as characters), or
 * undefined if a payload is not ASCII: then UTF-8 needs more bytes than the string has characters
 * beyond those its headers' characters over 0x7f need.
 */
function asciiFrames(payloads: readonly string[]): Buffer | undefined {
  let text = "";
  let headerExtra = 0;
  for (const payload of payloads) {
    const size = payload.length;
    const b0 = size >>> 24;
    const b1 = (size >>> 16) & 0xff;
    const b2 = (size >>> 8) & 0xff;
    const b3 = size & 0xff;
    headerExtra += (b0 >>> 7) + (b1 >>> 7) + (b2 >>> 7) + (b3 >>> 7);
    text += String.fromCharCode(b0, b1, b2, b3) + payload;
  }
  return Buffer.byteLength(text) === text.length + headerExtra ? Buffer.from(text, "latin1") : undefined;
}

/** Every payload framed into one buffer, each header and payload written in place. */
function frames(payloads: ReadonlyArray<Uint8Array | string>): Buffer {
  const sizes = payloads.map((payload) => (typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength));
  let total = 0;
  for (const size of sizes) total += HEADER_BYTES + size;
  const buffer = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < payloads.length; i++) {
    const payload = payloads[i]!;
    const size = sizes[i]!;
    buffer.writeUInt32BE(size, offset);
    offset += HEADER_BYTES;
    if (typeof payload === "string") buffer.write(payload, offset, size, "utf8");
    else buffer.set(payload, offset);
    offset += size;
  }
  return buffer;
}

export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`frame of ${size} bytes exceeds the maximum of ${max}`);
  }
}

/**
 * Reassembles frames from stream chunks in linear time: a frame inside one chunk is passed as that
 * chunk and the frame's range in it (no copy, no view allocated per frame), and a frame spread over
 * many chunks is copied once, when its last byte arrives.
 */
export class FrameDecoder {
  /** Chunks (or the tail of one) holding the start of a frame that is not complete yet. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes the frame being assembled needs in all, header included; HEADER_BYTES while its length is unknown. */
  private needed = HEADER_BYTES;
  private stopped = false;

  /**
   * `maxFrameBytes` may change between frames, even from inside `onFrame` (a connection's first
   * frame, its hello, is held to less than the frames after it).
   */
  constructor(
    private readonly onFrame: (chunk: Buffer, start: number, end: number) => void,
    public maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
  ) {}

  /** Bytes held for a frame that is not complete yet. */
  get bufferedBytes(): number {
    return this.partBytes;
  }

  /** The payload size the incomplete frame declares, once its length prefix has arrived (0 before). */
  get pendingFrameBytes(): number {
    return this.needed - HEADER_BYTES;
  }

  /**
   * Passes every frame `chunk` completes to `onFrame`, in order. A length prefix over the maximum
   * throws FrameTooLargeError after the frames before it were passed on (the stream cannot be
   * resynchronised after it).
   */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    if (this.partBytes > 0) {
      this.parts.push(chunk);
      this.partBytes += chunk.byteLength;
      if (this.needed === HEADER_BYTES && this.partBytes >= HEADER_BYTES) this.needed = HEADER_BYTES + this.checked(this.prefix());
      if (this.partBytes < this.needed) return;
      // Only the frame is copied; what follows it in the last chunk is read from that chunk in
      // place. (Copying the parts whole copied the next frame's start twice: 64 KiB frames in
      // 64 KiB chunks moved ~2× their bytes.)
      const needed = this.needed;
      const last = this.parts[this.parts.length - 1]!;
      const restStart = last.byteLength - (this.partBytes - needed);
      const frame = Buffer.concat(this.parts, needed);
      this.parts = [];
      this.partBytes = 0;
      this.needed = HEADER_BYTES;
      this.onFrame(frame, HEADER_BYTES, needed);
      if (this.stopped || restStart === last.byteLength) return;
      chunk = last.subarray(restStart);
    }
    let offset = 0;
    while (chunk.byteLength - offset >= HEADER_BYTES) {
      const end = offset + HEADER_BYTES + this.checked(lengthAt(chunk, offset));
      if (end > chunk.byteLength) break;
      this.onFrame(chunk, offset + HEADER_BYTES, end);
      if (this.stopped) return;
      offset = end;
    }
    if (offset === chunk.byteLength) return;
    const rest = chunk.subarray(offset);
    this.parts.push(rest);
    this.partBytes = rest.byteLength;
    if (rest.byteLength >= HEADER_BYTES) this.needed = HEADER_BYTES + rest.readUInt32BE(0);
  }

  /**
   * Drops what it holds and passes on nothing more, not even the rest of the chunk being pushed:
   * for `onFrame` when the connection is closed because of that frame.
   */
  stop(): void {
    this.stopped = true;
    this.parts = [];
    this.partBytes = 0;
    this.needed = HEADER_BYTES;
  }

  private checked(size: number): number {
    if (size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
    return size;
  }

  /** The length prefix of the incomplete frame, read across the parts it may be split over. */
  private prefix(): number {
    const header = Buffer.concat(this.parts, HEADER_BYTES);
    return header.readUInt32BE(0);
  }
}

/**
 * The big-endian length prefix at `offset`, which the caller knows is in bounds: read byte by byte
 * rather than by Buffer#readUInt32BE, whose argument and bounds checks cost ~10% of the receive
 * loop for small messages (bench/ports, profiled).
 */
function lengthAt(chunk: Buffer, offset: number): number {
  return chunk[offset]! * 0x1000000 + ((chunk[offset + 1]! << 16) | (chunk[offset + 2]! << 8) | chunk[offset + 3]!);
}
