import { parse } from "./parser.js";
import { buildGraph } from "./graph.js";
import { generate, type Generated, type GenerateOptions } from "./codegen.js";
import { HfError } from "./errors.js";

/**
 * A `.hf` file (hf/parser.ts's grammar) compiled to a TypeScript module that builds its `main`
 * module's dataflow graph and runs it, deployed like any service (docs: README "Hydroflow
 * programs (.hf)"). Throws an HfError, one line with the `.hf` position, for what is wrong.
 */
export function compileHf(text: string, file: string, options?: GenerateOptions): Generated {
  const program = parse(text, file);
  const main = program.modules.find((module) => module.name === "main");
  if (!main)
    throw new HfError(
      file,
      { line: 1, column: 1, offset: 0 },
      "no module main: a deployable .hf program has `module main(…) { … }` (or statements at the top level)",
    );
  return generate(program, buildGraph(program, main, file), file, text, options);
}
