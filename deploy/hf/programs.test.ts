/**
 * `.hf` programs run as deployed programs run (bundled with the .hf plugin, then node), each
 * against the same graph built by hand with the Graph API in this process: their outputs must be
 * the same, line for line. Programs without ports run alone; the echo example runs deployed
 * (test/e2e/hf.test.ts).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { bundle } from "../bundle.js";
import { tempDir } from "../../test/helpers.js";
import { Graph } from "../../runtime/dataflow/graph.js";

/** The lines a `.hf` program prints, run alone. */
async function runHf(text: string): Promise<string[]> {
  const dir = tempDir("hydro-hf-");
  const file = path.join(dir, "program.hf");
  fs.writeFileSync(file, text);
  const built = await bundle(file, "program");
  const result = await execa("node", [built.path], { reject: false });
  assert.equal(result.exitCode, 0, result.stderr);
  return result.stdout.split("\n").filter(Boolean);
}

/** The lines the same graph prints, built by hand and run here. */
async function runByHand(build: (g: Graph, print: (item: unknown) => void) => void): Promise<string[]> {
  const lines: string[] = [];
  const g = new Graph({ name: "by-hand" });
  build(g, (item) => lines.push(JSON.stringify(item)));
  await g.run();
  return lines;
}

const cases: Array<{ name: string; hf: string; byHand: (g: Graph, print: (item: unknown) => void) => void }> = [
  {
    name: "map, filter, flat_map, filter_map, enumerate, inspect",
    hf: `source_iter([1, 2, 3, 4, 5, 6])
      -> map((x) => x * 10)
      -> filter((x) => x !== 30)
      -> flat_map((x) => [x, x + 1])
      -> filter_map((x) => (x % 4 === 0 ? undefined : x))
      -> enumerate()
      -> inspect((pair) => pair)
      -> for_each((item) => console.log(JSON.stringify(item)));`,
    byHand: (g, print) =>
      g
        .sourceIter([1, 2, 3, 4, 5, 6])
        .map((x) => x * 10)
        .filter((x) => x !== 30)
        .flatMap((x) => [x, x + 1])
        .filterMap((x) => (x % 4 === 0 ? undefined : x))
        .enumerate()
        .inspect((pair) => pair)
        .forEach(print),
  },
  {
    name: "the talk's KVS: demux_enum of puts and gets, join::<'static, 'tick>",
    hf: `requests = source_iter([
        { kind: "Put", key: "a", value: 1 },
        { kind: "Get", key: "a" },
        { kind: "Put", key: "b", value: 2 },
        { kind: "Get", key: "b" },
        { kind: "Get", key: "c" },
      ]) -> demux_enum("kind");
      requests[Put] -> map((put) => [put.key, put.value]) -> [0]lookup;
      requests[Get] -> map((get) => [get.key, "client"]) -> [1]lookup;
      lookup = join::<'static, 'tick>() -> for_each((item) => console.log(JSON.stringify(item)));`,
    byHand: (g, print) => {
      const requests = g
        .sourceIter<{ kind: string; key: string; value?: number }>([
          { kind: "Put", key: "a", value: 1 },
          { kind: "Get", key: "a" },
          { kind: "Put", key: "b", value: 2 },
          { kind: "Get", key: "b" },
          { kind: "Get", key: "c" },
        ])
        .partition(["Put", "Get"] as const, (item) => item.kind as "Put" | "Get");
      const lookup = g.join<string, number | undefined, string>({ persistence: ["static", "tick"] });
      requests.Put.map((put) => [put.key, put.value] as const).to(lookup.in[0]);
      requests.Get.map((get) => [get.key, "client"] as const).to(lookup.in[1]);
      lookup.forEach(print);
    },
  },
  {
    name: "tee, union, fold, fold_keyed::<'static>, unique, sort, anti_join, difference, cross_join",
    hf: `numbers = source_iter([3, 1, 2, 3, 1]) -> tee();
      numbers[0] -> fold(() => 0, (sum, x) => sum + x) -> for_each((item) => console.log(JSON.stringify(["sum", item])));
      numbers[1] -> map((x) => [x % 2, x]) -> fold_keyed::<'static>(() => [], (all, x) => [...all, x]) -> for_each((item) => console.log(JSON.stringify(["keyed", item])));
      numbers[2] -> unique() -> sort((a, b) => b - a) -> for_each((item) => console.log(JSON.stringify(["sorted", item])));
      both = union() -> for_each((item) => console.log(JSON.stringify(["union", item])));
      source_iter(["x"]) -> both;
      source_iter(["y"]) -> both;
      source_iter([[1, "one"], [2, "two"]]) -> [pos]anti;
      source_iter([2]) -> [neg]anti;
      anti = anti_join() -> for_each((item) => console.log(JSON.stringify(["anti", item])));
      source_iter([1, 2, 3]) -> [pos]diff;
      source_iter([3]) -> [neg]diff;
      diff = difference() -> for_each((item) => console.log(JSON.stringify(["diff", item])));
      source_iter(["a"]) -> [0]cross;
      source_iter([1, 2]) -> [1]cross;
      cross = cross_join() -> for_each((item) => console.log(JSON.stringify(["cross", item])));`,
    byHand: (g, print) => {
      const numbers = g.sourceIter([3, 1, 2, 3, 1]).tee();
      numbers
        .fold(
          () => 0,
          (sum, x) => sum + x,
        )
        .forEach((item) => print(["sum", item]));
      numbers
        .map((x) => [x % 2, x] as const)
        .foldKeyed(
          () => [] as number[],
          (all, x) => [...all, x],
          { persistence: "static" },
        )
        .forEach((item) => print(["keyed", item]));
      numbers
        .unique()
        .sort((a, b) => b - a)
        .forEach((item) => print(["sorted", item]));
      const both = g.union<string>();
      both.forEach((item) => print(["union", item]));
      g.sourceIter(["x"]).to(both);
      g.sourceIter(["y"]).to(both);
      const anti = g.antiJoin<number, string>();
      g.sourceIter<readonly [number, string]>([
        [1, "one"],
        [2, "two"],
      ]).to(anti.pos);
      g.sourceIter([2]).to(anti.neg);
      anti.forEach((item) => print(["anti", item]));
      const diff = g.difference<number>();
      g.sourceIter([1, 2, 3]).to(diff.pos);
      g.sourceIter([3]).to(diff.neg);
      diff.forEach((item) => print(["diff", item]));
      const cross = g.crossJoin<string, number>();
      g.sourceIter(["a"]).to(cross.in[0]);
      g.sourceIter([1, 2]).to(cross.in[1]);
      cross.forEach((item) => print(["cross", item]));
    },
  },
];

describe(".hf programs run like the same graph built by hand", () => {
  for (const { name, hf, byHand } of cases) {
    test(name, async () => {
      const [fromHf, fromGraph] = await Promise.all([runHf(hf), runByHand(byHand)]);
      assert.ok(fromGraph.length > 0);
      assert.deepEqual([...fromHf].sort(), [...fromGraph].sort());
    });
  }

  test("a runtime error's stack trace points at the .hf line and column", async () => {
    const dir = tempDir("hydro-hf-");
    const file = path.join(dir, "throws.hf");
    fs.writeFileSync(file, "// line 1\nsource_iter([1])\n  -> map((x) => { throw new Error(`bad ${x}`); })\n  -> null();\n");
    const built = await bundle(file, "program");
    const result = await execa("node", [built.path], { reject: false });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /Error: bad 1\n\s+at .*throws\.hf:3:\d+/);
  });
});
