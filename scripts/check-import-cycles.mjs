#!/usr/bin/env node
// Fails when modules import each other in a cycle (dependency-cruiser, with the TypeScript parser).
// `import type` counts too: a cycle through types still means no file of it can be understood,
// tested or replaced alone. Usage, from the folder holding tsconfig.json:
//   node scripts/check-import-cycles.mjs [--min-modules N] [folder…]   (default: deploy runtime cli, 100)
// --min-modules guards against a check that passes because it parsed nothing (a parser that did not
// load, imports it could not resolve).
import fs from "node:fs";
import { cruise, getAvailableTranspilers } from "dependency-cruiser";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

const args = process.argv.slice(2);
let minModules = 100;
const minAt = args.indexOf("--min-modules");
if (minAt >= 0) minModules = Number(args.splice(minAt, 2)[1]);
const folders = args.length > 0 ? args : ["deploy", "runtime", "cli"];
const where = folders.join(", ");

function fail(message) {
  console.error(`check:cycles: ${message}`);
  process.exit(1);
}

if (!getAvailableTranspilers().some((transpiler) => transpiler.name === "typescript" && transpiler.available)) {
  fail("the typescript package is not installed, so .ts files cannot be parsed: run `npm ci`");
}
for (const folder of folders) if (!fs.existsSync(folder)) fail(`no folder ${folder} in ${process.cwd()}`);
if (!fs.existsSync("tsconfig.json")) fail(`no tsconfig.json in ${process.cwd()}: run from the project's root`);

const { output } = await cruise(
  folders,
  {
    doNotFollow: { path: "node_modules" },
    // "specify": also type-only imports, marked "pre-compilation-only" when TypeScript would erase them.
    tsPreCompilationDeps: "specify",
    tsConfig: { fileName: "tsconfig.json" },
  },
  {},
  { tsConfig: extractTSConfig("tsconfig.json") },
);
// Only the modules of these folders (not packages, nor files elsewhere that they import), and the imports among them.
const inFolders = (file) => folders.some((folder) => file.startsWith(`${folder.replace(/\/$/, "")}/`));
const modules = output.modules.filter((module) => inFolders(module.source));
const allImports = modules.flatMap((module) => module.dependencies.map((dependency) => ({ from: module.source, ...dependency })));
const imports = allImports.filter((dependency) => !dependency.couldNotResolve && inFolders(dependency.resolved));

// A relative import that did not resolve means the graph has holes (e.g. `./x.js` not mapped to x.ts).
const unresolved = allImports.filter((dependency) => dependency.couldNotResolve && /^\.\.?\//.test(dependency.module));
if (unresolved.length > 0) fail(`cannot resolve ${unresolved.map((dependency) => `${dependency.module} (in ${dependency.from})`).join(", ")}`);
if (modules.length < minModules) fail(`saw only ${modules.length} modules in ${where}, expected at least ${minModules}: is the parser working?`);

// Files that reach each other (Tarjan's strongly connected components); a cycle is one of more than one file.
const next = new Map(modules.map((module) => [module.source, module.dependencies.map((dependency) => dependency.resolved)]));
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function visit(file) {
  index.set(file, index.size);
  low.set(file, index.get(file));
  stack.push(file);
  onStack.add(file);
  for (const to of next.get(file) ?? []) {
    if (!next.has(to)) continue;
    if (!index.has(to)) {
      visit(to);
      low.set(file, Math.min(low.get(file), low.get(to)));
    } else if (onStack.has(to)) low.set(file, Math.min(low.get(file), index.get(to)));
  }
  if (low.get(file) !== index.get(file)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(member);
  } while (member !== file);
  if (component.length > 1) cycles.push(component.sort());
}
for (const file of next.keys()) if (!index.has(file)) visit(file);

if (cycles.length === 0) {
  console.log(`check:cycles: no import cycle among ${modules.length} modules (${imports.length} imports) in ${where}`);
} else {
  console.error(`check:cycles: ${cycles.length} import cycle(s) among ${modules.length} modules in ${where} (\`import type\` counts):`);
  for (const files of cycles) {
    const inCycle = new Set(files);
    console.error(`  ${files.length} files import each other: ${files.join(", ")}`);
    // The imports inside the cycle: removing enough of them breaks it. "(type)" marks `import type` or a type-only use.
    for (const dependency of imports.filter((dependency) => inCycle.has(dependency.from) && inCycle.has(dependency.resolved))) {
      const typeOnly = dependency.dependencyTypes.some((type) => ["type-only", "type-import", "pre-compilation-only"].includes(type));
      console.error(`    ${dependency.from} → ${dependency.resolved}${typeOnly ? " (type)" : ""}`);
    }
  }
  process.exitCode = 1;
}
