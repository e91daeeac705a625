// Builds the published files: the CLI and config API as one ESM bundle (one file loads far faster
// than hundreds of modules: start-up is on the critical path of every `hydro run`), the runtime
// bundle, and type declarations.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  // esbuild ships a native binary and ssh2 optional native modules; the cloud SDKs and vega (a
  // sweep's plot) are large. They stay dependencies, imported only when needed (no bundling, no SSH
  // or cloud host, no plot: none is loaded, nor parsed as part of the bundle).
  external: ["esbuild", "ssh2", "@aws-sdk/*", "@google-cloud/*", "google-auth-library", "vega", "vega-lite", "typescript"],
  banner: { js: `import { createRequire as __hydroRequire } from "node:module"; const require = __hydroRequire(import.meta.url);` },
};

await Promise.all([
  build({ ...common, entryPoints: ["cli/main.ts"], outfile: "dist/hydro.mjs" }),
  // bin/hydro.js loads this first for a Python config, to start the interpreter while the CLI loads.
  build({ ...common, entryPoints: ["cli/python/spawn.ts"], outfile: "dist/python-spawn.mjs" }),
  build({ ...common, entryPoints: ["runtime/index.ts"], outfile: "dist/runtime.mjs" }),
  build({ ...common, entryPoints: ["runtime/msgpack.ts"], outfile: "dist/runtime-msgpack.mjs" }),
]);
