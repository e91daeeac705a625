import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Received } from "hydro-deploy/runtime";
import { channel } from "../../runtime/dataflow/test-channel.js";
import { Clock } from "./versioned.js";
import { Store } from "./store.js";
import { ANTI_ENTROPY_ROUNDS, replicaGraph } from "./replica-flow.js";
import type { PeerMessage } from "./messages.js";

const GOSSIP_MS = 20;

/**
 * Replicas in this process, their peer ports replaced by channels; a stopped replica receives
 * nothing, and neither does one in `unreachable` (as while its peers' connections to it are down).
 */
function replicaSet(names: string[]) {
  const running = new Map<string, { store: Store; inbox: ReturnType<typeof channel<Received<PeerMessage>>>; stop(): Promise<void> }>();
  const unreachable = new Set<string>();
  /** Replicas cut off from the rest, both ways (a partition): what they send each other is dropped. */
  const isolated = new Set<string>();
  const deliver = (from: string, to: string, data: PeerMessage) => {
    if (unreachable.has(to) || isolated.has(from) !== isolated.has(to)) return;
    running.get(to)?.inbox.send({ from, data: structuredClone(data) });
  };
  const start = (name: string) => {
    const store = new Store(new Clock(names.indexOf(name)));
    const inbox = channel<Received<PeerMessage>>();
    const copies = names.filter((other) => other !== name);
    const { graph } = replicaGraph({
      store,
      peers: inbox.items,
      copies,
      send: (message, to) => {
        for (const peer of to === undefined ? copies : [to]) deliver(name, peer, message);
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
  return {
    start,
    unreachable,
    isolated,
    stop: (name: string) => running.get(name)!.stop(),
    stopAll: () => Promise.all([...running.values()].map((replica) => replica.stop())),
  };
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

  test("a restarted replica whose first joins go unanswered (its peers cannot reach it yet) asks again until it has every copy's table", async () => {
    const set = replicaSet(["r0", "r1", "r2"]);
    const [r0, r1] = ["r0", "r1", "r2"].map(set.start);
    try {
      r0!.write("before", "1");
      r1!.write("also", "2");
      await eventually(() => r0!.get("also") === "2" && r1!.get("before") === "1", "r0 and r1 agree");
      await set.stop("r2");
      set.unreachable.add("r2");
      const fresh = set.start("r2");
      // Several gossip rounds with every answer lost: nothing written since, so no delta brings it either.
      await new Promise((resolve) => setTimeout(resolve, 5 * GOSSIP_MS));
      assert.equal(fresh.size, 0);
      set.unreachable.delete("r2");
      await eventually(() => fresh.get("before") === "1" && fresh.get("also") === "2", "r2 caught up once reachable");
    } finally {
      await set.stopAll();
    }
  });

  test("after a partition heals, writes whose gossip it dropped reach the other side by anti-entropy, with no write since", async () => {
    const set = replicaSet(["r0", "r1", "r2"]);
    const [r0, r1, r2] = ["r0", "r1", "r2"].map(set.start);
    try {
      set.isolated.add("r2");
      for (let i = 0; i < 50; i++) (i % 2 ? r0 : r2)!.write(`key:${i}`, `side ${i % 2}`);
      r0!.write("both", "majority");
      r2!.write("both", "minority, later");
      await new Promise((resolve) => setTimeout(resolve, 3 * GOSSIP_MS));
      assert.equal(r1!.get("key:0"), null, "the majority did not hear the minority");
      set.isolated.delete("r2");
      const agree = () =>
        [r0, r1, r2].every((store) => Array.from({ length: 50 }, (_, i) => store!.get(`key:${i}`) === `side ${i % 2}`).every(Boolean)) &&
        [r0, r1, r2].every((store) => store!.get("both") === "minority, later");
      await eventually(agree, "every replica holds both sides' writes, and the later write of 'both'", 30 * ANTI_ENTROPY_ROUNDS * GOSSIP_MS);
      assert.deepEqual(r1!.digest(), r2!.digest());
    } finally {
      await set.stopAll();
    }
  });
});
