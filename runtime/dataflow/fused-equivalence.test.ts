import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Graph } from "./graph.js";
import type { Stream } from "./stream.js";
import type { Persistence, PortPersistence } from "./persistence.js";
import { fuseSubgraph } from "./fused.js";
import { channel, delivered } from "./test-channel.js";

/**
 * Random programs over streams of small numbers, each step reading earlier streams by index, run
 * for several ticks. Only order-insensitive operators are used (enumerate keeps only its counter),
 * so fused and interpreted runs must produce the same multiset of items on every stream in every
 * tick.
 */
type Step =
  | { op: "map"; input: number; k: number }
  | { op: "filter"; input: number; k: number }
  | { op: "flatMap"; input: number }
  | { op: "union"; input: number; other: number }
  | { op: "join" | "crossJoin"; input: number; other: number; persistence: PortPersistence; multiset: boolean }
  | { op: "antiJoin" | "difference"; input: number; other: number; persistence: PortPersistence }
  | { op: "fold" | "reduceKeyed" | "unique" | "enumerate" | "sort" | "persist" | "deferTick" | "nextStratum"; input: number; persistence: Persistence }
  | { op: "closure"; input: number; k: number };

/**
 * A source emits `items` in the first tick (`sourceIter`), or is a `sourceStream` fed `batches[t]`
 * before tick t + 1 (a stream's items arrive once the flow has started, so from the second tick on).
 */
type Source = { items: number[] } | { batches: number[][] };

interface Program {
  sources: Source[];
  steps: Step[];
  /**
   * Which streams (sources, then steps) are watched. A watched stream fans out to its watcher, and
   * a fan-out ends a fused in-out tree, so unwatched streams are what keep operators fused together.
   */
  watched: boolean[];
}

const TICKS = 4;
const MAX_SOURCES = 3;
const MAX_STEPS = 12;
const persistence = fc.constantFrom<Persistence>("tick", "static");
const portPersistence = fc.constantFrom<PortPersistence>("tick", "static", ["static", "tick"], ["tick", "static"]);
const index = fc.nat();
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom("map" as const, "filter" as const, "closure" as const), input: index, k: fc.integer({ min: 1, max: 7 }) }),
  fc.record({ op: fc.constant("flatMap" as const), input: index }),
  fc.record({ op: fc.constant("union" as const), input: index, other: index }),
  fc.record({ op: fc.constantFrom("join" as const, "crossJoin" as const), input: index, other: index, persistence: portPersistence, multiset: fc.boolean() }),
  fc.record({ op: fc.constantFrom("antiJoin" as const, "difference" as const), input: index, other: index, persistence: portPersistence }),
  fc.record({
    op: fc.constantFrom(
      "fold" as const,
      "reduceKeyed" as const,
      "unique" as const,
      "enumerate" as const,
      "sort" as const,
      "persist" as const,
      "deferTick" as const,
      "nextStratum" as const,
    ),
    input: index,
    persistence,
  }),
);
const items = fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 6 });
const source: fc.Arbitrary<Source> = fc.oneof(fc.record({ items }), fc.record({ batches: fc.array(items, { minLength: TICKS - 1, maxLength: TICKS - 1 }) }));
const program: fc.Arbitrary<Program> = fc.record({
  sources: fc.array(source, { minLength: 1, maxLength: MAX_SOURCES }),
  steps: fc.array(step, { maxLength: MAX_STEPS }),
  watched: fc.array(fc.boolean(), { minLength: MAX_SOURCES + MAX_STEPS, maxLength: MAX_SOURCES + MAX_STEPS }),
});

const keyed = (s: Stream<number>) => s.map((n) => [n % 4, n] as const);
/** Keeps values in a small domain so that joins and cross joins stay small. */
const small = (s: Stream<number>) => s.map((n) => n % 13).unique();

/** The program's streams, and a function that sends each stream source its batch for a tick. */
function build(g: Graph, { sources, steps }: Program): { streams: Stream<number>[]; feed(tick: number): void } {
  const feeds: Array<(tick: number) => void> = [];
  const streams: Stream<number>[] = sources.map((spec, i) => {
    let source: Stream<number>;
    if ("items" in spec) source = g.sourceIter(spec.items);
    else {
      const input = channel<number>();
      feeds.push((tick) => spec.batches[tick - 1]?.forEach((n) => input.send(n)));
      source = g.sourceStream(input.items);
    }
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
            .join(keyed(small(pick(s.other))), { persistence: s.persistence, multiset: s.multiset })
            .map(([k, [a, b]]) => k + a + b),
        );
        break;
      case "crossJoin":
        streams.push(
          small(input)
            .crossJoin(small(pick(s.other)), { persistence: s.persistence, multiset: s.multiset })
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
      case "enumerate":
        streams.push(input.enumerate(s.persistence).map(([i]) => i));
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
  return { streams, feed: (tick) => feeds.forEach((feed) => feed(tick)) };
}

/** Per tick, per watched stream: the sorted items. */
async function observe(p: Program, fused: boolean): Promise<number[][][]> {
  const g = new Graph();
  const { streams, feed } = build(g, p);
  const watched = streams.filter((_, i) => p.watched[i]);
  const seen: number[][] = watched.map(() => []);
  watched.forEach((s, i) => s.forEach((n) => seen[i]!.push(n)));
  const flow = g.compile({ fused });
  const history: number[][][] = [];
  for (let tick = 0; tick < TICKS; tick++) {
    feed(tick);
    await delivered();
    seen.forEach((items) => (items.length = 0));
    flow.runTick();
    history.push(seen.map((items) => [...items].sort((a, b) => a - b)));
  }
  flow.stop();
  return history;
}

describe("fused and interpreted flows", () => {
  test("compute the same items on every watched stream in every tick, for random graphs fed over several ticks", async () => {
    await fc.assert(
      fc.asyncProperty(program, async (p) => {
        assert.deepEqual(await observe(p, true), await observe(p, false));
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
