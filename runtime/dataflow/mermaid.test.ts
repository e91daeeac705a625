import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "./graph.js";
import { defineSubgraph } from "./named-subgraph.js";
import type { Stream } from "./stream.js";

describe("mermaid pictures", () => {
  test("show each in-out tree as a box with its stratum, and handoffs between them", () => {
    const g = new Graph({ name: "counts" });
    g.sourceIter(["a", "b", "a"])
      .map((w) => [w, 1] as const)
      .foldKeyed(
        () => 0,
        (n, one) => n + one,
      )
      .forEach(() => {});
    const text = g.toMermaid();
    assert.match(text, /^flowchart TD$/m);
    assert.match(text, /^%% counts$/m);
    assert.match(text, /subgraph sg_0 \["sg_0 stratum 0"\]\n(.*\n)*?\s+n0\[\\"\(n0\) <code>sourceIter\(\[3 items\]\)<\/code>"\/\]:::pullClass/);
    assert.match(text, /subgraph sg_1 \["sg_1 stratum 1"\]/);
    assert.match(text, /^n1==>\|"blocking"\|n2$/m);
    assert.match(text, /^ {4}n0-->n1$/m);
  });

  test("label ports, negation and next-tick edges, and escape operator source", () => {
    const g = new Graph();
    const items = g.sourceIter([1, 2]).filter((n) => n > 0 && n < 5);
    items.difference(items.deferTick()).null();
    const text = g.toMermaid();
    assert.match(text, /-\.->\|"next tick"\|/);
    assert.match(text, /\|"\[neg\]difference negated"\|/);
    assert.match(text, /filter\(\(?n\)?\s*=&gt;\s*n\s*&gt;\s*0\s*&amp;&amp;\s*n\s*&lt;\s*5\)/);
    assert.doesNotMatch(text, /<code>[^<]*"[^<]*<\/code>/);
  });

  test("a source or sink with a name (a port) is labelled with it; a sink function with its source", () => {
    const g = new Graph();
    const inbound = Object.assign((async function* () {})(), { name: "inbound" });
    const numbers = g.sourceStream<number>(inbound);
    const outbound = { name: "outbound", send: () => {} };
    numbers.destSink(outbound);
    numbers.destSink((n) => void n);
    const text = g.toMermaid();
    assert.match(text, /<code>sourceStream\(inbound\)<\/code>/);
    assert.match(text, /<code>destSink\(outbound\)<\/code>/);
    assert.match(text, /<code>destSink\(\(?n\)?\s*=&gt;\s*void n\)<\/code>/);
  });

  test("push operators after a fan-out are drawn as push", () => {
    const g = new Graph();
    const numbers = g.sourceIter([1]).map((n) => n + 1);
    numbers.forEach(() => {});
    numbers.forEach(() => {});
    const text = g.toMermaid();
    assert.match(text, /n1\[\\".*:::pullClass/);
    assert.match(text, /n2\[\/".*:::pushClass/);
    assert.match(text, /n3\[\/".*:::pushClass/);
  });

  test("operators built in a named sub-graph carry its name", () => {
    const evens = defineSubgraph("evens", (s: Stream<number>) => s.filter((n) => n % 2 === 0).map((n) => n / 2));
    const g = new Graph();
    evens(g.sourceIter([1, 2, 3, 4])).forEach(() => {});
    const text = g.toMermaid();
    assert.match(text, /<code>evens\/filter\(/);
    assert.match(text, /<code>evens\/map\(/);
    assert.match(text, /<code>forEach\(/);
  });
});
