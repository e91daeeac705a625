/**
 * A `.hf` program and the same graph written with the Graph API compute the same thing, on random
 * inputs, with the .hf program's graph fused and unfused: the compiler's output (hf/codegen.ts)
 * is imported and run in this process, its input and output passed through globalThis.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { compileHf } from "./compile.js";
import { Graph } from "../../runtime/dataflow/graph.js";
import { repoRoot, tempDir } from "../../test/helpers.js";

interface Input {
  numbers: number[];
  left: Array<[number, number]>;
  right: Array<[number, number]>;
}
type Io = { __hfIn?: Input; __hfOut?: unknown[] };
const io = globalThis as Io;

const dir = tempDir("hydro-hf-equivalence-");
const runtime = path.join(repoRoot, "runtime", "index.ts");
let modules = 0;

/** Runs the compiled program here (a fresh module each time) and returns what it pushed to __hfOut. */
async function runHf(text: string, input: Input, fused: boolean): Promise<unknown[]> {
  const { code } = compileHf(text, "equivalence.hf", { runtime, fused, exitWhenDone: false });
  const file = path.join(dir, `program-${modules++}.mts`);
  fs.writeFileSync(file, code);
  io.__hfIn = input;
  io.__hfOut = [];
  await import(pathToFileURL(file).href);
  return io.__hfOut;
}

async function runByHand(build: (g: Graph, input: Input, out: (item: unknown) => void) => void, input: Input): Promise<unknown[]> {
  const out: unknown[] = [];
  const g = new Graph();
  build(g, input, (item) => out.push(item));
  await g.run();
  return out;
}

const bag = (items: unknown[]) => items.map((item) => JSON.stringify(item)).sort();
const pairs = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -20, max: 20 })), { maxLength: 25 });
const inputs = fc.record({ numbers: fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 40 }), left: pairs, right: pairs });

const programs: Array<{ name: string; hf: string; byHand: (g: Graph, input: Input, out: (item: unknown) => void) => void }> = [
  {
    name: "map, filter, flat_map, unique, sort",
    hf: `source_iter(globalThis.__hfIn.numbers)
      -> map((x) => x * 3) -> filter((x) => x % 2 === 0) -> flat_map((x) => [x, -x])
      -> unique() -> sort((a, b) => a - b) -> for_each((x) => globalThis.__hfOut.push(x));`,
    byHand: (g, input, out) =>
      g
        .sourceIter(input.numbers)
        .map((x) => x * 3)
        .filter((x) => x % 2 === 0)
        .flatMap((x) => [x, -x])
        .unique()
        .sort((a, b) => a - b)
        .forEach(out),
  },
  {
    name: "join, anti_join, difference, cross_join",
    hf: `left = source_iter(globalThis.__hfIn.left) -> tee();
      right = source_iter(globalThis.__hfIn.right) -> tee();
      left[0] -> [0]j; right[0] -> [1]j;
      j = join() -> for_each((x) => globalThis.__hfOut.push(["join", x]));
      left[1] -> [pos]a; right[1] -> map(([k]) => k) -> [neg]a;
      a = anti_join() -> for_each((x) => globalThis.__hfOut.push(["anti", x]));
      left[2] -> map(([k]) => k) -> [pos]d; right[2] -> map(([k]) => k) -> [neg]d;
      d = difference() -> for_each((x) => globalThis.__hfOut.push(["difference", x]));
      left[3] -> map(([k]) => k) -> unique() -> [0]c; source_iter(["x", "y"]) -> [1]c;
      c = cross_join() -> for_each((x) => globalThis.__hfOut.push(["cross", x]));`,
    byHand: (g, input, out) => {
      const left = g.sourceIter(input.left);
      const right = g.sourceIter(input.right);
      left.join(right).forEach((x) => out(["join", x]));
      left.antiJoin(right.map(([k]) => k)).forEach((x) => out(["anti", x]));
      left
        .map(([k]) => k)
        .difference(right.map(([k]) => k))
        .forEach((x) => out(["difference", x]));
      left
        .map(([k]) => k)
        .unique()
        .crossJoin(g.sourceIter(["x", "y"]))
        .forEach((x) => out(["cross", x]));
    },
  },
  {
    name: "fold_keyed, reduce_keyed, fold, reduce, enumerate, union, partition",
    hf: `pairs = source_iter(globalThis.__hfIn.left) -> tee();
      pairs[0] -> fold_keyed(() => 0, (sum, v) => sum + v) -> for_each((x) => globalThis.__hfOut.push(["sums", x]));
      pairs[1] -> reduce_keyed((a, b) => Math.min(a, b)) -> for_each((x) => globalThis.__hfOut.push(["mins", x]));
      pairs[2] -> map(([, v]) => v) -> fold(() => 0, (n) => n + 1) -> for_each((x) => globalThis.__hfOut.push(["count", x]));
      both = union() -> enumerate() -> map(([, x]) => x) -> reduce((a, b) => Math.max(a, b)) -> for_each((x) => globalThis.__hfOut.push(["max", x]));
      pairs[3] -> map(([, v]) => v) -> both;
      source_iter(globalThis.__hfIn.numbers) -> both;
      signs = source_iter(globalThis.__hfIn.numbers) -> partition((x) => (x < 0 ? "negative" : "other"));
      signs[negative] -> for_each((x) => globalThis.__hfOut.push(["negative", x]));
      signs[other] -> null();`,
    byHand: (g, input, out) => {
      const pairs = g.sourceIter(input.left);
      pairs
        .foldKeyed(
          () => 0,
          (sum, v) => sum + v,
        )
        .forEach((x) => out(["sums", x]));
      pairs.reduceKeyed((a, b) => Math.min(a, b)).forEach((x) => out(["mins", x]));
      pairs
        .map(([, v]) => v)
        .fold(
          () => 0,
          (n) => n + 1,
        )
        .forEach((x) => out(["count", x]));
      pairs
        .map(([, v]) => v)
        .union(g.sourceIter(input.numbers))
        .enumerate()
        .map(([, x]) => x)
        .reduce((a, b) => Math.max(a, b))
        .forEach((x) => out(["max", x]));
      const signs = g.sourceIter(input.numbers).partition(["negative", "other"], (x) => (x < 0 ? "negative" : "other"));
      signs.negative.forEach((x) => out(["negative", x]));
      signs.other.null();
    },
  },
  {
    name: "modules used as operators: one module twice, one inside another, several inputs and outputs",
    hf: `module evens(input numbers: Numbers, output kept: Numbers) {
        numbers -> filter((x) => x % 2 === 0) -> kept;
      }
      module scaled(input a: Numbers, output b: Numbers) {
        a -> map((x) => x * 10) -> evens() -> b;
      }
      module split(input items: Numbers, output low: Numbers, output high: Numbers) {
        parts = items -> partition((x) => (x < 0 ? "low" : "high"));
        parts[low] -> low;
        parts[high] -> map((x) => x + 1) -> high;
      }
      source_iter(globalThis.__hfIn.numbers) -> evens() -> scaled() -> for_each((x) => globalThis.__hfOut.push(["scaled", x]));
      s = source_iter(globalThis.__hfIn.numbers) -> split();
      s[low] -> for_each((x) => globalThis.__hfOut.push(["low", x]));
      s[high] -> evens() -> for_each((x) => globalThis.__hfOut.push(["high", x]));`,
    byHand: (g, input, out) => {
      const evens = (s: ReturnType<Graph["sourceIter"]>) => s.filter((x) => (x as number) % 2 === 0);
      evens(evens(g.sourceIter(input.numbers)).map((x) => (x as number) * 10) as never).forEach((x) => out(["scaled", x]));
      const parts = g.sourceIter(input.numbers).partition(["low", "high"], (x) => (x < 0 ? "low" : "high"));
      parts.low.forEach((x) => out(["low", x]));
      parts.high
        .map((x) => x + 1)
        .filter((x) => x % 2 === 0)
        .forEach((x) => out(["high", x]));
    },
  },
];

describe(".hf programs compute what the same Graph API program computes, on random inputs", () => {
  for (const { name, hf, byHand } of programs) {
    test(name, async () => {
      await fc.assert(
        fc.asyncProperty(inputs, async (input) => {
          const expected = bag(await runByHand(byHand, input));
          assert.deepEqual(bag(await runHf(hf, input, true)), expected, "fused");
          assert.deepEqual(bag(await runHf(hf, input, false)), expected, "unfused");
        }),
        { numRuns: 30 },
      );
    });
  }
});
