// The floor bench/ports compares hydro's ports with: two bare node processes over a unix socket,
// a hand-written 4-byte big-endian length prefix, JSON payloads, the same batching and checks.
//   node bare.mjs receiver SOCKET COUNT     prints `listening`, then `rate <messages/s>`
//   node bare.mjs sender SOCKET COUNT BYTES BATCH
//   node bare.mjs ponger SOCKET             prints `listening`, echoes every frame's message
//   node bare.mjs pinger SOCKET COUNT BYTES WARMUP   prints `p99 <µs>`
import net from "node:net";
import fs from "node:fs";
import { build } from "hdr-histogram-js";

const [role, socketPath, count = "0", bytes = "16", batchOrWarmup = "1000"] = process.argv.slice(2);
const payload = "x".repeat(Math.max(0, Number(bytes) - 2));

/** Calls onMessage with every complete frame's decoded, checked message. */
function frames(socket, onMessage) {
  let pending = Buffer.alloc(0);
  socket.on("data", (chunk) => {
    let data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (data.length - offset >= 4) {
      const end = offset + 4 + data.readUInt32BE(offset);
      if (end > data.length) break;
      const message = JSON.parse(data.toString("utf8", offset + 4, end));
      if (typeof message !== "string") throw new Error("not a string");
      onMessage(message);
      offset = end;
    }
    pending = data.subarray(offset);
  });
}

/** One buffer for a batch of messages: each frame's header and JSON written into it in place. */
function encodeBatch(messages) {
  const texts = messages.map((message) => JSON.stringify(message));
  let size = 0;
  for (const text of texts) size += 4 + Buffer.byteLength(text);
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const text of texts) {
    const length = buffer.write(text, offset + 4);
    buffer.writeUInt32BE(length, offset);
    offset += 4 + length;
  }
  return buffer;
}

function serve(onConnection) {
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer({ noDelay: true }, (socket) => {
    server.close();
    onConnection(socket);
  });
  server.listen(socketPath, () => console.log("listening"));
}

if (role === "receiver") {
  serve((socket) => {
    let received = 0;
    let first = 0;
    frames(socket, () => {
      if (received++ === 0) first = performance.now();
      if (received === Number(count)) {
        console.log(`rate ${((Number(count) - 1) / (performance.now() - first)) * 1000}`);
        process.exit(0);
      }
    });
  });
} else if (role === "ponger") {
  serve((socket) => {
    frames(socket, (message) => socket.write(encodeBatch([message])));
    socket.on("close", () => process.exit(0));
  });
} else if (role === "sender") {
  const socket = net.connect(socketPath);
  socket.setNoDelay(true);
  socket.on("error", () => {});
  socket.once("connect", async () => {
    for (let sent = 0; sent < Number(count);) {
      const batch = Math.min(Number(batchOrWarmup), Number(count) - sent);
      await new Promise((resolve) => socket.write(encodeBatch(new Array(batch).fill(payload)), resolve));
      sent += batch;
    }
    socket.end();
  });
} else if (role === "pinger") {
  const socket = net.connect(socketPath);
  socket.setNoDelay(true);
  const histogram = build();
  const total = Number(batchOrWarmup) + Number(count);
  let done = 0;
  let started = 0;
  const ping = () => {
    started = performance.now();
    socket.write(encodeBatch([payload]));
  };
  frames(socket, () => {
    if (done++ >= Number(batchOrWarmup)) histogram.recordValue(Math.round((performance.now() - started) * 1000));
    if (done < total) return ping();
    console.log(`p99 ${histogram.getValueAtPercentile(99)}`);
    socket.end();
  });
  socket.once("connect", ping);
} else {
  throw new Error(`unknown role '${role}'`);
}
