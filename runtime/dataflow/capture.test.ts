import { test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "./graph.js";
import { beginGraphCapture, endGraphCapture, isCapturingGraphs } from "./capture.js";

test("under graph capture, graphs register as they are built and running them starts nothing", async () => {
  const capture = beginGraphCapture();
  try {
    assert.equal(isCapturingGraphs(), true);
    const g = new Graph({ name: "captured" });
    const seen: number[] = [];
    g.sourceIter([1, 2]).forEach((n) => seen.push(n));
    await g.run();
    g.runAvailable();
    assert.deepEqual(seen, []);
    assert.deepEqual(
      capture.graphs.map((graph) => graph.name),
      ["captured"],
    );
    assert.match(capture.graphs[0]!.toMermaid(), /sourceIter/);
  } finally {
    endGraphCapture();
  }
  assert.equal(isCapturingGraphs(), false);
  const g = new Graph();
  const seen: number[] = [];
  g.sourceIter([1]).forEach((n) => seen.push(n));
  g.runAvailable();
  assert.deepEqual(seen, [1]);
});
