import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "./graph.js";

describe("partition into in-out trees", () => {
  // examples/kvs runs each command in a map after a demux and relies on this order; moving such
  // maps past the handoffs into the union (where their tuples would cost nothing) would break it.
  test("maps after a fan-out run in the order their items arrived, not branch by branch", () => {
    const g = new Graph();
    const ran: string[] = [];
    const run = (command: string) => (ran.push(command), command);
    const byKind = g
      .sourceIter(["get a", "set a", "get b", "set b"])
      .demux<{ get: string; set: string }>(["get", "set"], (command, out) => (command.startsWith("get") ? out.get(command) : out.set(command)));
    byKind.get
      .map(run)
      .union(byKind.set.map(run))
      .forEach(() => {});
    g.runAvailable();
    assert.deepEqual(ran, ["get a", "set a", "get b", "set b"]);
  });
});
