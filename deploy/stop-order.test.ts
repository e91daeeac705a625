import { test } from "node:test";
import assert from "node:assert/strict";
import { stopOrder } from "./stop-order.js";
import { PortRef, type Edge, type WiredNode } from "./ports.js";

const owner = { wire: () => {} };
const node = (name: string): WiredNode => ({ name, wireKind: "framed", host: undefined, listensAfter: "bind", owner, describe: () => name });
const edge = (from: WiredNode, to: WiredNode): Edge => ({
  from: new PortRef(from, "out"),
  to: new PortRef(to, "in"),
  mode: "direct",
  key: to.name,
  token: "t",
  site: undefined,
});
const names = (waves: WiredNode[][]) => waves.map((wave) => wave.map((n) => n.name));

test("senders stop before their receivers; a chain is a wave per link", () => {
  const [a, b, c] = ["a", "b", "c"].map(node) as [WiredNode, WiredNode, WiredNode];
  assert.deepEqual(names(stopOrder([c, b, a], [edge(a, b), edge(b, c)])), [["a"], ["b"], ["c"]]);
});

test("nodes that send to each other stop together, after whoever sends to them and before whom they send to", () => {
  const [script, server, client, log] = ["script", "server", "client", "log"].map(node) as WiredNode[];
  const waves = stopOrder([script!, server!, client!, log!], [edge(script!, server!), edge(server!, client!), edge(client!, server!), edge(client!, log!)]);
  assert.deepEqual(names(waves), [["script"], ["server", "client"], ["log"]]);
});

test("independent chains stop in parallel, unwired nodes in the first wave, in declaration order", () => {
  const [a, b, x, y, lone] = ["a", "b", "x", "y", "lone"].map(node) as WiredNode[];
  const waves = stopOrder([lone!, x!, a!, y!, b!], [edge(a!, b!), edge(x!, y!), edge(a!, a!)]);
  assert.deepEqual(names(waves), [
    ["lone", "x", "a"],
    ["y", "b"],
  ]);
});

test("a wave waits for the longest path: a receiver reached by a short and a long chain stops after the long one", () => {
  const [a, b, c, d] = ["a", "b", "c", "d"].map(node) as WiredNode[];
  assert.deepEqual(names(stopOrder([a!, b!, c!, d!], [edge(a!, d!), edge(a!, b!), edge(b!, c!), edge(c!, d!)])), [["a"], ["b"], ["c"], ["d"]]);
});
