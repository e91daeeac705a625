import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { execa } from "execa";
import { repoRoot } from "./helpers.js";

// The Python package's own unit tests (python/tests, against a fake deployer), so `npm test` runs them.
test("the hydro Python package's unittest suite passes", async () => {
  const python = process.env.HYDRO_PYTHON || "python3";
  const result = await execa(python, ["-m", "unittest", "discover", "-s", "tests", "-v"], {
    cwd: path.join(repoRoot, "python"),
    reject: false,
    all: true,
    timeout: 300_000,
  });
  assert.equal(result.exitCode, 0, result.all);
});
