import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { Inbound, type InboundStats } from "./inbound.js";
import { helloFrame } from "./hello.js";
import { Outbound } from "./outbound.js";
import { encodeFrame } from "./framing.js";
import type { Address } from "./protocol.js";
import { Message, socketAddress, take, sender, targetFor, rawConnection, rawSender, closed } from "./port-test-kit.js";
import { eventually } from "../test/helpers.js";

const KiB = 1024;
const MiB = 1024 * KiB;
/** Small limits, so that hostile input reaches them quickly; the defaults are larger. */
const limits = { maxFrameBytes: 1 * MiB, maxBufferedBytes: 4 * MiB, helloTimeoutMs: 300, idleTimeoutMs: 300 };
/** What a connection may make the receiver hold beyond its budget: the chunk it read before it was paused. */
const CHUNK_SLACK = 64 * KiB;

/** The first `bytes` bytes of a frame with a `size`-byte payload (its length prefix says `size`). */
const startOfFrame = (size: number, bytes: number) => encodeFrame(Buffer.alloc(size, 1)).subarray(0, bytes);
const message = (n: number) => encodeFrame(Buffer.from(JSON.stringify({ n })));

interface Attack {
  /** Opens the hostile connections and writes to them; the receiver must close every one. */
  open(address: Address): Promise<net.Socket[]>;
  /** What the receiver counts once it has closed them all. */
  counted: Partial<InboundStats>;
  /** Messages from the hostile connections that are valid and must be delivered. */
  delivered?: number[];
}

/** Opens `count` connections with `connect`, each writing `bytes`. */
const connections =
  (count: number, connect: (address: Address) => Promise<net.Socket>, bytes: Buffer): Attack["open"] =>
  (address) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const socket = await connect(address);
        socket.write(bytes);
        return socket;
      }),
    );

const attacks: Array<[string, Attack]> = [
  ["a connection that never says hello", { open: connections(1, rawConnection, Buffer.alloc(0)), counted: { refused: 1 } }],
  [
    "a hello that stops half way",
    { open: connections(1, rawConnection, encodeFrame(helloFrame(sender("raw").token)).subarray(0, 10)), counted: { refused: 1 } },
  ],
  [
    "50 connections each sending 1 MiB − 1 of a 1 MiB frame as their first frame and stalling",
    { open: connections(50, rawConnection, startOfFrame(MiB, MiB - 1)), counted: { refused: 50 } },
  ],
  ["a wired sender that starts a frame and stalls", { open: connections(1, rawSender, startOfFrame(MiB - 4, 100 * KiB)), counted: { stalled: 1 } }],
  [
    "12 wired senders each sending 1 MiB − 1 of a 1 MiB frame and stalling",
    { open: connections(12, rawSender, startOfFrame(MiB - 4, MiB - 5)), counted: { stalled: 12 } },
  ],
  [
    "a wired sender whose valid frames are followed by an oversized length prefix in the same write",
    {
      open: connections(1, rawSender, Buffer.concat([message(10), message(11), startOfFrame(2 * MiB, 4)])),
      counted: { badFrames: 1 },
      delivered: [10, 11],
    },
  ],
];

for (const [what, attack] of attacks) {
  test(`${what}: the receiver closes and counts it, holds no more than its budget, and its wired senders keep flowing`, { timeout: 30_000 }, async () => {
    const inbound = new Inbound("in", Message, limits);
    const address = await inbound.listen(socketAddress(), [sender("good"), sender("raw")]);
    const good = new Outbound<{ n: number }>("out");
    await good.connect([targetFor("in", address, "good")]);
    let mostBuffered = 0;
    const watch = setInterval(() => (mostBuffered = Math.max(mostBuffered, inbound.bufferedBytes)), 5);
    try {
      good.send({ n: 1 });
      assert.deepEqual(await take(inbound, 1), [{ from: "good", data: { n: 1 } }]);
      const hostile = await attack.open(address);
      good.send({ n: 2 });
      const expected = [...(attack.delivered ?? []), 2];
      const during = await take(inbound, expected.length);
      assert.deepEqual(during.map(({ data }) => data.n).sort(), expected.sort());
      await Promise.all(hostile.map(closed));
      assert.deepEqual(pick(inbound.stats, Object.keys(attack.counted)), attack.counted);
      good.send({ n: 3 });
      assert.deepEqual(await take(inbound, 1), [{ from: "good", data: { n: 3 } }]);
      const allowed = limits.maxBufferedBytes + hostile.length * CHUNK_SLACK;
      assert.ok(mostBuffered <= allowed, `held ${mostBuffered} bytes at most, allowed ${allowed}`);
    } finally {
      clearInterval(watch);
      await good.close();
      await inbound.close();
    }
  });
}

function pick<O extends object>(object: O, keys: string[]): Partial<O> {
  return Object.fromEntries(keys.map((key) => [key, object[key as keyof O]])) as Partial<O>;
}

test("a receiver nobody reads from holds its byte budget and stops reading, then delivers everything in order", { timeout: 30_000 }, async () => {
  const inbound = new Inbound("in", Message, limits);
  const address = await inbound.listen(socketAddress(), [sender("raw")]);
  const socket = await rawSender(address);
  const padding = "x".repeat(512 * KiB);
  const count = 20;
  const frames = Array.from({ length: count }, (_, n) => encodeFrame(Buffer.from(JSON.stringify({ n, padding }))));
  for (const frame of frames) socket.write(frame);
  try {
    const fitting = Math.floor(limits.maxBufferedBytes / frames[0]!.byteLength);
    await eventually(() => inbound.stats.received >= fitting, 30_000, "the budget's worth of messages");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(inbound.stats.received < count, `took in all ${count} messages (${count / 2} MiB) with a budget of 4 MiB`);
    assert.ok(inbound.bufferedBytes <= limits.maxBufferedBytes + limits.maxFrameBytes + CHUNK_SLACK, `holds ${inbound.bufferedBytes} bytes`);
    const received = await take(inbound, count);
    assert.deepEqual(
      received.map(({ data }) => data.n),
      Array.from({ length: count }, (_, n) => n),
    );
  } finally {
    socket.destroy();
    await inbound.close();
  }
});

test("connections whose forged hello is followed, in the same write, by a frame too large for a hello are each refused once, in one log line", async (t) => {
  const lines: string[] = [];
  t.mock.method(console, "error", (line: string) => lines.push(line));
  const inbound = new Inbound("in", Message, limits);
  const address = await inbound.listen(socketAddress(), [sender("good")]);
  const count = 100;
  const forged = Buffer.concat([encodeFrame(helloFrame("a-forged-token")), encodeFrame(Buffer.alloc(2 * KiB))]);
  try {
    await Promise.all((await connections(count, rawConnection, forged)(address)).map(closed));
    assert.equal(inbound.stats.refused, count);
    // The log shows the first five problems (then every thousandth).
    assert.deepEqual(
      lines,
      [1, 2, 3, 4, 5].map((n) => `[hydro] port 'in': refused connection #${n}: its hello carries no credential of a sender wired to this port`),
    );
  } finally {
    await inbound.close();
  }
});

test(
  "senders that connect while unfinished frames hold the whole budget are not read until it frees: the port never holds more than its budget",
  { timeout: 30_000 },
  async () => {
    const inbound = new Inbound("in", Message, { ...limits, idleTimeoutMs: 1000 });
    const address = await inbound.listen(socketAddress(), [sender("raw")]);
    const sockets: net.Socket[] = [];
    let mostBuffered = 0;
    const watch = setInterval(() => (mostBuffered = Math.max(mostBuffered, inbound.bufferedBytes)), 2);
    try {
      // Four senders fill the 4 MiB budget with 1 MiB frames that they stop sending one byte short.
      for (let stalled = 1; stalled <= 4; stalled++) {
        const socket = await rawSender(address);
        sockets.push(socket);
        socket.write(startOfFrame(MiB - 4, MiB - 1));
        await eventually(() => inbound.bufferedBytes === stalled * (MiB - 1), 10_000, `the port to hold ${stalled} unfinished frames`);
      }
      // Then eight more each send a whole message: none of them fits until the stalled frames are closed.
      const padding = "x".repeat(512 * KiB);
      for (let n = 0; n < 8; n++) {
        const socket = await rawSender(address);
        sockets.push(socket);
        socket.write(encodeFrame(Buffer.from(JSON.stringify({ n, padding }))));
      }
      const received = await take(inbound, 8);
      assert.deepEqual(
        received.map(({ data }) => data.n).sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7],
      );
      await Promise.all(sockets.slice(0, 4).map(closed));
      // Waiting longer than helloTimeoutMs to be read did not get them refused.
      assert.deepEqual(pick(inbound.stats, ["stalled", "refused"]), { stalled: 4, refused: 0 });
      assert.ok(mostBuffered <= limits.maxBufferedBytes, `held ${mostBuffered} bytes at most, with a budget of ${limits.maxBufferedBytes}`);
    } finally {
      clearInterval(watch);
      for (const socket of sockets) socket.destroy();
      await inbound.close();
    }
  },
);
