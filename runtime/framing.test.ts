import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeFrame, FrameBatch, FrameDecoder, FrameTooLargeError } from "./framing.js";

/** A decoder that records the frames it completes, as text. */
function decoder(maxFrameBytes?: number) {
  const frames: string[] = [];
  return { frames, decoder: new FrameDecoder((chunk, start, end) => frames.push(chunk.toString("utf8", start, end)), maxFrameBytes) };
}

const chunked = (bytes: Buffer, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

test("a frame survives being split at every byte boundary", () => {
  const frame = encodeFrame(Buffer.from("hello, frames"));
  for (let cut = 0; cut <= frame.length; cut++) {
    const { frames, decoder: d } = decoder();
    d.push(frame.subarray(0, cut));
    d.push(frame.subarray(cut));
    assert.deepEqual(frames, ["hello, frames"]);
  }
});

test("several frames in one chunk come out in order, empty ones included", () => {
  const { frames, decoder: d } = decoder();
  d.push(Buffer.concat([encodeFrame(Buffer.from("a")), encodeFrame(Buffer.alloc(0)), encodeFrame(Buffer.from("ccc"))]));
  assert.deepEqual(frames, ["a", "", "ccc"]);
});

test("the length prefix is 4 bytes big-endian", () => {
  const frame = encodeFrame(Buffer.alloc(258));
  assert.deepEqual([...frame.subarray(0, 4)], [0, 0, 1, 2]);
});

test("a frame over the maximum size is refused before its payload arrives", () => {
  const header = encodeFrame(Buffer.alloc(11)).subarray(0, 4);
  assert.throws(() => decoder(10).decoder.push(header), FrameTooLargeError);
});

/** Chunks in which valid frames come before an oversized length prefix. */
const beforeOversized: Array<[string, Buffer[]]> = (() => {
  const valid = Buffer.concat([encodeFrame(Buffer.from("one")), encodeFrame(Buffer.from("two"))]);
  const oversized = encodeFrame(Buffer.alloc(11)).subarray(0, 4);
  return [
    ["in one chunk", [Buffer.concat([valid, oversized])]],
    ["after a frame completed across chunks", [valid.subarray(0, 5), Buffer.concat([valid.subarray(5), oversized])]],
    ["with the prefix split over two chunks", [Buffer.concat([valid, oversized.subarray(0, 2)]), oversized.subarray(2)]],
  ];
})();

for (const [how, chunks] of beforeOversized) {
  test(`valid frames before an oversized length prefix are delivered before it is refused (${how})`, () => {
    const { frames, decoder: d } = decoder(10);
    assert.throws(() => chunks.forEach((chunk) => d.push(chunk)), FrameTooLargeError);
    assert.deepEqual(frames, ["one", "two"]);
  });
}

test("the maximum may be raised from inside onFrame, for the frames after a small first one", () => {
  const frames: number[] = [];
  const d: FrameDecoder = new FrameDecoder((_, start, end) => {
    frames.push(end - start);
    d.maxFrameBytes = 1000;
  }, 10);
  d.push(Buffer.concat([encodeFrame(Buffer.alloc(5)), encodeFrame(Buffer.alloc(500))]));
  assert.deepEqual(frames, [5, 500]);
});

/** Counts the bytes Buffer.concat copies for the rest of the test. */
function countCopies(t: TestContext): { bytes: number } {
  const copied = { bytes: 0 };
  const concat = Buffer.concat;
  t.mock.method(Buffer, "concat", (list: readonly Uint8Array[], length?: number) => {
    const result = concat(list, length);
    copied.bytes += result.byteLength;
    return result;
  });
  return copied;
}

test("a 4 MiB frame arriving in 4 KiB chunks is copied once, not once per chunk", (t) => {
  const payload = Buffer.alloc(4 * 1024 * 1024 - 1, 7);
  const chunks = chunked(encodeFrame(payload), 4096);
  const copied = countCopies(t);
  const sizes: number[] = [];
  const d = new FrameDecoder((_, start, end) => sizes.push(end - start));
  for (const chunk of chunks) d.push(chunk);
  assert.deepEqual(sizes, [payload.byteLength]);
  assert.ok(copied.bytes <= 2 * payload.byteLength, `copied ${copied.bytes} bytes to reassemble a frame of ${payload.byteLength}`);
});

test("frames spanning chunk boundaries are each copied once, and what follows one in its last chunk is not copied", (t) => {
  const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024, i));
  const stream = Buffer.concat(payloads.map((payload) => encodeFrame(payload)));
  const copied = countCopies(t);
  const received: Buffer[] = [];
  const d = new FrameDecoder((chunk, start, end) => received.push(Buffer.from(chunk.subarray(start, end))));
  for (const chunk of chunked(stream, 64 * 1024)) d.push(chunk);
  assert.deepEqual(received, payloads);
  assert.ok(copied.bytes <= stream.byteLength, `copied ${copied.bytes} bytes to reassemble ${stream.byteLength}`);
});

test("stop() from onFrame: the rest of the chunk (even an oversized length prefix) and later chunks are not decoded, and nothing is held", () => {
  const frames: number[] = [];
  const d: FrameDecoder = new FrameDecoder((_, start, end) => {
    frames.push(end - start);
    d.stop();
  }, 10);
  d.push(Buffer.concat([encodeFrame(Buffer.alloc(5)), encodeFrame(Buffer.alloc(6)), encodeFrame(Buffer.alloc(2048)).subarray(0, 100)]));
  d.push(encodeFrame(Buffer.alloc(7)));
  assert.deepEqual(frames, [5]);
  assert.deepEqual([d.bufferedBytes, d.pendingFrameBytes], [0, 0]);
});

test("bufferedBytes and pendingFrameBytes describe the incomplete frame", () => {
  const { decoder: d } = decoder();
  const frame = encodeFrame(Buffer.alloc(100));
  d.push(frame.subarray(0, 2));
  assert.deepEqual([d.bufferedBytes, d.pendingFrameBytes], [2, 0]);
  d.push(frame.subarray(2, 50));
  assert.deepEqual([d.bufferedBytes, d.pendingFrameBytes], [50, 100]);
  d.push(frame.subarray(50));
  assert.deepEqual([d.bufferedBytes, d.pendingFrameBytes], [0, 0]);
});

test("a FrameBatch lays out string and byte payloads as the frames encodeFrame makes, in one buffer", () => {
  const batch = new FrameBatch();
  const payloads: Array<string | Uint8Array> = ["ascii", "snowman ☃ and 𝄞", Buffer.from([0, 1, 2]), "", new Uint8Array(0)];
  for (const payload of payloads) batch.add(payload);
  const expected = Buffer.concat(payloads.map((payload) => encodeFrame(typeof payload === "string" ? Buffer.from(payload) : payload)));
  // A string counts its length: its UTF-8 size when it is ASCII.
  const snowman = payloads[1] as string;
  assert.equal(batch.bytes, expected.byteLength - (Buffer.byteLength(snowman) - snowman.length));
  assert.deepEqual(batch.take(), expected);
  assert.ok(batch.empty);
  assert.equal(batch.take().byteLength, 0);
});

test("a batch frames every payload as encodeFrame would one by one: ASCII or not, strings or bytes, small or large", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.string({ unit: "grapheme-ascii", maxLength: 200 }),
          fc.string({ unit: "binary", maxLength: 50 }),
          fc.string({ unit: "grapheme-ascii", minLength: 2000, maxLength: 3000 }),
          fc.uint8Array({ maxLength: 40 }),
        ),
        { maxLength: 40 },
      ),
      (payloads) => {
        const batch = new FrameBatch();
        for (const payload of payloads) batch.add(payload);
        const one = payloads.map((payload) => {
          const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
          const header = Buffer.alloc(4);
          header.writeUInt32BE(bytes.length);
          return Buffer.concat([header, bytes]);
        });
        assert.deepEqual(batch.take(), Buffer.concat(one));
        assert.equal(batch.bytes, 0);
      },
    ),
    { numRuns: 300 },
  );
});
