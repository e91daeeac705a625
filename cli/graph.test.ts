import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fixture, hydro } from "../test/helpers.js";

/** The built CLI (`npm run build` first), piped, in a fresh working directory. */
const hydroGraph = (args: string[]) => hydro(["graph", ...args]);

describe("hydro graph", () => {
  test("prints each in-out tree as a subgraph with its stratum, and the ports as source and sink", async () => {
    const result = await hydroGraph([fixture("word-count.ts")]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^flowchart TD$/m);
    assert.match(result.stdout, /^%% word-count$/m);
    assert.match(result.stdout, /^subgraph sg_0 \["sg_0 stratum 0"\]\n\s+n0\[\\"\(n0\) <code>sourceStream\(lines\)<\/code>"\/\]/m);
    // A tree that merges nothing pulls only its source: what comes after, in stratum 1 the fold fed by the handoff, pushes.
    assert.match(result.stdout, /^subgraph sg_1 \["sg_1 stratum 1"\]\n\s+n3\[\/"\(n3\) <code>foldKeyed\(.*:::pushClass$/m);
    assert.match(result.stdout, /<code>destSink\(counts\)<\/code>/);
    assert.match(result.stdout, /^n2==>\|"blocking"\|n3$/m);
  });

  test("the program gets its arguments after -- as process.argv", async () => {
    const result = await hydroGraph([fixture("word-count.ts"), "--", "--name", "tally"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^%% tally$/m);
  });

  test("what the program prints goes to stderr, so stdout is only the picture", async () => {
    const result = await hydroGraph([fixture("word-count.ts")]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /counting words/);
    assert.match(result.stderr, /^counting words$/m);
  });

  test("a file that builds no graph fails with one error line and prints no picture", async () => {
    const file = fixture("no-runtime.ts");
    const result = await hydroGraph([file]);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr.trim().split("\n").at(-1), `error: ${file} built no dataflow graph`);
  });

  test("a missing file is named", async () => {
    const result = await hydroGraph(["nowhere.ts"]);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr.trim(), "error: program not found: nowhere.ts");
  });

  test("an error the program throws while loading is shown with its .ts line", async () => {
    const result = await hydroGraph([fixture("crash-in-code.ts")]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /^error: boom from user code \(at \/.*\/crash-in-code\.ts:4:\d+\)$/m);
  });
});
