import fs from "node:fs/promises";
import { statSync } from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { pathToFileURL } from "node:url";
import type { Plugin, Message } from "esbuild";
import { HydroError, describeBuildMessage } from "./errors.js";
import { apiModule, deployerFile, hydroDir, privateDir, runtimeSource, writeAtomically } from "./paths.js";
import { hfPlugin } from "./hf/esbuild-plugin.js";

/** A program or config compiled into one ESM file, named by the hash of its content. */
export interface Bundle {
  path: string;
  hash: string;
  /** True when nothing changed since the last build and esbuild did not run. */
  cached: boolean;
}

export type BundleKind =
  /** A deployed program: everything, `hydro-deploy/runtime` included, goes into one file. */
  | "program"
  /** A config script: `hydro-deploy` stays a reference to the running CLI's own module, so both share one instance. */
  | "config";

/** A rebuilt or upgraded hydro-deploy may bundle differently, so it does not reuse older bundles. */
const bundlerIdentity = `${deployerFile}\0${statSync(deployerFile).mtimeMs}`;

const cacheDir = () => hydroDir("cache");

interface Manifest {
  bundle: string;
  inputs: Record<string, { size: number; mtimeMs: number }>;
}

/**
 * Bundles `entry` with esbuild, reusing the last bundle when none of its input files changed
 * (checked by size and mtime, like make), so a warm `hydro run` does not start esbuild at all.
 */
export function bundle(entry: string, kind: BundleKind): Promise<Bundle> {
  // Several services of one program share one build.
  const key = `${kind}\0${entry}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = build(entry, kind).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

const inFlight = new Map<string, Promise<Bundle>>();

async function build(entry: string, kind: BundleKind): Promise<Bundle> {
  const dir = path.join(cacheDir(), kind);
  const manifestPath = path.join(dir, `${sha256(`${entry}\0${bundlerIdentity}`).slice(0, 16)}.manifest.json`);
  const reused = await reuse(manifestPath);
  if (reused) return reused;

  const esbuild = await import("esbuild");
  const result = await esbuild
    .build({
      entryPoints: [kind === "program" ? `${PROGRAM_ENTRY}:${entry}` : entry],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      // Source map paths are relative to the output directory, where the bundle will be written.
      outdir: dir,
      entryNames: "[hash]",
      outExtension: { ".js": ".mjs" },
      metafile: true,
      // A program's map stays in its own file, read only if a stack trace needs it (runtime/source-maps.ts);
      // the config's is inline, for the deployer's own source-map support.
      sourcemap: kind === "program" ? "linked" : "inline",
      sourcesContent: false,
      logLevel: "silent",
      // ESM output still meets CommonJS dependencies that call require(); give them one.
      banner: { js: `import { createRequire as __hydroRequire } from "node:module"; const require = __hydroRequire(import.meta.url);` },
      plugins: [packageAliases(kind), programEntry(), hfPlugin()],
    })
    .catch((error: { errors?: Message[] }) => {
      throw new HydroError(error.errors?.length ? error.errors.map(describeBuildMessage).join("\n") : String(error));
    });

  const code = result.outputFiles.find((file) => file.path.endsWith(".mjs"))!;
  const map = result.outputFiles.find((file) => file.path.endsWith(".map"));
  privateDir(dir);
  // The map is written first, so a bundle on disk always has its map.
  if (map) await writeAtomically(map.path, absoluteSources(map.text, dir));
  await writeAtomically(code.path, code.contents);
  const inputs: Manifest["inputs"] = {};
  await Promise.all(
    Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith(`${PROGRAM_ENTRY}:`))
      .map(async (input) => {
        const file = path.resolve(input);
        const stat = await fs.stat(file);
        inputs[file] = { size: stat.size, mtimeMs: stat.mtimeMs };
      }),
  );
  await writeAtomically(manifestPath, JSON.stringify({ bundle: code.path, inputs } satisfies Manifest));
  return { path: code.path, hash: path.basename(code.path, ".mjs"), cached: false };
}

async function reuse(manifestPath: string): Promise<Bundle | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath, "utf8")) as Manifest;
    await fs.access(manifest.bundle);
  } catch {
    return undefined;
  }
  const unchanged = await Promise.all(
    Object.entries(manifest.inputs).map(async ([file, recorded]) => {
      const stat = await fs.stat(file).catch(() => undefined);
      return stat?.size === recorded.size && stat.mtimeMs === recorded.mtimeMs;
    }),
  );
  if (!unchanged.every(Boolean)) return undefined;
  return { path: manifest.bundle, hash: path.basename(manifest.bundle, ".mjs"), cached: true };
}

/**
 * A program's bundle starts with runtime/prelude (source maps, the control channel), then the
 * program: ESM evaluates imports in order, so both are in place before any user code runs.
 */
const PROGRAM_ENTRY = "hydro-program";

function programEntry(): Plugin {
  return {
    name: "hydro-program-entry",
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${PROGRAM_ENTRY}:`) }, (args) => ({ path: args.path.slice(PROGRAM_ENTRY.length + 1), namespace: PROGRAM_ENTRY }));
      build.onLoad({ filter: /.*/, namespace: PROGRAM_ENTRY }, (args) => ({
        contents: `import ${JSON.stringify(runtimeSource("prelude.ts"))};\nimport ${JSON.stringify(args.path)};\n`,
        resolveDir: path.dirname(args.path),
        loader: "js",
      }));
    },
  };
}

/** Absolute source paths, so a bundle copied to another machine still names the deployer's files. */
function absoluteSources(mapText: string, dir: string): string {
  const map = JSON.parse(mapText) as { sources: string[] };
  map.sources = map.sources.map((source) => path.resolve(dir, source));
  return JSON.stringify(map);
}

function packageAliases(kind: BundleKind): Plugin {
  return {
    name: "hydro-deploy-aliases",
    setup(build) {
      build.onResolve({ filter: /^hydro-deploy(\/runtime(\/msgpack)?)?$/ }, (args) => {
        if (args.path.endsWith("/runtime")) return { path: runtimeSource("index.ts") };
        if (args.path.endsWith("/msgpack")) return { path: runtimeSource("msgpack.ts") };
        if (kind === "config") return { path: pathToFileURL(apiModule).href, external: true };
        return { path: apiModule };
      });
    },
  };
}

function sha256(data: string | Uint8Array): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}
