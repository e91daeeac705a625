// What `npm publish` would ship (package.json `files`): what a user installs and nothing of the
// tests. Runs on the built tree (`npm test` builds first); --ignore-scripts so it does not rebuild.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { repoRoot } from "./helpers.js";

const packed: string[] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8" }))[0].files.map(
  (file: { path: string }) => file.path,
);
const isPacked = new Set(packed);
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");

/** Every string leaf of package.json `exports` or `bin`, as a path in the package. */
function targets(value: unknown): string[] {
  if (typeof value === "string") return [path.posix.normalize(value)];
  return Object.values(value as object).flatMap(targets);
}

/** Relative module specifiers of a source file (static, side-effect and dynamic imports, re-exports), resolved to package paths. */
function relativeImports(file: string): string[] {
  const specifiers = [...read(file).matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, ".ts"));
}

test("no test file, test kit, test folder or bytecode is published", () => {
  assert.ok(packed.length > 50, `npm pack listed only ${packed.length} files`);
  const offenders = packed.filter(
    (file) => /\.test\.(ts|js|mjs|d\.ts)$/.test(file) || file.startsWith("test/") || /(^|\/)(__pycache__|tests)\/|\.pyc$/.test(file),
  );
  assert.deepEqual(offenders, [], "published, but only tests use them: exclude them in package.json `files` with a `!` glob");
});

test("every entry point in `exports` and `bin` is published, with what bin/ loads", () => {
  const entries = [...targets(manifest.exports), ...targets(manifest.bin)];
  const loadedByBin = entries.filter((file) => file.startsWith("bin/")).flatMap((file) => relativeImports(file));
  assert.ok(loadedByBin.includes("dist/hydro.mjs"), `bin/ no longer loads dist/hydro.mjs? it loads ${loadedByBin.join(", ")}`);
  const missing = [...entries, ...loadedByBin].filter((file) => !isPacked.has(file));
  assert.deepEqual(missing, [], "not published (is the tree built? `npm run build`)");
});

test("every published source module is one a user's install runs or bundles, and imports only published files", () => {
  // The sources a user's install starts from: the bundles' entry points (scripts/build.mjs), the
  // modules whose declarations `exports` names, and runtime/prelude.ts, which deploy/bundle.ts
  // bundles from source ahead of every deployed program.
  const bundled = [...read("scripts/build.mjs").matchAll(/entryPoints:\s*\["([^"]+)"\]/g)].map((match) => match[1]!);
  assert.ok(bundled.length >= 3, "found no entryPoints in scripts/build.mjs: update this test");
  const declared = targets(manifest.exports)
    .filter((file) => file.endsWith(".d.ts"))
    .map((file) => file.replace(/^dist\//, "").replace(/\.d\.ts$/, ".ts"));
  const roots = [...bundled, ...declared, "runtime/prelude.ts"];

  const reached = new Set<string>();
  const notPublished: string[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    if (!isPacked.has(file)) notPublished.push(file);
    if (file.endsWith(".ts")) queue.push(...relativeImports(file).filter((imported) => fs.existsSync(path.join(repoRoot, imported))));
  }
  assert.ok(reached.size > 100, `reached only ${reached.size} modules from ${roots.join(", ")}: is the import scan broken?`);
  assert.deepEqual(notPublished, [], "imported by the published code, but not published");

  const sources = packed.filter((file) => /^(cli|deploy|runtime)\/.*\.ts$/.test(file));
  const unreached = sources.filter((file) => !reached.has(file));
  assert.deepEqual(unreached, [], "published, but nothing a user runs imports them (test kits?): exclude them in package.json `files` with a `!` glob");
});
