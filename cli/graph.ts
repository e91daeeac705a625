import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { beginGraphCapture, endGraphCapture } from "../runtime/dataflow/index.js";

export interface GraphCommandOptions {
  /** Arguments for the program's default export, if it builds its graphs there. */
  args?: string[];
  /** Give up waiting for the program's top level (or default export) after this long. */
  timeoutMs?: number;
}

/**
 * `hydro graph <program.ts>`: the mermaid text of every dataflow graph the program builds.
 * The program is bundled with esbuild and imported with graph capture on: graphs register as they
 * are built and `run()` starts nothing, so the program's top level completes without touching its
 * ports. A program that builds its graphs in a default-exported function has it called.
 */
export async function graphCommand(file: string, options: GraphCommandOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const bundle = await build({
    entryPoints: [path.resolve(file)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    // Bundled CommonJS dependencies may still call require().
    banner: { js: 'import { createRequire as __hydroRequire } from "node:module"; const require = __hydroRequire(import.meta.url);' },
  });
  const directory = await mkdtemp(path.join(tmpdir(), "hydro-graph-"));
  const capture = beginGraphCapture();
  try {
    const bundled = path.join(directory, "program.mjs");
    await writeFile(bundled, bundle.outputFiles[0]!.contents);
    const program = (await withTimeout(import(pathToFileURL(bundled).href), timeoutMs, file)) as { default?: unknown };
    if (capture.graphs.length === 0 && typeof program.default === "function") {
      await withTimeout(Promise.resolve((program.default as (args: string[]) => unknown)(options.args ?? [])), timeoutMs, file);
    }
  } finally {
    endGraphCapture();
    await rm(directory, { recursive: true, force: true });
  }
  if (capture.graphs.length === 0) throw new Error(`${file} built no dataflow graph`);
  return capture.graphs.map((graph) => graph.toMermaid()).join("\n");
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
