/** `hydro check`: the examples' .hf programs type-check; a type error, a compile error and a missing file are each one line at its place. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { hydro, repoRoot, tempDir } from "../test/helpers.js";

describe("hydro check", () => {
  test("every example .hf program compiles and type-checks", async () => {
    const examples = ["echo/echo_server.hf", "echo/echo_client.hf", "kvs/simple_kvs.hf", "reachability/reachability.hf"].map((file) =>
      path.join(repoRoot, "examples", file),
    );
    const result = await hydro(["check", ...examples]);
    assert.equal(result.stderr, "");
    assert.equal(result.exitCode, 0);
    assert.match(result.stdout, /: no problems$/m);
  });

  test("a type error in a closure, a compile error and a missing file: one line each at its place, exit 1", async () => {
    const dir = tempDir();
    // A Standard Schema by hand: the temporary directory has no node_modules to find zod in.
    fs.writeFileSync(
      path.join(dir, "messages.ts"),
      'export const Ping = { "~standard": { version: 1, vendor: "test", validate: (value: unknown) => ({ value: value as { text: string } }) } } as const;\n',
    );
    fs.writeFileSync(
      path.join(dir, "typo.hf"),
      'import { Ping } from "./messages.js";\n\nmodule main(input inbound: Ping) {\n    inbound -> for_each(([ping]) => console.log(ping.txt));\n}\n',
    );
    fs.writeFileSync(path.join(dir, "unknown.hf"), "source_iter([1]) -> mapp((x) => x) -> null();\n");
    const result = await hydro(["check", "typo.hf", "unknown.hf", "missing.hf"], { cwd: dir });
    assert.equal(result.exitCode, 1);
    const lines = result.stderr.trim().split("\n");
    assert.deepEqual(lines.sort(), [
      "error: missing.hf: cannot read it: ENOENT",
      "error: typo.hf:4:54: error TS2551: Property 'txt' does not exist on type '{ text: string; }'. Did you mean 'text'?",
      "error: unknown.hf:1:21: unknown operator mapp(); did you mean map()?",
    ]);
  });
});
