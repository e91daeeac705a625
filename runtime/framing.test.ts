import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeFrame, FrameDecoder, FrameTooLargeError } from "./framing.js";

const text = (frames: Buffer[]) => frames.map((frame) => frame.toString());

test("a frame survives being split at every byte boundary", () => {
  const frame = encodeFrame(Buffer.from("hello, frames"));
  for (let cut = 0; cut <= frame.length; cut++) {
    const decoder = new FrameDecoder();
    assert.deepEqual(text([...decoder.push(frame.subarray(0, cut)), ...decoder.push(frame.subarray(cut))]), ["hello, frames"]);
  }
});

test("several frames in one chunk come out in order, empty ones included", () => {
  const chunk = Buffer.concat([encodeFrame(Buffer.from("a")), encodeFrame(Buffer.alloc(0)), encodeFrame(Buffer.from("ccc"))]);
  assert.deepEqual(text(new FrameDecoder().push(chunk)), ["a", "", "ccc"]);
});

test("the length prefix is 4 bytes big-endian", () => {
  const frame = encodeFrame(Buffer.alloc(258));
  assert.deepEqual([...frame.subarray(0, 4)], [0, 0, 1, 2]);
});

test("a frame over the maximum size is refused before its payload arrives", () => {
  const decoder = new FrameDecoder(10);
  const header = encodeFrame(Buffer.alloc(11)).subarray(0, 4);
  assert.throws(() => decoder.push(header), FrameTooLargeError);
});
