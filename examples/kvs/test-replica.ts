import net from "node:net";
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
  const { graph, requests } = replicaGraph({ store, peers: peers.items, send: () => {}, gossipMs: 60_000 });
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

/**
 * Writes `chunks` to the server one by one and collects what comes back until `expected` bytes
 * arrived (or the server hung up, or 5 s passed). `closed`: whether the server hung up.
 */
export function exchange(port: number, chunks: readonly (string | Buffer)[], expectedBytes: number): Promise<{ reply: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
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
