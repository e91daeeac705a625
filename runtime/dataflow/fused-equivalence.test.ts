import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Graph } from "./graph.js";
import type { Stream } from "./stream.js";
import type { Persistence } from "./persistence.js";
import { fuseSubgraph } from "./fused.js";

/**
 * Random programs over streams of small numbers, each step reading earlier streams by index.
 * Only order-insensitive operators are used, so fused and interpreted runs must produce the
 * same multiset of items on every stream in every tick.
 */
type Step =
  | { op: "map"; input: number; k: number }
  | { op: "filter"; input: number; k: number }
  | { op: "flatMap"; input: number }
  | { op: "union" | "join" | "antiJoin" | "difference" | "crossJoin"; input: number; other: number; persistence: Persistence }
  | { op: "fold" | "reduceKeyed" | "unique" | "sort" | "persist" | "deferTick" | "nextStratum"; input: number; persistence: Persistence }
  | { op: "closure"; input: number; k: number };

interface Program {
  sources: number[][];
  steps: Step[];
}

const persistence = fc.constantFrom<Persistence>("tick", "static");
const index = fc.nat();
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom("map" as const, "filter" as const, "closure" as const), input: index, k: fc.integer({ min: 1, max: 7 }) }),
  fc.record({ op: fc.constant("flatMap" as const), input: index }),
  fc.record({
    op: fc.constantFrom("union" as const, "join" as const, "antiJoin" as const, "difference" as const, "crossJoin" as const),
    input: index,
    other: index,
    persistence,
  }),
  fc.record({
    op: fc.constantFrom(
      "fold" as const,
      "reduceKeyed" as const,
      "unique" as const,
      "sort" as const,
      "persist" as const,
      "deferTick" as const,
      "nextStratum" as const,
    ),
    input: index,
    persistence,
  }),
);
const program: fc.Arbitrary<Program> = fc.record({
  sources: fc.array(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
  steps: fc.array(step, { maxLength: 12 }),
});

const keyed = (s: Stream<number>) => s.map((n) => [n % 4, n] as const);
/** Keeps values in a small domain so that joins and cross joins stay small. */
const small = (s: Stream<number>) => s.map((n) => n % 13).unique();

function build(g: Graph, { sources, steps }: Program): Stream<number>[] {
  const streams: Stream<number>[] = sources.map((items, i) => {
    const source = g.sourceIter(items);
    return i === 0 ? source.persist() : source;
  });
  const pick = (i: number) => streams[i % streams.length]!;
  for (const s of steps) {
    const input = pick(s.input);
    switch (s.op) {
      case "map":
        streams.push(input.map((n) => (n * s.k + 1) % 23));
        break;
      case "filter":
        streams.push(input.filter((n) => n % (s.k + 1) !== 0));
        break;
      case "flatMap":
        streams.push(input.flatMap((n) => [n, n + 1]));
        break;
      case "union":
        streams.push(input.union(pick(s.other)));
        break;
      case "join":
        streams.push(
          keyed(small(input))
            .join(keyed(small(pick(s.other))), { persistence: s.persistence })
            .map(([k, [a, b]]) => k + a + b),
        );
        break;
      case "crossJoin":
        streams.push(
          small(input)
            .crossJoin(small(pick(s.other)), { persistence: s.persistence })
            .map(([a, b]) => (a * b) % 13),
        );
        break;
      case "antiJoin":
        streams.push(
          keyed(input)
            .antiJoin(pick(s.other), { persistence: s.persistence })
            .map(([k, v]) => k * 100 + v),
        );
        break;
      case "difference":
        streams.push(input.difference(pick(s.other), { persistence: s.persistence }));
        break;
      case "fold":
        streams.push(
          input.fold(
            () => 0,
            (a, n) => (a + n) % 1000,
            { persistence: s.persistence },
          ),
        );
        break;
      case "reduceKeyed":
        streams.push(
          keyed(input)
            .reduceKeyed((a, b) => Math.max(a, b), { persistence: s.persistence })
            .map(([k, v]) => k + v),
        );
        break;
      case "unique":
        streams.push(input.unique(s.persistence));
        break;
      case "sort":
        streams.push(input.sort());
        break;
      case "persist":
        streams.push(input.persist());
        break;
      case "deferTick":
        streams.push(input.deferTick());
        break;
      case "nextStratum":
        streams.push(input.nextStratum());
        break;
      case "closure": {
        // Recursion inside a stratum: everything reachable by n → 2n + k (mod 13).
        const reached = g.union<number>();
        input.to(reached);
        const distinct = reached.unique();
        distinct.map((n) => (n * 2 + s.k) % 13).to(reached);
        streams.push(distinct);
        break;
      }
    }
  }
  return streams;
}

/** Per tick, per stream: the sorted items. */
function observe(p: Program, fused: boolean, ticks: number): number[][][] {
  const g = new Graph();
  const seen: number[][] = [];
  const streams = build(g, p);
  streams.forEach((s, i) => s.forEach((n) => seen[i]!.push(n)));
  const flow = g.compile({ fused });
  const history: number[][][] = [];
  for (let t = 0; t < ticks; t++) {
    streams.forEach((_, i) => (seen[i] = []));
    flow.runTick();
    history.push(seen.map((items) => [...items].sort((a, b) => a - b)));
  }
  return history;
}

describe("fused and interpreted flows", () => {
  test("compute the same items on every stream in every tick, for random graphs", () => {
    fc.assert(
      fc.property(program, (p) => {
        assert.deepEqual(observe(p, true, 3), observe(p, false, 3));
      }),
      { numRuns: 300 },
    );
  });

  test("a chain of maps compiles to one loop with the operators inlined", () => {
    const g = new Graph();
    let s = g.sourceIter([1, 2, 3]);
    for (let i = 0; i < 5; i++) s = s.map((n) => n + 1);
    const out: number[] = [];
    s.forEach((n) => out.push(n));
    const plan = g.plan();
    assert.equal(plan.subgraphs.length, 1);
    const runner = fuseSubgraph({ plan, subgraph: 0, handoffs: plan.edges.map(() => undefined), context: { tick: 0 } });
    assert.equal(runner.source.match(/for \(/g)?.length, 1);
    assert.doesNotMatch(runner.source, /\.input\(/);
    runner.run(true);
    assert.deepEqual(out, [6, 7, 8]);
  });
});
