/**
 * Frames on a port connection: a 4-byte big-endian length, then the payload.
 * The first frame of every connection is a JSON hello naming the sender, so a merged
 * receiver can tag each message with where it came from.
 */

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
const HEADER_BYTES = 4;

export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
  frame.writeUInt32BE(payload.byteLength, 0);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`frame of ${size} bytes exceeds the maximum of ${max}`);
  }
}

/** Reassembles frames from stream chunks; throws FrameTooLargeError (the stream cannot be resynchronised after it). */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    if (this.pendingBytes < HEADER_BYTES) return [];
    let buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const frames: Buffer[] = [];
    let offset = 0;
    while (buffer.byteLength - offset >= HEADER_BYTES) {
      const size = buffer.readUInt32BE(offset);
      if (size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
      if (buffer.byteLength - offset - HEADER_BYTES < size) break;
      frames.push(buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size));
      offset += HEADER_BYTES + size;
    }
    buffer = buffer.subarray(offset);
    this.pending = buffer.byteLength > 0 ? [buffer] : [];
    this.pendingBytes = buffer.byteLength;
    return frames;
  }
}
