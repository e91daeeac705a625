import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { z } from "zod";
import { Inbound } from "./inbound.js";
import { helloFrame } from "./hello.js";
import { Outbound } from "./outbound.js";
import { UnknownReceiverError } from "./index.js";
import { encodeFrame } from "./framing.js";
import { Message, socketAddress, take, sender, targetFor, rawSender } from "./port-test-kit.js";

test("messages from several senders arrive tagged with each sender's name (merge)", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress(), ["a", "b", "c"].map(sender));
  const senders = ["a", "b", "c"].map((name) => ({ name, port: new Outbound<{ n: number }>("out") }));
  await Promise.all(senders.map(({ name, port }) => port.connect([targetFor("receiver", address, name)])));
  senders.forEach(({ port }, i) => port.send({ n: i }));
  const received = await take(inbound, 3);
  assert.deepEqual(received.map((message) => `${message.from}:${message.data.n}`).sort(), ["a:0", "b:1", "c:2"]);
  await Promise.all(senders.map(({ port }) => port.close()));
  await inbound.close();
});

test("one sender reaches the receiver named by `to` (demux), in order", async () => {
  const receivers = ["left", "right"].map((key) => ({ key, port: new Inbound("in", Message) }));
  const targets = await Promise.all(receivers.map(async ({ key, port }) => targetFor(key, await port.listen(socketAddress(), [sender("sender")]), "sender")));
  const outbound = new Outbound<{ n: number }>("out");
  await outbound.connect(targets);
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
  await outbound.close();
  await Promise.all(receivers.map(({ port }) => port.close()));
});

test("send() to no known receiver throws an UnknownReceiverError the program catches, and the port keeps sending", async () => {
  const receivers = ["left", "right"].map((key) => ({ key, port: new Inbound("in", Message) }));
  const targets = await Promise.all(receivers.map(async ({ key, port }) => targetFor(key, await port.listen(socketAddress(), [sender("sender")]), "sender")));
  const outbound = new Outbound<{ n: number }>("out");
  await outbound.connect(targets);
  assert.throws(
    () => outbound.send({ n: 0 }, { to: "middle" }),
    (error: unknown) => {
      assert.ok(error instanceof UnknownReceiverError);
      assert.deepEqual({ port: error.port, to: error.to, receivers: error.receivers }, { port: "out", to: "middle", receivers: ["left", "right"] });
      assert.equal(error.message, "port 'out' has no receiver 'middle'; its receivers are: left, right");
      return true;
    },
  );
  assert.throws(() => outbound.send({ n: 0 }), {
    name: "UnknownReceiverError",
    message: "port 'out' has several receivers (left, right): say which with send(data, { to })",
  });
  outbound.send({ n: 1 }, { to: "right" });
  assert.deepEqual(await take(receivers[1]!.port, 1), [{ from: "sender", data: { n: 1 } }]);
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
  const address = await inbound.listen(socketAddress(), [sender("raw")]);
  const socket = await rawSender(address);
  socket.write(encodeFrame(Buffer.from(JSON.stringify({ n: "not a number" }))));
  socket.write(encodeFrame(Buffer.from("{broken json")));
  socket.write(encodeFrame(Buffer.from(JSON.stringify({ n: 7 }))));
  const [message] = await take(inbound, 1);
  assert.deepEqual(message, { from: "raw", data: { n: 7 } });
  assert.deepEqual(inbound.stats, { received: 1, bytes: 4 + JSON.stringify({ n: 7 }).length, invalid: 1, badFrames: 1, refused: 0, stalled: 0 });
  socket.destroy();
  await inbound.close();
});

test("a schema that throws counts the message as invalid instead of crashing", async () => {
  const inbound = new Inbound(
    "in",
    z.string().transform((text) => JSON.parse(text) as unknown),
  );
  const address = await inbound.listen(socketAddress(), [sender("raw")]);
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
  const address = await inbound.listen(socketAddress(), [sender("bad"), sender("good")]);
  const bad = await rawSender(address, "bad");
  const closed = new Promise((resolve) => bad.once("close", resolve));
  bad.write(encodeFrame(Buffer.alloc(65)));
  await closed;
  const good = new Outbound<{ n: number }>("out");
  await good.connect([targetFor("in", address, "good")]);
  good.send({ n: 1 });
  assert.deepEqual(await take(inbound, 1), [{ from: "good", data: { n: 1 } }]);
  assert.equal(inbound.stats.badFrames, 1);
  await good.close();
  await inbound.close();
});

/** Hellos a receiver must refuse: none of them carries a credential it was given. */
const forgedHellos: Array<[string, Buffer]> = [
  ["a message instead of a hello", Buffer.from(JSON.stringify({ n: 1 }))],
  ["a hello naming a wired sender without its token", Buffer.from(JSON.stringify({ hydro: 1, from: "good" }))],
  ["a hello with another port's token", helloFrame("token-of-someone-else")],
  ["a hello with an empty token", helloFrame("")],
  ["a hello with the token as a number", Buffer.from(JSON.stringify({ hydro: 1, token: 12345 }))],
  ["a hello of another protocol version", Buffer.from(JSON.stringify({ hydro: 2, token: "token-of-good" }))],
  ["not JSON", Buffer.from("\u0000\u0001 hello")],
];

for (const [what, hello] of forgedHellos) {
  test(`a connection that opens with ${what} is refused and counted, and wired senders keep flowing`, async () => {
    const inbound = new Inbound("in", Message);
    const address = await inbound.listen(socketAddress(), [sender("good")]);
    const good = new Outbound<{ n: number }>("out");
    await good.connect([targetFor("in", address, "good")]);
    const socket = net.connect((address as { path: string }).path);
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.on("error", () => {});
    socket.write(encodeFrame(hello));
    socket.write(encodeFrame(Buffer.from(JSON.stringify({ n: 666 }))));
    await closed;
    good.send({ n: 1 });
    assert.deepEqual(await take(inbound, 1), [{ from: "good", data: { n: 1 } }]);
    assert.equal(inbound.stats.refused, 1);
    assert.equal(inbound.stats.received, 1);
    await good.close();
    await inbound.close();
  });
}

test("a sender started before its receiver connects once the receiver binds", async () => {
  const address = socketAddress();
  const outbound = new Outbound<{ n: number }>("out");
  const connecting = outbound.connect([targetFor("late", address, "early")]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const inbound = new Inbound("in", Message);
  await inbound.listen(address, [sender("early")]);
  await connecting;
  outbound.send({ n: 3 });
  assert.deepEqual(await take(inbound, 1), [{ from: "early", data: { n: 3 } }]);
  await outbound.close();
  await inbound.close();
});

test("TCP port 0 binds a real port and reports it", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen({ kind: "tcp", host: "127.0.0.1", port: 0 }, []);
  assert.equal(address.kind, "tcp");
  assert.ok((address as { port: number }).port > 0);
  await inbound.close();
});

test("batches() yields every queued message at once, in order, and ends when the port closes", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress(), [sender("a")]);
  const outbound = new Outbound<{ n: number }>("out");
  await outbound.connect([targetFor("in", address, "a")]);
  for (let n = 0; n < 1000; n++) outbound.send({ n });
  await outbound.flush();
  const sizes: number[] = [];
  const seen: number[] = [];
  for await (const batch of inbound.batches()) {
    sizes.push(batch.length);
    for (const { data } of batch) seen.push(data.n);
    if (seen.length === 1000) void inbound.close();
  }
  assert.deepEqual(
    seen,
    Array.from({ length: 1000 }, (_, n) => n),
  );
  // 1000 messages written in one tick arrive in a few chunks, not one step each.
  assert.ok(sizes.length < 100, `${sizes.length} batches for 1000 messages: ${sizes.join(",")}`);
  await outbound.close();
});

test("two iterators of one port share its messages: each is delivered once", async () => {
  const inbound = new Inbound("in", Message);
  const address = await inbound.listen(socketAddress(), [sender("a")]);
  const outbound = new Outbound<{ n: number }>("out");
  await outbound.connect([targetFor("in", address, "a")]);
  const seen: number[] = [];
  const collect = (n: number) => {
    seen.push(n);
    if (seen.length === 200) void inbound.close();
  };
  const one = (async () => {
    for await (const { data } of inbound) collect(data.n);
  })();
  const batched = (async () => {
    for await (const batch of inbound.batches()) for (const { data } of batch) collect(data.n);
  })();
  for (let n = 0; n < 200; n++) {
    outbound.send({ n });
    if (n % 10 === 0) await outbound.flush();
  }
  await Promise.all([one, batched]);
  assert.deepEqual(
    [...seen].sort((x, y) => x - y),
    Array.from({ length: 200 }, (_, n) => n),
  );
  await outbound.close();
});

test("the msgpack codec carries 10,000 different messages sent in one tick, each intact", async () => {
  const { msgpack } = await import("./msgpack.js");
  const Record = z.object({ n: z.number(), text: z.string(), list: z.array(z.number()), nested: z.object({ ok: z.boolean() }) });
  const inbound = new Inbound("in", Record, { codec: msgpack });
  const address = await inbound.listen(socketAddress(), [sender("a")]);
  const outbound = new Outbound<z.infer<typeof Record>>("out", { codec: msgpack });
  await outbound.connect([targetFor("in", address, "a")]);
  const messages = Array.from({ length: 10_000 }, (_, n) => ({ n, text: "é".repeat(n % 50), list: [n, -(n + 1), n / 3], nested: { ok: n % 2 === 0 } }));
  for (const message of messages) outbound.send(message);
  const received = await take(inbound, messages.length);
  assert.deepEqual(
    received.map((message) => message.data),
    messages,
  );
  assert.equal(inbound.stats.badFrames + inbound.stats.invalid, 0);
  await outbound.close();
  await inbound.close();
});
