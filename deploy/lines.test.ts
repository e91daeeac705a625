import { test } from "node:test";
import assert from "node:assert/strict";
import { LineStream } from "./lines.js";

test("an iterator that falls behind holds the producer back, and still gets every line in order", async () => {
  const stream = new LineStream("svc", "stdout");
  const iterator = stream.lines();
  const count = 400_000;
  const line = (n: number) => `line ${n} ${"x".repeat(40)}`;
  let heldBack = 0;
  let mostQueued = 0;
  let queued = 0;
  const producer = (async () => {
    for (let n = 0; n < count; n++) {
      queued++;
      mostQueued = Math.max(mostQueued, queued);
      const caughtUp = stream.push(line(n));
      if (caughtUp) {
        heldBack++;
        await caughtUp;
      }
    }
    stream.end();
  })();
  let seen = 0;
  for await (const received of iterator) {
    queued--;
    assert.equal(received, line(seen));
    seen++;
    // A slow consumer: it yields to the producer after every line.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await producer;
  assert.equal(seen, count);
  assert.ok(heldBack > 0, "the producer was never held back");
  assert.ok(mostQueued <= 40_000, `${mostQueued} lines were queued at once`);
});
