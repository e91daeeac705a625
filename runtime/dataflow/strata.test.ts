import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "./graph.js";
import { StratificationError } from "./strata.js";

function stratumOf(graph: Graph, kind: string): number {
  const plan = graph.plan();
  return plan.strata[plan.nodes.find((n) => n.spec.kind === kind)!.id]!;
}

describe("strata", () => {
  test("streaming operators share stratum 0; each blocking input adds one", () => {
    const g = new Graph();
    g.sourceIter([3, 1, 2])
      .map((n) => n * 2)
      .sort()
      .fold(
        () => 0,
        (a, n) => a + n,
      )
      .forEach(() => {});
    assert.equal(stratumOf(g, "map"), 0);
    assert.equal(stratumOf(g, "sort"), 1);
    assert.equal(stratumOf(g, "fold"), 2);
    assert.equal(stratumOf(g, "forEach"), 2);
  });

  test("a recursive cycle of streaming operators is one stratum", () => {
    const g = new Graph();
    const loop = g.union<number>();
    g.sourceIter([0]).to(loop);
    loop
      .map((n) => n + 1)
      .filter((n) => n < 3)
      .to(loop);
    const plan = g.plan();
    assert.deepEqual(new Set(plan.strata), new Set([0]));
  });

  test("a cycle through negation is rejected, naming the operators on it", () => {
    const g = new Graph();
    const items = g.union<number>();
    g.sourceIter([1, 2]).to(items);
    const notSeen = items.difference(items.map((n) => n + 1));
    notSeen.map((n) => n * 10).to(items);
    assert.throws(
      () => g.plan(),
      (error: unknown) => {
        assert.ok(error instanceof StratificationError);
        assert.match(error.message, /negation of difference#\d+/);
        assert.deepEqual(
          error.cycle.map((name) => name.replace(/#\d+/, "")),
          ["difference", "map", "union", "map", "difference"],
        );
        return true;
      },
    );
  });

  test("a cycle through a blocking fold is rejected too", () => {
    const g = new Graph();
    const loop = g.union<number>();
    g.sourceIter([1]).to(loop);
    loop
      .fold(
        () => 0,
        (a, n) => a + n,
      )
      .to(loop);
    assert.throws(() => g.compile(), /blocking input of fold#\d+.*fold#\d+ → union#\d+ → fold#\d+/);
  });

  test("deferTick breaks a negative cycle", () => {
    const g = new Graph();
    const items = g.union<number>();
    g.sourceIter([1, 2]).to(items);
    items
      .difference(items.map((n) => n + 1))
      .map((n) => n * 10)
      .deferTick()
      .to(items);
    assert.doesNotThrow(() => g.plan());
    assert.ok(stratumOf(g, "difference") > stratumOf(g, "union"));
  });
});
