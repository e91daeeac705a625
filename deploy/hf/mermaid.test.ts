/**
 * `hydro graph` of a `.hf` program draws the graph the same program built with the Graph API draws:
 * the same nodes, edges, in-out trees and strata. Only the labels differ: a .hf operator is
 * labelled as the file writes it (`flat_map(…)`), the Graph API's by its method (`flatMap(…)`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { compileHf } from "./compile.js";
import { Graph } from "../../runtime/dataflow/graph.js";
import { repoRoot, tempDir } from "../../test/helpers.js";

/**
 * A picture's shape, whatever order its nodes were made in: per in-out tree (by stratum), its
 * operators by name (`flat_map` and `flatMap` alike) with pull or push; and every edge between
 * operators named so, with its port label and whether it is a handoff.
 */
function shape(mermaid: string): string[] {
  const names = new Map<string, string>();
  const trees: string[] = [];
  let tree = "";
  for (const line of mermaid.split("\n")) {
    const subgraph = /^subgraph \S+ \["\S+ (stratum \d+)"\]/.exec(line);
    if (subgraph) tree = subgraph[1]!;
    const node = /^\s*(n\d+)\[.*?<code>([A-Za-z_]+)[^<]*<\/code>.*:::(\w+)/.exec(line);
    if (node) {
      const name = node[2]!.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
      names.set(node[1]!, name);
      trees.push(`${tree}: ${name} ${node[3]}`);
    }
  }
  const edges = mermaid
    .split("\n")
    .flatMap((line) => {
      const edge = /^\s*(n\d+)(-->|==>)(\|"[^"]*"\|)?(n\d+)/.exec(line);
      return edge ? [`${names.get(edge[1]!)} ${edge[2]}${edge[3] ?? ""} ${names.get(edge[4]!)}`] : [];
    })
    .map((edge) => edge.replace(/\[(\d)\]join/, "[$1]join"));
  return [...trees.sort(), ...edges.sort()];
}

test("the seed's reachability graph: the same picture from the .hf program as from the Graph API, up to labels", async () => {
  const hf = `reached = union();
    source_iter([0]) -> reached;
    reached -> map((v) => [v, null]) -> [0]step;
    source_iter([[0, 1], [1, 2], [2, 0]]) -> [1]step;
    step = join() -> flat_map(([src, [, dst]]) => [src, dst]) -> tee();
    step -> reached;
    step -> unique() -> for_each((x) => x);`;
  const { code } = compileHf(hf, "reachability.hf", { as: "builder", runtime: path.join(repoRoot, "runtime", "index.ts") });
  const file = path.join(tempDir("hydro-hf-mermaid-"), "builder.mts");
  fs.writeFileSync(file, code);
  const { default: build } = (await import(pathToFileURL(file).href)) as { default: (g: Graph) => void };
  const fromHf = new Graph({ name: "reachability" });
  build(fromHf);

  const byHand = new Graph({ name: "reachability" });
  const reached = byHand.union<number>();
  byHand.sourceIter([0]).to(reached);
  const step = byHand.join<number, null, number>();
  reached.map((v) => [v, null] as const).to(step.in[0]);
  byHand
    .sourceIter<readonly [number, number]>([
      [0, 1],
      [1, 2],
      [2, 0],
    ])
    .to(step.in[1]);
  const tee = step.flatMap(([src, [, dst]]) => [src, dst]).tee();
  tee.to(reached);
  tee.unique().forEach((x) => x);

  const picture = fromHf.toMermaid();
  const expected = shape(byHand.toMermaid());
  assert.ok(expected.length > 10);
  assert.deepEqual(shape(picture), expected);
  assert.match(picture, /<code>flat_map\(\(\[src, \[, dst\]\]\) =&gt; \[src, dst\]\)<\/code>/);
  assert.match(picture, /subgraph sg_0 \["sg_0 stratum 0"\]/);
});
