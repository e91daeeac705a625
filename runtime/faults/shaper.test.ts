/**
 * The fault injector's hand on one edge, driven directly: what it drops, delays and passes on,
 * in which order, and what it counts. The same edges through real programs: deploy/faults/network.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EdgeShaper, MAX_HELD_BYTES, type FaultCounts } from "./shaper.js";
import type { EdgeFault } from "./edge-fault.js";
import { edgeSeed } from "./random.js";

function shaper(edge = "out→receiver") {
  const counts: FaultCounts = { droppedByFault: 0, delayed: 0 };
  const delivered: Array<{ payload: string; at: number }> = [];
  const logged: string[] = [];
  const shaper = new EdgeShaper(
    edge,
    counts,
    (payload) => void delivered.push({ payload: String(payload), at: performance.now() }),
    (line) => void logged.push(line),
  );
  return { shaper, counts, delivered, logged };
}

/** Which of 0 … n-1 pass a loss of `p` seeded `seed`. */
function survivors(p: number, seed: number, n: number): number[] {
  const { shaper: edgeShaper, delivered, counts } = shaper();
  edgeShaper.set({ loss: { p, seed } });
  for (let i = 0; i < n; i++) edgeShaper.admit(String(i));
  assert.equal(counts.droppedByFault + delivered.length, n, "every message is delivered or counted");
  return delivered.map(({ payload }) => Number(payload));
}

test("no rule passes every message on at once; a cut drops and counts every one", () => {
  const { shaper: edge, delivered, counts } = shaper();
  edge.admit("a");
  edge.set({ cut: true });
  edge.admit("b");
  edge.admit("c");
  edge.set({});
  edge.admit("d");
  assert.deepEqual(
    delivered.map(({ payload }) => payload),
    ["a", "d"],
  );
  assert.deepEqual(counts, { droppedByFault: 2, delayed: 0 });
});

test("loss: the same seed drops the same messages, another seed others, at about the rate p", () => {
  const n = 20_000;
  const first = survivors(0.3, 42, n);
  assert.deepEqual(survivors(0.3, 42, n), first, "same seed, same survivors");
  assert.notDeepEqual(survivors(0.3, 43, n), first, "another seed");
  assert.notDeepEqual(survivors(0.3, edgeSeed(42, "a.out→c.in"), n), survivors(0.3, edgeSeed(42, "b.out→c.in"), n), "edges draw their own streams");
  // Binomial(20000, 0.7): sd ≈ 65; 5 sd either way.
  assert.ok(Math.abs(first.length - 0.7 * n) < 5 * 65, `${first.length} of ${n} survived a loss of 0.3`);
  assert.equal(survivors(0, 1, 1000).length, 1000, "p = 0 drops nothing");
  assert.equal(survivors(1, 1, 1000).length, 0, "p = 1 drops everything");
});

test("delay: each message waits at least ms and at most ms + jitterMs, and none overtakes one sent before it", async () => {
  const { shaper: edge, delivered, counts } = shaper();
  edge.set({ delay: { ms: 40, jitterMs: 60, seed: 5 } });
  const sentAt: number[] = [];
  for (let i = 0; i < 200; i++) {
    sentAt.push(performance.now());
    edge.admit(String(i));
    if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
  }
  await edge.drained();
  assert.equal(delivered.length, 200);
  assert.deepEqual(
    delivered.map(({ payload }) => Number(payload)),
    sentAt.map((_, i) => i),
    "FIFO",
  );
  const waits = delivered.map(({ at }, i) => at - sentAt[i]!);
  assert.ok(Math.min(...waits) >= 39, `shortest wait ${Math.min(...waits)} ms`);
  // FIFO can make a message wait for one before it that drew more jitter: never past the largest draw.
  assert.ok(Math.max(...waits) < 40 + 60 + 100, `longest wait ${Math.max(...waits)} ms`);
  assert.equal(counts.delayed, 200);
});

test("a message sent after a delay is cleared still waits behind the held ones; drained() waits for them", async () => {
  const { shaper: edge, delivered, counts } = shaper();
  edge.set({ delay: { ms: 80, jitterMs: 0, seed: 1 } });
  edge.admit("held");
  edge.set({});
  edge.admit("after");
  assert.equal(delivered.length, 0, "nothing overtook the held message");
  assert.equal(edge.holding, true);
  await edge.drained();
  assert.deepEqual(
    delivered.map(({ payload }) => payload),
    ["held", "after"],
  );
  assert.deepEqual(counts, { droppedByFault: 0, delayed: 1 });
  edge.admit("direct");
  assert.equal(delivered.at(-1)!.payload, "direct", "with nothing held, a message goes out at once");
});

test("a delay holds at most MAX_HELD_BYTES: beyond, messages are dropped, counted, and logged once; discard() drops the rest", async () => {
  const { shaper: edge, delivered, counts, logged } = shaper();
  edge.set({ delay: { ms: 60_000, jitterMs: 0, seed: 1 } });
  const mib = new Uint8Array(1024 * 1024);
  const fits = MAX_HELD_BYTES / mib.byteLength;
  for (let i = 0; i < fits + 5; i++) edge.admit(mib);
  assert.equal(counts.delayed, fits);
  assert.equal(counts.droppedByFault, 5);
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /holds 64 MiB of delayed messages for out→receiver/);
  edge.discard();
  await edge.drained();
  assert.equal(counts.droppedByFault, 5 + fits, "what was held is lost when the connection closes");
  assert.deepEqual(delivered, []);
});

test("changing one part of a rule keeps the other's random stream: adding a delay does not change which messages a loss drops", () => {
  const run = (addDelayAt: number | undefined) => {
    const { shaper: edge, counts } = shaper();
    const fault: EdgeFault = { loss: { p: 0.5, seed: 9 } };
    edge.set(fault);
    const dropped: number[] = [];
    for (let i = 0; i < 400; i++) {
      if (i === addDelayAt) edge.set({ ...fault, delay: { ms: 0, jitterMs: 0, seed: 9 } });
      const before = counts.droppedByFault;
      edge.admit(String(i));
      if (counts.droppedByFault > before) dropped.push(i);
    }
    edge.discard();
    return dropped;
  };
  assert.deepEqual(run(200), run(undefined));
});

test("drained() waits for the messages held when it was called, not for those sent after (a steady sender under a delay)", async () => {
  const { shaper: edge, delivered } = shaper();
  edge.set({ delay: { ms: 50, jitterMs: 0, seed: 1 } });
  edge.admit("first");
  const drained = edge.drained().then(() => delivered.map(({ payload }) => payload));
  const keepSending = setInterval(() => edge.admit("later"), 5);
  try {
    const seen = await drained;
    assert.equal(seen[0], "first");
    assert.ok(seen.length < 4, `resolved once 'first' was out, not after everything sent since (${seen.length} out)`);
  } finally {
    clearInterval(keepSending);
    edge.discard();
  }
});
