import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { json } from "./codec.js";
import { encodeFrame, FrameDecoder } from "./framing.js";

/**
 * The JSON codec decodes the frames of a chunk from one latin1 string when the chunk is ASCII:
 * whatever the messages (non-ASCII text, lengths whose prefix bytes are not ASCII, frames over
 * 1 KiB) and however the bytes are cut into chunks, every message comes back as it was sent.
 */
function roundTrip(messages: unknown[], cuts: number[]): unknown[] {
  const bytes = Buffer.concat(messages.map((message) => encodeFrame(Buffer.from(JSON.stringify(message)))));
  const decoded: unknown[] = [];
  const frames = new FrameDecoder((chunk, start, end) => decoded.push(json.decodeRange!(chunk, start, end)));
  let from = 0;
  for (const cut of [...cuts.map((at) => at % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
    frames.push(bytes.subarray(from, Math.max(from, cut)));
    from = Math.max(from, cut);
  }
  return decoded;
}

const message = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme-ascii", minLength: 100, maxLength: 300 }), // lengths whose prefix has a byte ≥ 0x80
  fc.string({ unit: "grapheme-ascii", minLength: 1100, maxLength: 1500 }), // over 1 KiB: decoded alone
);

test("the JSON codec gives back every message, whatever it holds and however the stream is chunked", () => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 8 }), (messages, cuts) => {
      assert.deepEqual(roundTrip(messages, cuts), JSON.parse(JSON.stringify(messages)));
    }),
    { numRuns: 300 },
  );
});

test("an ASCII chunk decoded whole, then one with a non-ASCII message, then the same chunk twice", () => {
  const ascii = Array.from({ length: 50 }, (_, i) => ({ seq: i, text: "x".repeat(i % 7) }));
  assert.deepEqual(roundTrip(ascii, []), ascii);
  const mixed = [...ascii.slice(0, 3), "héllo ✓ 😀", ...ascii.slice(3, 6)];
  assert.deepEqual(roundTrip(mixed, []), mixed);
  // The same Buffer object decoded twice: its text is reused, and still right.
  const chunk = Buffer.concat(ascii.map((m) => encodeFrame(Buffer.from(JSON.stringify(m)))));
  for (let round = 0; round < 2; round++) {
    const decoded: unknown[] = [];
    new FrameDecoder((c, start, end) => decoded.push(json.decodeRange!(c, start, end))).push(chunk);
    assert.deepEqual(decoded, ascii);
  }
});

test("a malformed frame still throws a SyntaxError, on either path", () => {
  for (const text of ['{"a":', '{"a":"é']) {
    const chunk = Buffer.concat([encodeFrame(Buffer.from('"ok"')), encodeFrame(Buffer.from(text))]);
    const decoded: unknown[] = [];
    const errors: unknown[] = [];
    new FrameDecoder((c, start, end) => {
      try {
        decoded.push(json.decodeRange!(c, start, end));
      } catch (error) {
        errors.push(error);
      }
    }).push(chunk);
    assert.deepEqual(decoded, ["ok"]);
    assert.ok(errors[0] instanceof SyntaxError, String(errors[0]));
  }
});
