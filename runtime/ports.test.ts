import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { z } from "zod";
import { Inbound, helloFrame } from "./inbound.js";
import { Outbound } from "./outbound.js";
import { encodeFrame } from "./framing.js";
import type { Address } from "./protocol.js";

const Message = z.object({ n: z.number() });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-ports-test-"));
let sockets = 0;
const socketAddress = (): Address => ({ kind: "unix", path: path.join(dir, `${sockets++}.sock`) });
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

async function take<T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length === count) break;
  }
  return items;
}

/** A raw connection that has said hello, for sending hand-made bytes. */
async function rawSender(address: Address, from = "raw"): Promise<net.Socket> {
  const socket = net.connect((address as { path: string }).path);
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(encodeFrame(helloFrame(from)));
  return socket;
}

test("messages from several senders arrive tagged with each sender's name (merge)", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress());
  const senders = ["a", "b", "c"].map((name) => ({ name, port: new Outbound<{ n: number }>("out") }));
  await Promise.all(senders.map(({ name, port }) => port.connect([{ key: "receiver", address }], name)));
  senders.forEach(({ port }, i) => port.send({ n: i }));
  const received = await take(inbound, 3);
  assert.deepEqual(received.map((message) => `${message.from}:${message.data.n}`).sort(), ["a:0", "b:1", "c:2"]);
  await Promise.all(senders.map(({ port }) => port.close()));
  await inbound.close();
});

test("one sender reaches the receiver named by `to` (demux), in order", async () => {
  const receivers = ["left", "right"].map((key) => ({ key, port: new Inbound("in", Message) }));
  const targets = await Promise.all(receivers.map(async ({ key, port }) => ({ key, address: await port.listen(socketAddress()) })));
  const outbound = new Outbound<{ n: number }>("out");
  await outbound.connect(targets, "sender");
  for (let n = 0; n < 100; n++) outbound.send({ n }, { to: n % 2 ? "right" : "left" });
  const [left, right] = await Promise.all(receivers.map(({ port }) => take(port, 50)));
  assert.deepEqual(
    left!.map((message) => message.data.n),
    Array.from({ length: 50 }, (_, i) => 2 * i),
  );
  assert.deepEqual(
    right!.map((message) => message.data.n),
    Array.from({ length: 50 }, (_, i) => 2 * i + 1),
  );
  assert.throws(() => outbound.send({ n: 0 }), /several receivers \(left, right\)/);
  assert.throws(() => outbound.send({ n: 0 }, { to: "middle" }), /no receiver 'middle'; its receivers are: left, right/);
  await outbound.close();
  await Promise.all(receivers.map(({ port }) => port.close()));
});

test("a sink wired to nothing drops and counts what is sent, whoever it is addressed to", () => {
  const outbound = new Outbound<{ n: number }>("out");
  outbound.send({ n: 0 });
  outbound.send({ n: 1 }, { to: "anyone" });
  assert.equal(outbound.dropped, 2);
});

test("an invalid message is counted and skipped, and later messages still arrive", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress());
  const socket = await rawSender(address);
  socket.write(encodeFrame(Buffer.from(JSON.stringify({ n: "not a number" }))));
  socket.write(encodeFrame(Buffer.from("{broken json")));
  socket.write(encodeFrame(Buffer.from(JSON.stringify({ n: 7 }))));
  const [message] = await take(inbound, 1);
  assert.deepEqual(message, { from: "raw", data: { n: 7 } });
  assert.deepEqual(inbound.stats, { received: 1, invalid: 1, badFrames: 1 });
  socket.destroy();
  await inbound.close();
});

test("a schema that throws counts the message as invalid instead of crashing", async () => {
  const inbound = new Inbound(
    "in",
    z.string().transform((text) => JSON.parse(text) as unknown),
  );
  const address = await inbound.listen(socketAddress());
  const socket = await rawSender(address);
  socket.write(encodeFrame(Buffer.from(JSON.stringify("not json"))));
  socket.write(encodeFrame(Buffer.from(JSON.stringify('{"ok":true}'))));
  const [message] = await take(inbound, 1);
  assert.deepEqual(message, { from: "raw", data: { ok: true } });
  assert.equal(inbound.stats.invalid, 1);
  socket.destroy();
  await inbound.close();
});

test("an oversized frame drops only that sender's connection", async () => {
  const inbound = new Inbound("in", Message, { maxFrameBytes: 64 });
  const address = await inbound.listen(socketAddress());
  const bad = await rawSender(address, "bad");
  const closed = new Promise((resolve) => bad.once("close", resolve));
  bad.write(encodeFrame(Buffer.alloc(65)));
  await closed;
  const good = new Outbound<{ n: number }>("out");
  await good.connect([{ key: "in", address }], "good");
  good.send({ n: 1 });
  assert.deepEqual(await take(inbound, 1), [{ from: "good", data: { n: 1 } }]);
  assert.equal(inbound.stats.badFrames, 1);
  await good.close();
  await inbound.close();
});

test("a connection whose first frame is not a hello is dropped", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress());
  const socket = net.connect((address as { path: string }).path);
  const closed = new Promise((resolve) => socket.once("close", resolve));
  socket.write(encodeFrame(Buffer.from(JSON.stringify({ n: 1 }))));
  await closed;
  assert.equal(inbound.stats.badFrames, 1);
  assert.equal(inbound.stats.received, 0);
  await inbound.close();
});

test("a sender started before its receiver connects once the receiver binds", async () => {
  const address = socketAddress();
  const outbound = new Outbound<{ n: number }>("out");
  const connecting = outbound.connect([{ key: "late", address }], "early");
  await new Promise((resolve) => setTimeout(resolve, 100));
  const inbound = new Inbound("in", Message);
  await inbound.listen(address);
  await connecting;
  outbound.send({ n: 3 });
  assert.deepEqual(await take(inbound, 1), [{ from: "early", data: { n: 3 } }]);
  await outbound.close();
  await inbound.close();
});

test("TCP port 0 binds a real port and reports it", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen({ kind: "tcp", host: "127.0.0.1", port: 0 });
  assert.equal(address.kind, "tcp");
  assert.ok((address as { port: number }).port > 0);
  await inbound.close();
});
