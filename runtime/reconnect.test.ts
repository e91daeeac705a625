/**
 * A sending port whose receiver goes away (crashes, is restarted): drops and counts what is sent
 * meanwhile, never blocks, holds nothing, and reconnects with backoff, presenting its hello again
 * to the receiver's next incarnation at the same address. Real sockets and, last, a real process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { Inbound } from "./inbound.js";
import { Outbound } from "./outbound.js";
import type { Address } from "./protocol.js";
import { Message, socketAddress, take, sender, targetFor, frameBytes, bytesOfRange, receiverStats } from "./port-test-kit.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - start;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the port logs (through console.error) while `run` runs. */
async function logged<R>(run: () => Promise<R>): Promise<{ lines: string[]; result: R }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    return { lines, result: await run() };
  } finally {
    console.error = original;
  }
}

const transports: Array<[string, () => Address]> = [
  ["a unix socket", socketAddress],
  ["loopback TCP", () => ({ kind: "tcp", host: "127.0.0.1", port: 0 })],
];

/** A message big enough that holding 100,000 of them would show: ~2 KB each. */
const padded = (n: number) => ({ n, pad: "x".repeat(2000) });

for (const [transport, freshAddress] of transports) {
  test(`over ${transport}: while the receiver is gone sends are dropped and counted without blocking or holding memory; a new receiver at the same address gets the hello and what is sent next, in order`, async () => {
    const first = new Inbound("in", Message);
    const address = await first.listen(freshAddress(), [sender("a")]);
    const outbound = new Outbound<{ n: number; pad?: string }>("out");
    await outbound.connect([targetFor("in", address, "a")]);
    for (let n = 0; n < 10; n++) outbound.send({ n });
    assert.deepEqual(
      (await take(first, 10)).map((message) => message.data.n),
      Array.from({ length: 10 }, (_, n) => n),
    );
    assert.deepEqual(outbound.stats.in, receiverStats({ sent: 10, bytes: bytesOfRange(0, 10), connected: true }));

    // A crashed process's server and connections close; the sender notices without sending anything.
    await first.close();
    await until("the sender notices its receiver is gone", () => !outbound.stats.in!.connected);

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const sendingStarted = performance.now();
    for (let n = 0; n < 100_000; n++) outbound.send(padded(n));
    const sendingMs = performance.now() - sendingStarted;
    await outbound.flush(); // does not wait for the receiver
    gc();
    const heldMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(heldMiB < 16, `100,000 messages of 2 KB sent while the receiver was gone left ${heldMiB.toFixed(1)} MiB on the heap`);
    assert.ok(sendingMs < 10_000, `sending 100,000 messages took ${sendingMs.toFixed(0)} ms`);
    assert.deepEqual(outbound.stats.in, receiverStats({ sent: 10, bytes: bytesOfRange(0, 10), dropped: 100_000 }));

    // Its next incarnation: the same address, the same senders and credentials.
    const second = new Inbound("in", Message);
    await second.listen(address, [sender("a")]);
    const reconnectMs = await until("the sender reconnects", () => outbound.stats.in!.connected, 5000);
    assert.ok(reconnectMs < 5000);
    for (let n = 0; n < 1000; n++) outbound.send({ n: 100_000 + n });
    const received = await take(second, 1000);
    assert.deepEqual(
      received.map((message) => `${message.from}:${message.data.n}`),
      Array.from({ length: 1000 }, (_, n) => `a:${100_000 + n}`),
    );
    assert.equal(second.stats.refused, 0, "the hello is presented again, and accepted");
    assert.deepEqual(
      outbound.stats.in,
      receiverStats({ sent: 1010, bytes: bytesOfRange(0, 10) + bytesOfRange(100_000, 101_000), dropped: 100_000, reconnects: 1, connected: true }),
    );
    await outbound.close();
    await second.close();
  });
}

test("one receiver of a demux going away costs only the messages to it: the other keeps receiving, each is counted apart", async () => {
  const [left, right] = ["left", "right"].map(() => new Inbound("in", Message));
  const targets = [
    targetFor("left", await left!.listen(socketAddress(), [sender("s")]), "s"),
    targetFor("right", await right!.listen(socketAddress(), [sender("s")]), "s"),
  ];
  const outbound = new Outbound<{ n: number }>("out");
  await outbound.connect(targets);
  await right!.close();
  await until("the sender notices 'right' is gone", () => !outbound.stats.right!.connected);
  for (let n = 0; n < 100; n++) outbound.send({ n }, { to: n % 2 ? "right" : "left" });
  assert.deepEqual(
    (await take(left!, 50)).map((message) => message.data.n),
    Array.from({ length: 50 }, (_, i) => 2 * i),
  );
  assert.deepEqual(outbound.stats, {
    left: receiverStats({ sent: 50, bytes: frameBytes(Array.from({ length: 50 }, (_, i) => ({ n: 2 * i }))), connected: true }),
    right: receiverStats({ dropped: 50 }),
  });
  await outbound.close();
  await left!.close();
});

test("around the moment a connection fails, every message is counted once: sent, or dropped", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress(), [sender("a")]);
  const outbound = new Outbound<{ n: number }>("out");
  await outbound.connect([targetFor("in", address, "a")]);
  await inbound.close();
  // Sent in the same tick as the loss is noticed: they are in the batch, or sent after the loss.
  await new Promise<void>((resolve) => {
    const sendUntilLost = () => {
      for (let n = 0; n < 10; n++) outbound.send({ n });
      if (outbound.stats.in!.connected) setImmediate(sendUntilLost);
      else resolve();
    };
    sendUntilLost();
  });
  await outbound.flush();
  const { sent, dropped } = outbound.stats.in!;
  assert.ok(dropped > 0);
  assert.equal((sent + dropped) % 10, 0, `every message is counted once, as sent or dropped: ${sent} + ${dropped}`);
  await outbound.close();
});

test("flush() does not wait for a receiver that goes away while it waits", async () => {
  const accepted: net.Socket[] = [];
  // A receiver that accepts and never reads: its buffers fill, and flush() waits on them.
  const server = net.createServer({ pauseOnConnect: true }, (socket) => accepted.push(socket));
  const address = socketAddress();
  await new Promise<void>((resolve) => server.listen((address as { path: string }).path, resolve));
  const outbound = new Outbound<string>("out");
  await outbound.connect([targetFor("in", address, "a")]);
  const megabyte = "x".repeat(2 ** 20);
  for (let i = 0; i < 32; i++) outbound.send(megabyte);
  let flushed = false;
  const flushing = outbound.flush().then(() => (flushed = true));
  await sleep(100);
  assert.equal(flushed, false, "32 MiB do not fit a socket nobody reads");
  for (const socket of accepted) socket.destroy();
  server.close();
  await until("flush() resolves once the receiver is gone", () => flushed, 3000);
  await flushing;
  await outbound.close();
});

test("close() while waiting to reconnect ends the attempts at once", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress(), [sender("a")]);
  const outbound = new Outbound<{ n: number }>("out", { reconnect: { firstMs: 150, maxMs: 150 } });
  await outbound.connect([targetFor("in", address, "a")]);
  await inbound.close();
  await until("the sender notices its receiver is gone", () => !outbound.stats.in!.connected);
  const closing = performance.now();
  await outbound.close();
  assert.ok(performance.now() - closing < 100, "close() does not wait out the backoff");

  // Anything listening at the address now would see every further attempt: there is none.
  const attempts: net.Socket[] = [];
  const server = net.createServer((socket) => attempts.push(socket));
  await new Promise<void>((resolve) => server.listen((address as { path: string }).path, resolve));
  await sleep(600);
  assert.equal(attempts.length, 0, "no attempt after close()");
  outbound.send({ n: 1 });
  assert.deepEqual(outbound.stats.in, receiverStats({ dropped: 1 }));
  await new Promise((resolve) => server.close(resolve));
});

test("a receiver that does not come back: one log line, and attempts go on at the backoff's longest interval", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress(), [sender("a")]);
  const maxMs = 100;
  const outbound = new Outbound<{ n: number }>("out", { reconnect: { firstMs: 5, maxMs } });
  await outbound.connect([targetFor("in", address, "a")]);
  const { lines } = await logged(async () => {
    await inbound.close();
    await until("the sender notices its receiver is gone", () => !outbound.stats.in!.connected);
    // ~20 attempts at the longest interval, and sends that are dropped.
    for (let i = 0; i < 20; i++) {
      outbound.send({ n: i });
      await sleep(maxMs);
    }
  });
  assert.equal(lines.length, 1, `one line, not one per attempt:\n${lines.join("\n")}`);
  assert.match(lines[0]!, /port 'out': lost its connection to 'in' \(.*\.sock\); reconnecting, and dropping what is sent to it until it is back/);
  assert.equal(outbound.stats.in!.dropped, 20);

  // Something listening at the address again sees the attempts, spaced by at most maxMs (less jitter).
  const arrivals: number[] = [];
  const server = net.createServer((socket) => {
    arrivals.push(performance.now());
    socket.destroy();
  });
  const listening = performance.now();
  await logged(async () => {
    await new Promise<void>((resolve) => server.listen((address as { path: string }).path, resolve));
    await until("five attempts", () => arrivals.length >= 5, 5000);
    await outbound.close();
  });
  const gaps = arrivals.map((at, i) => at - (i === 0 ? listening : arrivals[i - 1]!));
  // Under load timers fire late, never early: a gap is at least half of maxMs, and at most maxMs plus the lateness.
  assert.ok(
    gaps.slice(1).every((gap) => gap >= maxMs / 2 - 5),
    `a connection closed at once does not reset the backoff: gaps ${gaps.map(Math.round).join(", ")} ms`,
  );
  assert.ok(gaps[0]! < maxMs + 400, `the first attempt after ~2 s down came ${gaps[0]!.toFixed(0)} ms after the address listened`);
  await new Promise((resolve) => server.close(resolve));
});

test("the log says how long the receiver was gone and how many messages were dropped, once it is back", async () => {
  const first = new Inbound("in", Message);
  const address = await first.listen(socketAddress(), [sender("a")]);
  const outbound = new Outbound<{ n: number }>("out", { reconnect: { firstMs: 10, maxMs: 50 } });
  await outbound.connect([targetFor("in", address, "a")]);
  const second = new Inbound("in", Message);
  const { lines } = await logged(async () => {
    await first.close();
    await until("the sender notices its receiver is gone", () => !outbound.stats.in!.connected);
    for (let n = 0; n < 7; n++) outbound.send({ n });
    await second.listen(address, [sender("a")]);
    await until("the sender reconnects", () => outbound.stats.in!.connected);
  });
  assert.equal(lines.length, 1, `a short outage logs only its end:\n${lines.join("\n")}`);
  assert.match(lines[0]!, /^\[hydro\] port 'out': 'in' is back after \d+\.\d s; 7 messages sent to it meanwhile were dropped$/);
  await outbound.close();
  await second.close();
});

test("reconnect options are checked", () => {
  assert.throws(() => new Outbound("out", { reconnect: { firstMs: 0 } }), /port 'out': reconnect needs 0 < firstMs <= maxMs/);
  assert.throws(() => new Outbound("out", { reconnect: { firstMs: 100, maxMs: 10 } }), RangeError);
  assert.throws(() => new Outbound("out", { reconnect: { maxMs: Infinity } }), RangeError);
});

/** A receiver in a process of its own: prints `listening <address>`, then `got <n>` per message, in order. */
const receiverScript = `
const { Inbound } = await import(process.argv[1]);
const { z } = await import("zod");
const [address, token] = [JSON.parse(process.argv[2]), process.argv[3]];
const inbound = new Inbound("in", z.object({ n: z.number() }));
console.log("listening " + JSON.stringify(await inbound.listen(address, [{ from: "sender", token }])));
for await (const { from, data } of inbound) console.log("got " + from + " " + data.n);
`;

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

interface Receiver {
  child: ChildProcess;
  address: Address;
  got: string[];
}

async function startReceiver(address: Address): Promise<Receiver> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", receiverScript, path.join(root, "runtime", "inbound.ts"), JSON.stringify(address), sender("sender").token],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  const got: string[] = [];
  let rest = "";
  const listening = new Promise<Address>((resolve, reject) => {
    child.once("exit", (code, signal) => reject(new Error(`the receiver exited (${code ?? signal}) before listening`)));
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("listening ")) resolve(JSON.parse(line.slice("listening ".length)) as Address);
        else if (line.startsWith("got ")) got.push(line.slice("got ".length));
      }
    });
  });
  return { child, address: await listening, got };
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });

for (const [transport, freshAddress] of transports) {
  test(`over ${transport}: a receiver process killed with SIGKILL and started again gets what is sent after the sender reconnects, in order`, async () => {
    const first = await startReceiver(freshAddress());
    const outbound = new Outbound<{ n: number }>("out");
    let second: Receiver | undefined;
    try {
      await outbound.connect([targetFor("in", first.address, "sender")]);
      for (let n = 0; n < 100; n++) outbound.send({ n });
      await until("the first incarnation gets 100 messages", () => first.got.length === 100, 10_000);

      await killed(first.child);
      await until("the sender notices its receiver died", () => !outbound.stats.in!.connected);
      for (let n = 100; n < 600; n++) outbound.send({ n });
      assert.deepEqual(outbound.stats.in, receiverStats({ sent: 100, bytes: bytesOfRange(0, 100), dropped: 500 }));

      second = await startReceiver(first.address);
      await until("the sender reconnects to the second incarnation", () => outbound.stats.in!.connected, 10_000);
      for (let n = 600; n < 700; n++) outbound.send({ n });
      await until("the second incarnation gets 100 messages", () => second!.got.length === 100, 10_000);
      assert.deepEqual(
        second.got,
        Array.from({ length: 100 }, (_, i) => `sender ${600 + i}`),
      );
      assert.deepEqual(
        first.got,
        Array.from({ length: 100 }, (_, n) => `sender ${n}`),
      );
      assert.deepEqual(
        outbound.stats.in,
        receiverStats({ sent: 200, bytes: bytesOfRange(0, 100) + bytesOfRange(600, 700), dropped: 500, reconnects: 1, connected: true }),
      );
    } finally {
      await outbound.close();
      await killed(first.child);
      if (second) await killed(second.child);
    }
  });
}
