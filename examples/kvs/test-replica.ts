import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import type { Received } from "hydro-deploy/runtime";
import { channel } from "../../runtime/dataflow/test-channel.js";
import { Clock } from "./versioned.js";
import { Store } from "./store.js";
import { replicaGraph } from "./replica-flow.js";
import { listenResp } from "./resp-server.js";
import type { RequestLimits } from "./resp.js";
import type { PeerMessage } from "./messages.js";

/** For tests: one replica, in this process, serving Redis on a free loopback port; no peers. */
export async function startReplica(options: { limits?: RequestLimits } = {}) {
  const store = new Store(new Clock(0));
  const peers = channel<Received<PeerMessage>>();
  const { graph, requests } = replicaGraph({ store, peers: peers.items, copies: [], send: () => {}, gossipMs: 60_000 });
  const server = await listenResp({ host: "127.0.0.1", port: 0, limits: options.limits, submit: (request) => requests.send(request) });
  const running = graph.run();
  return {
    store,
    port: Number(server.address.split(":")[1]),
    async close() {
      await server.close();
      graph.stop();
      peers.close();
      await running;
    },
  };
}

/** A TCP port on 127.0.0.1, or a Unix socket's path. */
export type ServerAddress = number | string;

const connectTo = (address: ServerAddress) => (typeof address === "number" ? net.connect(address, "127.0.0.1") : net.connect(address));

/** For tests: Debian's redis-server on a Unix socket, configured as the store describes itself (CONFIG GET, one database). */
export async function startRedisServer(): Promise<{ socketPath: string; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvs-redis-"));
  const socketPath = path.join(dir, "redis.sock");
  const server = execa("redis-server", ["--port", "0", "--unixsocket", socketPath, "--save", "", "--appendonly", "no", "--databases", "1", "--dir", dir], {
    reject: false,
  });
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => (server.kill("SIGKILL"), reject(new Error(`redis-server not ready within 10 s:\n${seen}`))), 10_000);
    // "Ready to accept connections tcp", or "… now ready to accept connections at <path>" with a socket only.
    server.stdout!.on("data", (chunk: Buffer) => /ready to accept connections/i.test((seen += chunk.toString())) && (clearTimeout(timer), resolve()));
    void server.then((result) => reject(new Error(`redis-server exited before it was ready:\n${result.stdout}\n${result.stderr}`)));
  });
  return {
    socketPath,
    async close() {
      server.kill("SIGTERM");
      await server;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends `requests` (encoded commands) in one write, then an ECHO of a marker, and returns every
 * byte that came back before the marker's reply: the replies to `requests` alone, however many
 * bytes they are. Stops early if the server hangs up (`closed`); rejects after 5 s.
 */
export function converse(address: ServerAddress, requests: string): Promise<{ reply: string; closed: boolean }> {
  const marker = `end-of-conversation-${Math.random().toString(36).slice(2)}`;
  const markerReply = `$${marker.length}\r\n${marker}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connectTo(address);
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of the conversation within 5 s; received ${JSON.stringify(received.slice(0, 500))}`));
    }, 5_000);
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply: closed ? received : received.slice(0, -markerReply.length), closed });
    };
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.endsWith(markerReply)) finish(false);
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => {});
    socket.write(requests + `*2\r\n$4\r\nECHO\r\n${markerReply}`, "latin1");
  });
}

/**
 * Writes `chunks` to the server one by one and collects what comes back until `expected` bytes
 * arrived (or the server hung up, or 5 s passed). `closed`: whether the server hung up.
 */
export function exchange(address: ServerAddress, chunks: readonly (string | Buffer)[], expectedBytes: number): Promise<{ reply: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connectTo(address);
    const received: Buffer[] = [];
    let length = 0;
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      // A hang-up right after the last byte is part of the answer: wait a moment for it.
      setTimeout(() => {
        socket.destroy();
        resolve({ reply: Buffer.concat(received), closed });
      }, 50);
    };
    const timer = setTimeout(finish, 5_000);
    socket.on("data", (chunk) => {
      received.push(chunk);
      length += chunk.length;
      if (length >= expectedBytes) finish();
    });
    socket.on("end", () => (closed = true));
    socket.on("close", () => ((closed = true), finish()));
    socket.on("error", () => {});
    socket.on("connect", async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((next) => setImmediate(next));
      }
    });
  });
}
