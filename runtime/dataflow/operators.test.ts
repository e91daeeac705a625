import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "./graph.js";
import type { Stream } from "./stream.js";
import { Max, SetUnion } from "../lattices/index.js";

/** Builds a graph whose result is `build`'s stream, runs it `ticks` ticks, returns each tick's items. */
function outputs<T>(build: (g: Graph) => Stream<T>, options: { fused: boolean; ticks?: number }): T[][] {
  const g = new Graph();
  const perTick: T[][] = [];
  let current: T[] = [];
  build(g).forEach((item) => current.push(item));
  const flow = g.compile({ fused: options.fused });
  for (let i = 0; i < (options.ticks ?? 1); i++) {
    flow.runTick();
    perTick.push(current);
    current = [];
  }
  return perTick;
}

for (const fused of [true, false]) {
  const run = <T>(build: (g: Graph) => Stream<T>, ticks = 1) => outputs(build, { fused, ticks });
  const once = <T>(build: (g: Graph) => Stream<T>) => run(build)[0]!;

  describe(`operators (${fused ? "fused" : "interpreted"})`, () => {
    test("element types flow through the chain at compile time", () => {
      const g = new Graph();
      const pairs = g.sourceIter<[string, number]>([["a", 1]]);
      const joined: Stream<[string, [number, boolean]]> = pairs.join(g.sourceIter<[string, boolean]>([["a", true]]));
      // @ts-expect-error join needs [key, value] pairs on the left
      g.sourceIter([1]).join(pairs);
      // @ts-expect-error a stream of strings cannot feed a union of numbers
      g.sourceIter(["x"]).to(g.union<number>());
      const out: Array<[string, [number, boolean]]> = [];
      joined.forEach((item) => out.push(item));
      g.plan();
      assert.equal(g.nodes.filter((n) => n.spec.kind === "join").length, 2);
    });

    test("map, filter, filterMap, flatMap and inspect transform item by item", () => {
      const seen: number[] = [];
      const out = once((g) =>
        g
          .sourceIter([1, 2, 3, 4])
          .map((n) => n * 10)
          .filter((n) => n !== 20)
          .filterMap((n) => (n > 10 ? `${n}` : undefined))
          .flatMap((s) => [s, s + "!"])
          .inspect((s) => seen.push(s.length)),
      );
      assert.deepEqual(out, ["30", "30!", "40", "40!"]);
      assert.deepEqual(seen, [2, 3, 2, 3]);
    });

    test("filter with a type guard narrows the element type", () => {
      const out = once((g) =>
        g
          .sourceIter<string | number>([1, "a", 2])
          .filter((x): x is number => typeof x === "number")
          .map((n) => n + 1),
      );
      assert.deepEqual(out, [2, 3]);
    });

    test("enumerate counts per tick by default, or across ticks with 'static", () => {
      const build = (persistence?: "static") => (g: Graph) => g.sourceIter(["a", "b"]).persist().enumerate(persistence);
      assert.deepEqual(run(build(), 2), [
        [
          [0, "a"],
          [1, "b"],
        ],
        [
          [0, "a"],
          [1, "b"],
        ],
      ]);
      assert.deepEqual(run(build("static"), 2), [
        [
          [0, "a"],
          [1, "b"],
        ],
        [
          [2, "a"],
          [3, "b"],
        ],
      ]);
    });

    test("union merges streams and a stream used twice feeds both uses (tee)", () => {
      const out = once((g) => {
        const numbers = g.sourceIter([1, 2]).tee();
        return numbers.map((n) => n * 10).union(numbers, g.sourceIter([7]));
      });
      assert.deepEqual(
        out.sort((a, b) => a - b),
        [1, 2, 7, 10, 20],
      );
    });

    test("demux routes to named outputs with their own types", () => {
      type Message = { kind: "put"; key: string; value: number } | { kind: "get"; key: string };
      const g = new Graph();
      const { put, get } = g
        .sourceIter<Message>([
          { kind: "put", key: "a", value: 1 },
          { kind: "get", key: "a" },
          { kind: "put", key: "b", value: 2 },
        ])
        .demux<{ put: [string, number]; get: string }>(["put", "get"], (m, out) => (m.kind === "put" ? out.put([m.key, m.value]) : out.get(m.key)));
      const puts: Array<[string, number]> = [];
      const gets: string[] = [];
      put.forEach((p) => puts.push(p));
      get.forEach((k) => gets.push(k));
      g.compile({ fused }).runTick();
      assert.deepEqual(puts, [
        ["a", 1],
        ["b", 2],
      ]);
      assert.deepEqual(gets, ["a"]);
    });

    test("partition sends each item to the output its function names", () => {
      const g = new Graph();
      const { even, odd } = g.sourceIter([1, 2, 3, 4]).partition(["even", "odd"], (n) => (n % 2 === 0 ? "even" : "odd"));
      const evens: number[] = [];
      const odds: number[] = [];
      even.forEach((n) => evens.push(n));
      odd.forEach((n) => odds.push(n));
      g.compile({ fused }).runTick();
      assert.deepEqual(
        [evens, odds],
        [
          [2, 4],
          [1, 3],
        ],
      );
    });

    test("join has set semantics; the multiset variant keeps duplicates", () => {
      const build = (multiset: boolean) => (g: Graph) =>
        g
          .sourceIter<[string, number]>([
            ["k", 1],
            ["k", 1],
            ["z", 9],
          ])
          .join(g.sourceIter<[string, string]>([["k", "x"]]), { multiset });
      assert.deepEqual(once(build(false)), [["k", [1, "x"]]]);
      assert.deepEqual(once(build(true)), [
        ["k", [1, "x"]],
        ["k", [1, "x"]],
      ]);
    });

    test("join compares keys and values by structure, not identity", () => {
      const out = once((g) =>
        g
          .sourceIter<[[number, number], { v: number }]>([
            [[1, 2], { v: 1 }],
            [[1, 2], { v: 1 }],
          ])
          .join(g.sourceIter<[[number, number], string]>([[[1, 2], "r"]])),
      );
      assert.deepEqual(out, [
        [
          [1, 2],
          [{ v: 1 }, "r"],
        ],
      ]);
    });

    test("join set semantics hold in big buckets and in buckets mixing primitives and records", () => {
      const big = [...Array.from({ length: 20 }, (_, i) => i), 3, 19, 0];
      const mixed = [1, "\u0001o{}", { v: 1 }, 1, { v: 1 }, {}, "\u0001o{}"];
      const out = once((g) =>
        g
          .sourceIter([...big.map((v) => ["big", v] as const), ...mixed.map((v) => ["mixed", v] as const)])
          .join(g.sourceIter([["big", "x"] as const, ["mixed", "x"] as const]))
          .map(([key, [v]]) => [key, v]),
      );
      assert.deepEqual(out, [...Array.from({ length: 20 }, (_, i) => ["big", i]), ["mixed", 1], ["mixed", "\u0001o{}"], ["mixed", { v: 1 }], ["mixed", {}]]);
    });

    test("a 'static join replays earlier ticks' pairs with their tuple keys", () => {
      const out = run(
        (g) =>
          g.sourceIter<[[number, number], string]>([[[1, 2], "a"]]).join(g.sourceIter<[[number, number], string]>([[[1, 2], "b"]]), { persistence: "static" }),
        2,
      );
      assert.deepEqual(out, [
        [
          [
            [1, 2],
            ["a", "b"],
          ],
        ],
        [
          [
            [1, 2],
            ["a", "b"],
          ],
        ],
      ]);
    });

    test("crossJoin pairs every item with every item", () => {
      const out = once((g) => g.sourceIter([1, 2]).crossJoin(g.sourceIter(["a", "b"])));
      assert.deepEqual(out.sort(), [
        [1, "a"],
        [1, "b"],
        [2, "a"],
        [2, "b"],
      ]);
    });

    test("antiJoin keeps pairs whose key is not negated; 'static neg remembers keys", () => {
      const build = (persistence: "tick" | ["tick", "static"]) => (g: Graph) =>
        g
          .sourceIter<[string, number]>([
            ["a", 1],
            ["b", 2],
          ])
          .persist()
          .antiJoin(g.sourceIter(["a"]), { persistence });
      assert.deepEqual(run(build("tick"), 2), [
        [["b", 2]],
        [
          ["a", 1],
          ["b", 2],
        ],
      ]);
      assert.deepEqual(run(build(["tick", "static"]), 2), [[["b", 2]], [["b", 2]]]);
    });

    test("reduce emits nothing without input; fold emits its initial value", () => {
      assert.deepEqual(
        run((g) => g.sourceIter([2, 5, 3]).reduce((a, b) => Math.max(a, b)), 2),
        [[5], []],
      );
      assert.deepEqual(
        run(
          (g) =>
            g.sourceIter([2, 5]).fold(
              () => 1,
              (a, b) => a * b,
            ),
          2,
        ),
        [[10], [1]],
      );
    });

    test("foldKeyed and reduceKeyed group by key; 'static keeps groups across ticks", () => {
      const pairs: Array<[string, number]> = [
        ["a", 1],
        ["b", 2],
        ["a", 3],
      ];
      assert.deepEqual(
        once((g) =>
          g.sourceIter(pairs).foldKeyed(
            () => [] as number[],
            (list, n) => [...list, n],
          ),
        ),
        [
          ["a", [1, 3]],
          ["b", [2]],
        ],
      );
      assert.deepEqual(
        run((g) => g.sourceIter(pairs).reduceKeyed((x, y) => x + y, { persistence: "static" }), 2),
        [
          [
            ["a", 4],
            ["b", 2],
          ],
          [
            ["a", 4],
            ["b", 2],
          ],
        ],
      );
    });

    test("unique drops repeats within a tick, or forever with 'static", () => {
      assert.deepEqual(
        run((g) => g.sourceIter([1, 1, 2]).persist().unique(), 2),
        [
          [1, 2],
          [1, 2],
        ],
      );
      assert.deepEqual(
        run((g) => g.sourceIter([1, 1, 2]).persist().unique("static"), 2),
        [[1, 2], []],
      );
    });

    test("sort orders the tick's items, naturally or by a comparator", () => {
      assert.deepEqual(
        once((g) => g.sourceIter([3, 1, 2]).sort()),
        [1, 2, 3],
      );
      assert.deepEqual(
        once((g) => g.sourceIter(["bb", "a", "ccc"]).sort((x, y) => y.length - x.length)),
        ["ccc", "bb", "a"],
      );
    });

    test("persist replays everything seen so far at every tick", () => {
      assert.deepEqual(
        run((g) => g.sourceIter(["x"]).persist(), 3),
        [["x"], ["x"], ["x"]],
      );
    });

    test("latticeFold merges into bottom; latticeReduce never mutates its inputs", () => {
      assert.deepEqual(
        run(
          (g) =>
            g
              .sourceIter([new Max(3), new Max(9), new Max(4)])
              .latticeFold(Max.bottom)
              .map((m) => m.value),
          2,
        ),
        [[9], [-Infinity]],
      );
      const first = new SetUnion([1]);
      const out = once((g) =>
        g
          .sourceIter([first, new SetUnion([2])])
          .latticeReduce()
          .map((s) => [...s.values()]),
      );
      assert.deepEqual(out, [[1, 2]]);
      assert.deepEqual([...first.values()], [1]);
    });

    test("nextStratum moves what follows after everything before it", () => {
      const order: string[] = [];
      const g = new Graph();
      const numbers = g.sourceIter([1, 2]);
      numbers.nextStratum().forEach((n) => order.push(`late ${n}`));
      numbers.forEach((n) => order.push(`early ${n}`));
      g.compile({ fused }).runTick();
      assert.deepEqual(order, ["early 1", "early 2", "late 1", "late 2"]);
    });

    test("destSink sends to an object with send() or to a function; null drops", () => {
      const port: number[] = [];
      const fn: number[] = [];
      const g = new Graph();
      const numbers = g.sourceIter([1, 2]);
      numbers.destSink({ send: (n: number) => void port.push(n) });
      numbers.destSink((n) => fn.push(n));
      numbers.null();
      g.compile({ fused }).runTick();
      assert.deepEqual(
        [port, fn],
        [
          [1, 2],
          [1, 2],
        ],
      );
    });

    test("initialize emits once, in the first tick", () => {
      assert.deepEqual(
        run((g) => g.initialize().map(() => "hello"), 2),
        [["hello"], []],
      );
    });

    test("sourceInterval emits timestamps while the flow runs", async () => {
      const g = new Graph();
      const stamps: number[] = [];
      g.sourceInterval(2).forEach((t) => stamps.push(t));
      const flow = g.compile({ fused });
      const running = flow.run();
      for (const deadline = Date.now() + 2000; stamps.length < 3 && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      flow.stop();
      await running;
      assert.ok(stamps.length >= 3, `only ${stamps.length} ticks of the interval`);
      assert.ok(stamps.every((t, i) => i === 0 || t >= stamps[i - 1]!));
    });
  });
}
