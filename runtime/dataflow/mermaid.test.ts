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

  test("an in-out tree pulls its sources and what feeds a merge; from the pivot on it pushes", () => {
    const g = new Graph();
    const numbers = g.sourceIter([1]).map((n) => n + 1);
    numbers.forEach(() => {});
    numbers.forEach(() => {});
    const fanOut = g.toMermaid();
    assert.match(fanOut, /n0\[\\".*:::pullClass/);
    assert.match(fanOut, /n1\[\/".*:::pushClass/);
    assert.match(fanOut, /n2\[\/".*:::pushClass/);
    assert.match(fanOut, /n3\[\/".*:::pushClass/);

    const h = new Graph();
    const both = h.union<number>();
    h.sourceIter([1])
      .map((n) => n * 2)
      .to(both);
    h.sourceIter([2]).to(both);
    both.filter((n) => n > 1).forEach(() => {});
    const merge = h.toMermaid();
    for (const pull of ["sourceIter", "map", "union"]) assert.match(merge, new RegExp(`\\[\\\\"\\(n\\d+\\) <code>${pull}\\(.*:::pullClass`));
    for (const push of ["filter", "forEach"]) assert.match(merge, new RegExp(`\\[/"\\(n\\d+\\) <code>${push}\\(.*:::pushClass`));
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
