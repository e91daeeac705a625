import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileHf } from "../../../deploy/hf/compile.js";
import type { Graph } from "../../../runtime/dataflow/index.js";
import { io } from "./io.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const runtime = path.join(here, "..", "..", "..", "runtime", "index.ts");

/**
 * A .hf bench compiled as a graph builder (hf/codegen.ts `as: "builder"`) and imported: the
 * returned function adds its operators to `g`, delivering to `sink`. Compiled once, before timing.
 */
export async function loadHf(name: string): Promise<(g: Graph, sink: (x: number) => void) => void> {
  const file = path.join(here, `${name}.hf`);
  const { code } = compileHf(fs.readFileSync(file, "utf8"), path.relative(process.cwd(), file), { as: "builder", runtime });
  // Beside the .hf file, so its relative imports resolve; removed once imported.
  const generated = path.join(here, `.${name}.${process.pid}.${os.hostname()}.mts`);
  fs.writeFileSync(generated, code);
  try {
    const { default: build } = (await import(pathToFileURL(generated).href)) as { default: (g: Graph) => void };
    return (g, sink) => {
      io.sink = sink;
      build(g);
    };
  } finally {
    fs.rmSync(generated, { force: true });
  }
}
