import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "./graph.js";
import type { Stream } from "./stream.js";
import type { Flow } from "./flow.js";
import { channel, delivered } from "./test-channel.js";

/** Items a stream emits, grouped by the tick (as `clock` tells it) that emitted them. */
function recordByTick<T>(clock: () => number, stream: Stream<T>): Map<number, T[]> {
  const byTick = new Map<number, T[]>();
  stream.forEach((item) => {
    const tick = clock();
    byTick.set(tick, [...(byTick.get(tick) ?? []), item]);
  });
  return byTick;
}

function sorted<T>(items: readonly T[] | undefined): T[] {
  return [...(items ?? [])].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

for (const fused of [true, false]) {
  describe(`scheduling (${fused ? "fused" : "interpreted"})`, () => {
    const compile = (graph: Graph) => graph.compile({ fused });
    /** A graph, and a clock reading the tick of the flow compiled from it later. */
    const setup = () => {
      const graph = new Graph();
      let flow: Flow | undefined;
      return { graph, clock: () => flow!.currentTick, start: () => (flow = compile(graph)) };
    };

    test("reachability over a cyclic graph runs recursion to fixpoint in one tick", () => {
      const g = new Graph();
      const edges = g.sourceIter<[number, number]>([
        [0, 1],
        [1, 2],
        [2, 0],
        [2, 3],
        [3, 4],
        [5, 6],
        [6, 0],
      ]);
      const reached = g.union<number>();
      g.sourceIter([0]).to(reached);
      reached
        .map((v) => [v, null] as const)
        .join(edges)
        .map(([, [, next]]) => next)
        .to(reached);
      const out: number[] = [];
      reached.unique().forEach((v) => out.push(v));
      const flow = compile(g);
      flow.runAvailable();
      assert.deepEqual(out.sort(), [0, 1, 2, 3, 4]);
      assert.equal(flow.currentTick, 1);
    });

    test("stratified negation: anti-join sees the complete negative side of the tick", () => {
      const g = new Graph();
      const edges = g.sourceIter<[string, string]>([
        ["a", "b"],
        ["b", "c"],
        ["x", "y"],
      ]);
      const reached = g.union<string>();
      g.sourceIter(["a"]).to(reached);
      reached
        .map((v) => [v, null] as const)
        .join(edges)
        .map(([, [, to]]) => to)
        .to(reached);
      // Vertices never reached from "a": the negative side is a recursive result.
      const all = edges.flatMap(([from, to]) => [[from, null] as const, [to, null] as const]);
      const out: string[] = [];
      all
        .antiJoin(reached)
        .map(([v]) => v)
        .forEach((v) => out.push(v));
      const plan = g.plan({ fused });
      const antiJoin = plan.nodes.find((n) => n.spec.kind === "antiJoin")!;
      const union = plan.nodes.find((n) => n.spec.kind === "union")!;
      assert.ok(plan.strata[antiJoin.id]! > plan.strata[union.id]!);
      compile(g).runAvailable();
      assert.deepEqual(sorted(out), ["x", "y"]);
    });

    test("an anti-join fed through nextStratum sees the complete negative side before any item", () => {
      const g = new Graph();
      const out: Array<readonly [number, string]> = [];
      g.sourceIter<[number, string]>([
        [1, "a"],
        [2, "b"],
      ])
        .nextStratum()
        .antiJoin(g.sourceIter([1]))
        .forEach((item) => out.push(item));
      compile(g).runTick();
      assert.deepEqual(out, [[2, "b"]]);
    });

    test("join keeps 'tick state for one tick and 'static state for the flow's life", () => {
      for (const [persistence, expected] of [
        [
          "tick",
          [
            [
              [7, [1, 0]],
              [7, [2, 0]],
            ],
            [],
            [],
          ],
        ],
        [
          "static",
          [
            [
              [7, [1, 0]],
              [7, [2, 0]],
            ],
            [
              [7, [1, 0]],
              [7, [1, 1]],
              [7, [2, 0]],
              [7, [2, 1]],
            ],
            6,
          ],
        ],
      ] as const) {
        const { graph: g, clock, start } = setup();
        const right = g.union<[number, number]>();
        g.sourceIter<[number, number]>([[7, 0]]).to(right);
        g.sourceIter<[number, number]>([[7, 1]])
          .deferTick()
          .to(right);
        g.sourceIter<[number, number]>([[7, 2]])
          .deferTick()
          .deferTick()
          .to(right);
        const joined = g
          .sourceIter<[number, number]>([
            [7, 1],
            [7, 2],
          ])
          .join(right, { persistence });
        const byTick = recordByTick(clock, joined);
        start().runAvailable();
        assert.deepEqual(sorted(byTick.get(0)), expected[0]);
        assert.deepEqual(sorted(byTick.get(1)), expected[1]);
        if (persistence === "static") assert.equal(byTick.get(2)?.length, expected[2]);
        else assert.deepEqual(byTick.get(2) ?? [], expected[2]);
      }
    });

    test("join with one 'static side matches that side's history against the other's tick", () => {
      const { graph: g, clock, start } = setup();
      const right = g.union<[number, number]>();
      g.sourceIter<[number, number]>([[7, 0]]).to(right);
      g.sourceIter<[number, number]>([[7, 1]])
        .deferTick()
        .to(right);
      const joined = g.sourceIter<[number, number]>([[7, 1]]).join(right, { persistence: ["static", "tick"] });
      const byTick = recordByTick(clock, joined);
      start().runAvailable();
      assert.deepEqual(byTick.get(0), [[7, [1, 0]]]);
      assert.deepEqual(byTick.get(1), [[7, [1, 1]]]);
    });

    test("a 'static join emits a streamed-in pair once in the tick it arrives, then once per later tick", async () => {
      const input = channel<[number, string]>();
      const { graph: g, clock, start } = setup();
      const joined = g.sourceIter<[number, string]>([[7, "a"]]).join(g.sourceStream(input.items), { persistence: "static" });
      const byTick = recordByTick(clock, joined);
      const flow = start();
      flow.runTick();
      input.send([7, "b"]);
      await delivered();
      flow.runTick();
      flow.runTick();
      flow.stop();
      assert.deepEqual(byTick.get(0), undefined);
      assert.deepEqual(byTick.get(1), [[7, ["a", "b"]]]);
      assert.deepEqual(byTick.get(2), [[7, ["a", "b"]]]);
    });

    test("a 'static difference emits an item arriving through nextStratum once in its tick, then once per later tick", () => {
      const { graph: g, clock, start } = setup();
      const kept = g
        .sourceIter([1, 2])
        .nextStratum()
        .difference(g.sourceIter([2]), { persistence: "static" });
      const byTick = recordByTick(clock, kept);
      const flow = start();
      flow.runTick();
      flow.runTick();
      assert.deepEqual(byTick.get(0), [1]);
      assert.deepEqual(byTick.get(1), [1]);
    });

    test("fold across ticks: 'tick restarts every tick, 'static accumulates and re-emits", () => {
      const input = channel<number>();
      const { graph: g, clock, start } = setup();
      const numbers = g.sourceStream(input.items);
      const perTick = recordByTick(
        clock,
        numbers.fold(
          () => 0,
          (sum, n) => sum + n,
        ),
      );
      const total = recordByTick(
        clock,
        numbers.fold(
          () => 0,
          (sum, n) => sum + n,
          { persistence: "static" },
        ),
      );
      const flow = start();
      return (async () => {
        flow.runTick();
        input.send(1);
        input.send(2);
        await delivered();
        flow.runTick();
        flow.runTick();
        input.send(10);
        await delivered();
        flow.runTick();
        flow.stop();
        assert.deepEqual([...perTick.values()].flat(), [0, 3, 0, 10]);
        assert.deepEqual([...total.values()].flat(), [0, 3, 3, 13]);
      })();
    });

    test("deferTick delivers in the next tick: a flip-flop alternates", () => {
      const { graph: g, clock, start } = setup();
      const state = g.union<boolean>();
      g.sourceIter([true]).to(state);
      state
        .map((b) => !b)
        .deferTick()
        .to(state);
      const seen = recordByTick(clock, state);
      const flow = start();
      for (let i = 0; i < 4; i++) flow.runTick();
      assert.deepEqual(
        [...seen.entries()],
        [
          [0, [true]],
          [1, [false]],
          [2, [true]],
          [3, [false]],
        ],
      );
    });

    test("deferTick with difference drops items seen in the previous tick", () => {
      const input = channel<number>();
      const { graph: g, clock, start } = setup();
      const items = g.sourceStream(input.items).tee();
      const fresh = recordByTick(clock, items.difference(items.deferTick()));
      const flow = start();
      return (async () => {
        flow.runTick();
        for (const batch of [
          [1, 2, 3],
          [3, 4],
          [4, 5],
        ]) {
          batch.forEach((n) => input.send(n));
          await delivered();
          flow.runTick();
        }
        flow.stop();
        assert.deepEqual([...fresh.values()], [[1, 2, 3], [4], [5]]);
      })();
    });

    test("runAvailable stops when nothing is waiting; a later call does nothing", () => {
      const g = new Graph();
      const out: number[] = [];
      g.sourceIter([1, 2])
        .deferTick()
        .forEach((n) => out.push(n));
      const flow = compile(g);
      flow.runAvailable();
      assert.equal(flow.currentTick, 2);
      flow.runAvailable();
      assert.equal(flow.currentTick, 2);
      assert.deepEqual(out, [1, 2]);
    });

    test("run() is woken by external input and returns once every source has ended", async () => {
      const input = channel<string>();
      const g = new Graph();
      const out: string[] = [];
      g.sourceStream(input.items)
        .map((s) => s.toUpperCase())
        .forEach((s) => out.push(s));
      const flow = compile(g);
      const done = flow.run();
      input.send("a");
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(out, ["A"]);
      input.send("b");
      input.close();
      await done;
      assert.deepEqual(out, ["A", "B"]);
    });

    test("sourceChannel: what is sent before compiling arrives in the first tick, later sends wake run(), close ends it", async () => {
      const { graph, clock, start } = setup();
      const [items, sender] = graph.sourceChannel<string>();
      const byTick = recordByTick(clock, items);
      sender.send("early");
      const flow = start();
      const done = flow.run();
      await delivered();
      sender.send("a");
      sender.send("b");
      await delivered();
      sender.send("c");
      sender.close();
      sender.send("after close");
      await done;
      const ticks = [...byTick.entries()];
      assert.deepEqual(ticks[0], [0, ["early"]]);
      assert.deepEqual(
        ticks.slice(1).map(([, batch]) => batch),
        [["a", "b"], ["c"]],
        "each burst of sends is one tick",
      );
    });

    test("stop() ends run() even while a source is still open", async () => {
      const input = channel<number>();
      const g = new Graph();
      g.sourceStream(input.items).null();
      const flow = compile(g);
      const done = flow.run();
      setTimeout(() => flow.stop(), 5);
      await done;
      assert.ok(flow.currentTick >= 1);
    });

    test("an error thrown by an operator rejects run()", async () => {
      const g = new Graph();
      g.sourceIter([1]).forEach(() => {
        throw new Error("boom");
      });
      await assert.rejects(compile(g).run(), /boom/);
    });

    test("an error from a stream source rejects run()", async () => {
      const g = new Graph();
      g.sourceStream(
        (async function* () {
          yield 1;
          throw new Error("port closed badly");
        })(),
      ).null();
      await assert.rejects(compile(g).run(), /port closed badly/);
    });
  });
}
