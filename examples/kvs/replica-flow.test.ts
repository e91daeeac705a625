import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Received } from "hydro-deploy/runtime";
import { channel } from "../../runtime/dataflow/test-channel.js";
import { Clock } from "./versioned.js";
import { Store } from "./store.js";
import { replicaGraph } from "./replica-flow.js";
import type { PeerMessage } from "./messages.js";

const GOSSIP_MS = 20;

/** Replicas in this process, their peer ports replaced by channels; a stopped replica receives nothing. */
function replicaSet(names: string[]) {
  const running = new Map<string, { store: Store; inbox: ReturnType<typeof channel<Received<PeerMessage>>>; stop(): Promise<void> }>();
  const deliver = (from: string, to: string, data: PeerMessage) => running.get(to)?.inbox.send({ from, data: structuredClone(data) });
  const start = (name: string) => {
    const store = new Store(new Clock(names.indexOf(name)));
    const inbox = channel<Received<PeerMessage>>();
    const { graph } = replicaGraph({
      store,
      peers: inbox.items,
      send: (message, to) => {
        for (const peer of to === undefined ? names.filter((other) => other !== name) : [to]) deliver(name, peer, message);
      },
      gossipMs: GOSSIP_MS,
    });
    const done = graph.run();
    const stop = async () => {
      running.delete(name);
      graph.stop();
      inbox.close();
      await done;
    };
    running.set(name, { store, inbox, stop });
    return store;
  };
  return { start, stop: (name: string) => running.get(name)!.stop(), stopAll: () => Promise.all([...running.values()].map((replica) => replica.stop())) };
}

async function eventually(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("replica dataflow", () => {
  test("a write on one replica reaches the others by gossip", async () => {
    const set = replicaSet(["r0", "r1", "r2"]);
    const [r0, r1, r2] = ["r0", "r1", "r2"].map(set.start);
    try {
      r0!.write("k", "v");
      await eventually(() => r1!.get("k") === "v" && r2!.get("k") === "v", "r1 and r2 read k = v");
    } finally {
      await set.stopAll();
    }
  });

  test("a replica stopped and started afresh asks for the tables and catches up, tombstones included", async () => {
    const set = replicaSet(["r0", "r1", "r2"]);
    const [r0, r1] = ["r0", "r1", "r2"].map(set.start);
    try {
      r0!.write("before", "1");
      r0!.write("gone", "x");
      await eventually(() => r1!.get("gone") === "x", "r1 has 'gone'");
      await set.stop("r2");
      // While r2 is down: writes it never hears gossip of.
      r1!.write("during", "2");
      r0!.write("gone", null);
      await new Promise((resolve) => setTimeout(resolve, 3 * GOSSIP_MS));
      const fresh = set.start("r2");
      await eventually(() => fresh.get("before") === "1" && fresh.get("during") === "2", "the restarted r2 has what was written before and during its absence");
      assert.equal(fresh.get("gone"), null);
      assert.equal(fresh.size, 2);
    } finally {
      await set.stopAll();
    }
  });
});
