import fs from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Message, Plugin } from "esbuild";
import { hfPlugin } from "../deploy/hf/esbuild-plugin.js";
import { beginGraphCapture, endGraphCapture } from "../runtime/dataflow/capture.js";
import { runtimeSource } from "../deploy/paths.js";
import { HydroError, describeBuildMessage, oneLinePerProblem } from "../deploy/errors.js";
import { describeError, EXIT } from "./run.js";
import { describeFailure } from "../deploy/report/format.js";

export interface GraphCommandOptions {
  /** The program's command-line arguments (`process.argv` while it loads, and its default export's). */
  args?: string[];
  /** Give up waiting for the program's top level (or default export) after this long. */
  timeoutMs?: number;
}

/** `hydro graph <program> [-- args…]`: prints the pictures, or one error line and exits 1. */
export async function graph(file: string, args: string[], options: { verbose?: boolean }): Promise<never> {
  let text: string;
  try {
    text = await graphCommand(file, { args });
  } catch (error) {
    process.stderr.write(`${describeFailure(describeError(error, options.verbose ?? false))}\n`);
    process.exit(EXIT.failed);
  }
  // The program may have left timers or handles behind; it never ran, so nothing needs them.
  process.stdout.write(text, () => process.exit(EXIT.ok));
  return new Promise<never>(() => {});
}

/**
 * The mermaid text of every dataflow graph the program builds.
 * The program is bundled with esbuild and imported with graph capture on: graphs register as they
 * are built, `run()` starts nothing and `connect()` gives inert ports, so the program's top level
 * completes without a deployer. A program that builds its graphs in a default-exported function
 * has it called.
 */
export async function graphCommand(file: string, options: GraphCommandOptions = {}): Promise<string> {
  const entry = path.resolve(file);
  if (!fs.statSync(entry, { throwIfNoEntry: false })?.isFile()) throw new HydroError(`program not found: ${file}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const args = options.args ?? [];
  const directory = await mkdtemp(path.join(tmpdir(), "hydro-graph-"));
  const capture = beginGraphCapture();
  try {
    const bundled = path.join(directory, "program.mjs");
    await writeFile(bundled, await bundleProgram(entry, bundled, file));
    process.setSourceMapsEnabled(true);
    await asTheProgram(file, args, async () => {
      const program = (await withTimeout(import(pathToFileURL(bundled).href), timeoutMs, file)) as { default?: unknown };
      if (capture.graphs.length === 0 && typeof program?.default === "function") {
        await withTimeout(Promise.resolve((program.default as (args: string[]) => unknown)(args)), timeoutMs, file);
      }
    });
  } finally {
    endGraphCapture();
    await rm(directory, { recursive: true, force: true });
  }
  if (capture.graphs.length === 0) throw new HydroError(`${file} built no dataflow graph`);
  return capture.graphs.map((graph) => graph.toMermaid()).join("\n");
}

async function bundleProgram(entry: string, outfile: string, file: string): Promise<Uint8Array> {
  // Loaded here, not at start-up: every other command would pay for it.
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    // Source paths in the inline map are relative to here, so stack traces name the .ts files.
    outfile,
    sourcemap: "inline",
    sourcesContent: false,
    logLevel: "silent",
    // Bundled CommonJS dependencies may still call require().
    banner: { js: 'import { createRequire as __hydroRequire } from "node:module"; const require = __hydroRequire(import.meta.url);' },
    plugins: [runtimeFromThisPackage, hfPlugin()],
  }).catch((error: Error & { errors?: Message[] }) => {
    // Its own errors, not its message: that starts "Build failed with 1 error:" on a line of its own.
    const problems = error.errors?.length ? error.errors.map(describeBuildMessage).join("\n") : error.message;
    throw new HydroError(`cannot compile ${file}: ${oneLinePerProblem(problems)}`);
  });
  return result.outputFiles[0]!.contents;
}

/** `hydro-deploy/runtime` is this package's runtime, as for `hydro run`, wherever the program lives. */
const runtimeFromThisPackage: Plugin = {
  name: "hydro-deploy-runtime",
  setup(build) {
    build.onResolve({ filter: /^hydro-deploy\/runtime$/ }, () => ({ path: runtimeSource("index.ts") }));
  },
};

/** What `process.exit` throws while the program loads, so that it ends the loading and not the CLI. */
class ProgramExit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

/**
 * Runs `load` in the process as the program would see it: `process.argv` is its own, what it
 * prints goes to stderr (stdout carries the pictures), and `process.exit` (e.g. via the runtime's
 * `exit()`) stops the loading instead of the CLI.
 */
async function asTheProgram(file: string, args: string[], load: () => Promise<void>): Promise<void> {
  const { argv, exit } = process;
  const write = process.stdout.write;
  process.argv = [argv[0]!, path.resolve(file), ...args];
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof write;
  process.exit = ((code?: string | number | null) => {
    throw new ProgramExit(Number(code ?? 0));
  }) as typeof exit;
  try {
    await load();
  } catch (error) {
    if (!(error instanceof ProgramExit)) throw error;
    if (error.code !== 0) throw new HydroError(`${file} exited with code ${error.code} while loading`);
  } finally {
    process.argv = argv;
    process.stdout.write = write;
    process.exit = exit;
  }
}

/** Waits for `work`, but stops waiting (keeping the graphs captured so far) after `ms`. */
async function withTimeout<T>(work: Promise<T>, ms: number, file: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      process.emitWarning(`${file} did not finish loading within ${ms} ms; showing the graphs built so far`);
      resolve(undefined);
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
