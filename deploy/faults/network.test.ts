/**
 * Network faults on a running deployment, through real programs and sockets: the script's own
 * port sends numbers to a relay service (test/fixtures/relay.ts), which sends each back. A fault on
 * script → relay is applied by the script's port; one on relay → script by the relay's runtime,
 * told over its control channel.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Deployment } from "../deployment.js";
import { ConfigError, HydroError, TornDownError } from "../errors.js";
import { addReporter, type DeployEvent } from "../events.js";
import { eventually, fixture } from "../../test/helpers.js";
import type { Received } from "../../runtime/inbound.js";

type NetworkEvent = Extract<DeployEvent, { type: "network" }>;

/** A relay wired both ways to the script: `send` out, `back` in. */
function relayed(d: Deployment) {
  const relay = d.service({ src: fixture("relay.ts"), on: d.localhost(), name: "relay" });
  const script = d.external({ name: "script" });
  script.ports.send!.connect(relay.ports.inbound!);
  relay.ports.outbound!.connect(script.ports.back!);
  return { relay, script };
}

/** Reads a port in the background; `next(quietMs)` is what came since the last call, once nothing came for quietMs. */
function collect(back: AsyncIterable<Received<{ n: number }>>) {
  const got: Array<{ n: number; at: number }> = [];
  let taken = 0;
  void (async () => {
    for await (const { data } of back) got.push({ n: data.n, at: performance.now() });
  })();
  return {
    async next(quietMs: number): Promise<number[]> {
      let seen = -1;
      while (seen !== got.length) {
        seen = got.length;
        await new Promise((resolve) => setTimeout(resolve, quietMs));
      }
      return got.slice(taken, (taken = got.length)).map(({ n }) => n);
    },
    got,
  };
}

function recordNetwork(): { events: NetworkEvent[]; stop(): void } {
  const events: NetworkEvent[] = [];
  const stop = addReporter((event) => void (event.type === "network" ? events.push(event) : undefined));
  return { events, stop };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("network faults", () => {
  test("partition cuts both ways and counts per edge; heal lets messages through again; each change is an event with its time", async () => {
    const d = new Deployment();
    const { relay, script } = relayed(d);
    const recorded = recordNetwork();
    try {
      await d.deploy();
      const back = collect(script.ports.back!);
      for (const n of range(0, 5)) script.ports.send!.send({ n });
      assert.deepEqual(await back.next(300), range(0, 5));

      const before = Date.now();
      const partition = await d.network.partition(relay, script);
      assert.ok(partition.setAt! >= before);
      for (const n of range(5, 15)) script.ports.send!.send({ n });
      assert.deepEqual(await back.next(300), [], "nothing crosses a partition");
      // Every edge a fault covers is counted, one that carried nothing too.
      assert.deepEqual(await d.network.counts(), [
        { from: "script", port: "send", to: "relay", toPort: "inbound", dropped: 10, delayed: 0 },
        { from: "relay", port: "outbound", to: "script", toPort: "back", dropped: 0, delayed: 0 },
      ]);

      await d.network.heal();
      assert.ok(partition.clearedAt! >= partition.setAt!);
      for (const n of range(15, 20)) script.ports.send!.send({ n });
      assert.deepEqual(await back.next(300), range(15, 20));
      assert.deepEqual(d.network.faults, []);

      // One way: what the relay sends is cut by its own runtime; what the script sends gets through.
      await d.network.partition(relay, script, { bothWays: false });
      for (const n of range(20, 25)) script.ports.send!.send({ n });
      assert.deepEqual(await back.next(300), []);
      const counts = await d.network.counts();
      assert.deepEqual(
        counts.find((edge) => edge.from === "relay"),
        { from: "relay", port: "outbound", to: "script", toPort: "back", dropped: 5, delayed: 0 },
      );
      await d.network.heal();

      assert.deepEqual(
        recorded.events.map((event) => [event.action, event.description, event.edges]),
        [
          ["partition", "partition relay | script", 2],
          ["heal", "heal: cleared partition relay | script", 2],
          ["partition", "partition relay → script", 1],
          ["heal", "heal: cleared partition relay → script", 1],
        ],
      );
      const times = recorded.events.map((event) => event.at);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      assert.equal(times[0], partition.setAt);
    } finally {
      recorded.stop();
      await d.teardown();
    }
  });

  test("loss: the same seed drops the same messages in another run; counts say how many", async () => {
    const survivorsOf = async () => {
      const d = new Deployment();
      const { relay, script } = relayed(d);
      try {
        await d.deploy();
        const back = collect(script.ports.back!);
        const fault = await d.network.loss(relay, script, { p: 0.3, seed: 11 });
        assert.equal(fault.seed, 11);
        for (const n of range(0, 2000)) script.ports.send!.send({ n });
        const survivors = await back.next(500);
        const [counts] = await d.network.counts();
        assert.deepEqual(counts, { from: "relay", port: "outbound", to: "script", toPort: "back", dropped: 2000 - survivors.length, delayed: 0 });
        return survivors;
      } finally {
        await d.teardown();
      }
    };
    const first = await survivorsOf();
    assert.ok(first.length > 1200 && first.length < 1600, `${first.length} of 2000 survived a loss of 0.3`);
    assert.deepEqual(
      first,
      [...first].sort((a, b) => a - b),
      "in order",
    );
    assert.deepEqual(await survivorsOf(), first, "the same messages survive with the same seed");
  });

  test("delay: what the relay sends waits at least ms, at most ms + jitterMs more than it would, in order", async () => {
    const d = new Deployment();
    const { relay, script } = relayed(d);
    try {
      await d.deploy();
      const back = collect(script.ports.back!);
      await d.network.delay(relay, script, { ms: 150, jitterMs: 100 });
      const sentAt: number[] = [];
      for (const n of range(0, 100)) {
        sentAt.push(performance.now());
        script.ports.send!.send({ n });
        if (n % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(await back.next(500), range(0, 100), "every message, in order");
      const waits = back.got.map(({ n, at }) => at - sentAt[n]!);
      assert.ok(Math.min(...waits) >= 150, `shortest round trip ${Math.min(...waits).toFixed(1)} ms`);
      const [counts] = await d.network.counts();
      assert.equal(counts!.delayed, 100);
      assert.equal(counts!.dropped, 0);
    } finally {
      await d.teardown();
    }
  });

  test("faults outlive a sender's restart (the new run starts with them) and are counted over both runs; one set while it is down applies at restart", async () => {
    const d = new Deployment();
    const { relay, script } = relayed(d);
    try {
      await d.deploy();
      const back = collect(script.ports.back!);
      await d.network.partition(relay, script, { bothWays: false });
      for (const n of range(0, 5)) script.ports.send!.send({ n });
      assert.deepEqual(await back.next(300), []);
      assert.equal((await d.network.counts())[0]!.dropped, 5);
      relay.kill();
      await relay.exitCode();
      await relay.restart();
      // The script's port redials the new run (with backoff): what it sends before is dropped as unreachable, not by the fault.
      await eventually(() => script.ports.send!.stats.relay!.connected, 10_000, "the script's port to reconnect");
      for (const n of range(5, 10)) script.ports.send!.send({ n });
      assert.deepEqual(await back.next(300), [], "the restarted run is cut too");
      assert.deepEqual(await d.network.counts(), [{ from: "relay", port: "outbound", to: "script", toPort: "back", dropped: 10, delayed: 0 }]);
      await d.network.heal();

      relay.kill();
      await relay.exitCode();
      await d.network.partition(relay, script, { bothWays: false });
      await relay.restart();
      await eventually(() => script.ports.send!.stats.relay!.connected, 10_000, "the script's port to reconnect");
      for (const n of range(10, 15)) script.ports.send!.send({ n });
      assert.deepEqual(await back.next(300), [], "set while it was down, applied as it started");
      await d.network.heal();
      for (const n of range(15, 20)) script.ports.send!.send({ n });
      assert.deepEqual(await back.next(300), range(15, 20));
    } finally {
      await d.teardown();
    }
  });

  test("hostile use: one line each, naming the call and what is wrong; nothing is set", async () => {
    const d = new Deployment({ name: "faulty" });
    const { relay, script } = relayed(d);
    const lonely = d.service({ src: fixture("relay.ts"), on: d.localhost(), name: "lonely" });
    const raw = d.process({ name: "raw", command: ["sleep", "600"], on: d.localhost() });
    const other = new Deployment({ name: "other" });
    const stranger = other.service({ src: fixture("relay.ts"), on: other.localhost(), name: "stranger" });
    await assert.rejects(
      () => d.network.partition(relay, script),
      (error: Error) => error instanceof HydroError && /partition\(\): faulty is not running yet \(after deploy\(\) only\)$/.test(error.message),
    );
    try {
      await d.deploy();
      const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
        ["p above 1", () => d.network.loss(relay, script, { p: 1.5 }), /network\.test\.ts:\d+:\d+: loss\(\): p: .*<=1/],
        ["p below 0", () => d.network.loss(relay, script, { p: -0.1 }), /loss\(\): p: .*>=0/],
        ["p NaN", () => d.network.loss(relay, script, { p: NaN }), /loss\(\): p: /],
        ["p missing", () => d.network.loss(relay, script, {} as never), /loss\(\): p: .*number/],
        ["negative delay", () => d.network.delay(relay, script, { ms: -5 }), /delay\(\): ms: .*>=0/],
        ["infinite delay", () => d.network.delay(relay, script, { ms: Infinity }), /delay\(\): ms: /],
        ["jitter as a string", () => d.network.delay(relay, script, { ms: 5, jitterMs: "5" as never }), /delay\(\): jitterMs: .*number/],
        ["fractional seed", () => d.network.loss(relay, script, { p: 0.1, seed: 1.5 }), /loss\(\): seed: .*int/],
        ["unknown option", () => d.network.delay(relay, script, { ms: 5, direction: "both" } as never), /delay\(\): .*direction/],
        ["empty group", () => d.network.partition([], script), /partition\(\): first group: the group is empty/],
        ["in both groups", () => d.network.partition([relay, script], relay), /partition\(\): service "relay" on localhost is in both groups/],
        [
          "a name, not a handle",
          () => d.network.partition("relay" as never, script),
          /first group: expected a program, a cluster or an external endpoint of faulty, got the string "relay"/,
        ],
        ["a host", () => d.network.partition(d.localhost() as never, script), /first group: expected a program, .* got an object of class/],
        [
          "another deployment's program",
          () => d.network.partition(stranger, script),
          /first group: service "stranger" on localhost belongs to another deployment \(other\), not faulty/,
        ],
        ["a process()", () => d.network.partition(raw, relay), /first group: process "raw" .*talks raw TCP: faults act on hydro ports/],
        [
          "no edge between",
          () => d.network.partition(lonely, script),
          /partition\(\): no port of lonely is connected to one of script \(or back\): there is no edge to act on/,
        ],
        ["no edge this way", () => d.network.delay(relay, lonely, { ms: 5 }), /delay\(\): no port of relay is connected to one of lonely: there is no edge/],
      ];
      for (const [name, call, expected] of cases) {
        await assert.rejects(call, (error: Error) => {
          assert.ok(error instanceof ConfigError, `${name}: ${error.name}: ${error.message}`);
          assert.match(error.message, expected, name);
          assert.doesNotMatch(error.message, /\n/, `${name}: one line`);
          return true;
        });
      }
      assert.deepEqual(d.network.faults, [], "nothing was set");

      const first = await d.network.delay(relay, script, { ms: 5 });
      await assert.rejects(
        () => d.network.delay([relay], [script, lonely], { ms: 10 }),
        /delay\(\): the edge relay\.outbound → script\.back already has a delay: delay relay → script: 5 ms \(seed \d+\) \(set at .*network\.test\.ts:\d+:\d+\); clear it first/,
      );
      await first.clear();
      await first.clear(); // clearing twice does nothing
      await d.network.delay(relay, script, { ms: 10 });
    } finally {
      await d.teardown();
    }
    await assert.rejects(
      () => d.network.partition(relay, script),
      (error: Error) => error instanceof TornDownError && /partition\(\): given up, faulty is being torn down/.test(error.message),
    );
    await d.network.heal(); // nothing is left to heal: no error
  });

  test("a cluster: a fault between one member and the script leaves the others alone; a whole cluster is a group", async () => {
    const d = new Deployment();
    const relays = d.cluster({ src: fixture("relay.ts"), on: d.localhost(), count: 3, name: "relays" });
    const script = d.external({ name: "script" });
    script.ports.send!.connect(relays.ports.inbound!);
    relays.ports.outbound!.connect(script.ports.back!);
    try {
      await d.deploy();
      const back = collect(script.ports.back!);
      const ask = async () => {
        for (const id of [0, 1, 2]) script.ports.send!.send({ n: id }, { to: id });
        return (await back.next(300)).sort();
      };
      assert.deepEqual(await ask(), [0, 1, 2]);
      const cut = await d.network.partition(relays.members[0]!, script);
      assert.equal(cut.edges.length, 2);
      assert.deepEqual(await ask(), [1, 2]);
      await d.network.partition(relays, script, { bothWays: false });
      assert.deepEqual(await ask(), [], "every member's answers are cut");
      assert.deepEqual(
        d.network.faults.map((fault) => fault.description),
        ["partition relays.0 | script", "partition relays.* → script"],
      );
      await cut.clear();
      assert.deepEqual(await ask(), [], "the cluster-wide cut still holds member 0");
      await d.network.heal();
      assert.deepEqual(await ask(), [0, 1, 2]);
    } finally {
      await d.teardown();
    }
  });

  test("races: fault changes during restarts end with the last state applied; teardown during a change leaves nothing running", async () => {
    const d = new Deployment();
    const { relay, script } = relayed(d);
    try {
      await d.deploy();
      const back = collect(script.ports.back!);
      for (let round = 0; round < 6; round++) {
        const restarted = relay.restart();
        const changed = round % 2 === 0 ? d.network.partition(relay, script, { bothWays: false }) : d.network.heal();
        await Promise.all([restarted, changed]);
        await eventually(() => script.ports.send!.stats.relay!.connected, 10_000, "the script's port to reconnect");
        for (const n of range(round * 10, round * 10 + 5)) script.ports.send!.send({ n });
        const expected = round % 2 === 0 ? [] : range(round * 10, round * 10 + 5);
        assert.deepEqual(await back.next(300), expected, `round ${round}`);
      }
      void d.network.partition(relay, script).catch(() => {});
      const teardown = d.teardown();
      await assert.rejects(() => d.network.heal().then(() => d.network.delay(relay, script, { ms: 1 })), TornDownError);
      await teardown;
    } finally {
      await d.teardown();
    }
    assert.equal(await relay.exitCode().then(() => "exited"), "exited");
  });

  test("a fault change while a restart waits for its run to start does not hold the restart up; a paused sender is not waited for", async () => {
    const d = new Deployment({ readyTimeoutMs: 20_000 });
    const { relay, script } = relayed(d);
    try {
      await d.deploy();
      await d.network.partition(relay, script, { bothWays: false });
      let asking = true;
      // counts() asks the relay's current run for its counts, over and over, while it is restarted.
      const asker = (async () => {
        while (asking) {
          await d.network.counts();
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        await relay.restart();
        assert.ok(performance.now() - started < 10_000, `restart ${round} took ${Math.round(performance.now() - started)} ms`);
      }
      asking = false;
      await asker;

      relay.pause();
      const started = performance.now();
      await d.network.heal();
      assert.ok(performance.now() - started < 5_000, "a paused sender's answer is not waited for");
      relay.resume();
      // counts() waits for the resumed run's answer: by then it has applied the heal.
      await d.network.counts();
      await eventually(() => script.ports.send!.stats.relay!.connected, 10_000, "the script's port to reconnect");
      const back = collect(script.ports.back!);
      script.ports.send!.send({ n: 1 });
      assert.deepEqual(await back.next(300), [1], "healed");
    } finally {
      await d.teardown();
    }
  });
});
