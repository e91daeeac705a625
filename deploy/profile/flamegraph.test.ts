import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { asCpuProfile, topFunctions, type CpuProfile } from "./cpuprofile.js";
import { flamegraphSvg } from "./flamegraph.js";

/**
 * A known profile: (root) calls main (10 ms itself) and render<&> (60 ms); main calls parse
 * (30 ms); (idle) 100 ms; tiny takes 1 µs. Samples 1 ms apart, as V8's deltas.
 */
const frame = (functionName: string, url = "file:///app/src/app.ts", lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });
const known: CpuProfile = {
  startTime: 0,
  endTime: 201_000,
  nodes: [
    { id: 1, callFrame: frame("(root)", ""), children: [2, 4, 5, 6] },
    { id: 2, callFrame: frame("main", "file:///app/src/app.ts", 9), children: [3] },
    { id: 3, callFrame: frame("parse", "file:///app/src/parse.ts", 41) },
    { id: 4, callFrame: frame("render<&>", "file:///app/src/view.ts", 0) },
    { id: 5, callFrame: frame("(idle)", "") },
    { id: 6, callFrame: frame("tiny") },
  ],
  samples: [...Array<number>(10).fill(2), ...Array<number>(30).fill(3), ...Array<number>(60).fill(4), ...Array<number>(100).fill(5), 6],
  timeDeltas: [...Array<number>(200).fill(1000), 1],
};

/** Each bar's label (from its title) and its x and width. */
function bars(svg: string): Map<string, { x: number; y: number; width: number }> {
  const found = new Map<string, { x: number; y: number; width: number }>();
  for (const match of svg.matchAll(/<title>([^<]*): [\d.]+ ms, [\d.]+%<\/title><rect x="([\d.]+)" y="(\d+)" width="([\d.]+)"/g)) {
    found.set(match[1]!, { x: Number(match[2]), y: Number(match[3]), width: Number(match[4]) });
  }
  return found;
}

describe("CPU profiles", () => {
  test("topFunctions: by self time, summed per function, (idle) left out, shares of the whole time", () => {
    assert.deepEqual(topFunctions(known, 3), [
      { label: "render<&> view.ts:1", selfMs: 60, share: 60 / 200.001 },
      { label: "parse parse.ts:42", selfMs: 30, share: 30 / 200.001 },
      { label: "main app.ts:10", selfMs: 10, share: 10 / 200.001 },
    ]);
  });

  test("the flame graph: a bar per call path, as wide as its time, callees above their callers, names escaped, slivers left out", () => {
    const svg = flamegraphSvg(known, "app <profile>");
    const found = bars(svg);
    assert.deepEqual([...found.keys()].sort(), ["(idle)", "all", "main app.ts:10", "parse parse.ts:42", "render&#60;&#38;&#62; view.ts:1"]);
    const all = found.get("all")!;
    const [main, parse, render, idle] = ["main app.ts:10", "parse parse.ts:42", "render&#60;&#38;&#62; view.ts:1", "(idle)"].map((label) => found.get(label)!);
    // Widths in proportion to total time (main: its 10 ms and parse's 30 ms), side by side in call order.
    assert.ok(Math.abs(main!.width / all.width - 40 / 200.001) < 1e-3, String(main!.width));
    assert.ok(Math.abs(render!.width / all.width - 60 / 200.001) < 1e-3, String(render!.width));
    assert.ok(Math.abs(idle!.width / all.width - 100 / 200.001) < 1e-3, String(idle!.width));
    assert.equal(main!.x, all.x);
    assert.ok(Math.abs(render!.x - (main!.x + main!.width)) < 0.02);
    // parse sits on main, one row up; main on the root.
    assert.equal(parse!.x, main!.x);
    assert.ok(parse!.y < main!.y && main!.y < all.y);
    assert.equal(main!.y - parse!.y, all.y - main!.y);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*>/);
    assert.match(svg, />app &#60;profile&#62;<\/text>/);
    assert.doesNotMatch(svg, /tiny/, "a 1 µs bar is narrower than a pixel's third: left out");
  });

  test("asCpuProfile refuses what is not a profile, naming the file", () => {
    for (const junk of [null, 3, {}, { nodes: "x" }, { nodes: [{ id: "1", callFrame: {} }] }, { nodes: [{ id: 1 }] }]) {
      assert.throws(() => asCpuProfile(junk, "x.cpuprofile"), /^Error: x\.cpuprofile is not a V8 CPU profile/);
    }
  });
});
