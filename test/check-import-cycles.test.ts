// scripts/check-import-cycles.mjs (npm run check:cycles) on small trees, so that its passing on
// the project means something: it resolves `./x.js` to x.ts, counts `import type`, names the
// files of a cycle, and refuses to pass when it saw too few modules or could not resolve one.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { repoRoot, tempDir } from "./helpers.js";

const script = path.join(repoRoot, "scripts", "check-import-cycles.mjs");

/** A project with the repo's module settings and the given files; returns its folder. */
function project(files: Record<string, string>): string {
  const root = tempDir("hydro-cycles-");
  const compilerOptions = { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true };
  fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions }));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

const check = (cwd: string, ...args: string[]) => execa("node", [script, ...args], { cwd, reject: false, timeout: 60_000 });

const tree = project({
  "acyclic/x.ts": 'import { y } from "./y.js";\nexport const x = y + 1;\n',
  "acyclic/y.ts": "export const y = 1;\n",
  // b only names a's type, which TypeScript erases: a cycle in the source all the same.
  "cyclic/a.ts": 'import { b } from "./b.js";\nexport interface A { n: number }\nexport const a = b;\n',
  "cyclic/b.ts": 'import type { A } from "./a.js";\nexport const b: A = { n: 1 };\n',
  "unresolved/c.ts": 'import { gone } from "./missing.js";\nexport const c = gone;\n',
});

test("a tree without a cycle passes, and the count shows the `.js` import was resolved", async () => {
  const result = await check(tree, "--min-modules", "2", "acyclic");
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, "check:cycles: no import cycle among 2 modules (1 imports) in acyclic");
});

test("a cycle through `import type` fails, naming its files and its imports", async () => {
  const result = await check(tree, "--min-modules", "2", "cyclic");
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /1 import cycle\(s\) among 2 modules in cyclic/);
  assert.match(result.stderr, /2 files import each other: cyclic\/a\.ts, cyclic\/b\.ts/);
  assert.match(result.stderr, /cyclic\/a\.ts → cyclic\/b\.ts\n/);
  assert.match(result.stderr, /cyclic\/b\.ts → cyclic\/a\.ts \(type\)/);
});

test("too few modules fails: a check that parsed nothing must not pass", async () => {
  const result = await check(tree, "acyclic");
  assert.equal(result.exitCode, 1);
  assert.equal(result.stderr.trim(), "check:cycles: saw only 2 modules in acyclic, expected at least 100: is the parser working?");
});

test("a relative import that does not resolve fails, naming it", async () => {
  const result = await check(tree, "--min-modules", "1", "unresolved");
  assert.equal(result.exitCode, 1);
  assert.equal(result.stderr.trim(), "check:cycles: cannot resolve ./missing.js (in unresolved/c.ts)");
});
