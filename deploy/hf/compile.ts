import { parse } from "./parser.js";
import { buildGraph } from "./graph.js";
import { generate, type Generated, type GenerateOptions } from "./codegen.js";
import { HfError } from "./errors.js";
import { OPERATORS } from "./operators.js";

const START = { line: 1, column: 1, offset: 0 };

/**
 * A `.hf` file (hf/parser.ts's grammar) compiled to a TypeScript module that builds its `main`
 * module's dataflow graph and runs it, deployed like any service (docs: README "Hydroflow
 * programs (.hf)"). Throws an HfError, one line with the `.hf` position, for what is wrong.
 */
export function compileHf(text: string, file: string, options?: GenerateOptions): Generated {
  try {
    const program = parse(text, file);
    const main = program.modules.find((module) => module.name === "main");
    if (!main) throw new HfError(file, START, "no module main: a deployable .hf program has `module main(…) { … }` (or statements at the top level)");
    for (const module of program.modules) {
      if (OPERATORS.has(module.name)) throw new HfError(file, module.at, `module ${module.name} has the name of an operator: name it otherwise`);
      // Checked on their own too, so that a module nothing uses yet is not left unchecked.
      if (module !== main) buildGraph(program, module, file);
    }
    return generate(program, buildGraph(program, main, file), file, text, options);
  } catch (error) {
    // Brackets or modules nested thousands deep: the compiler's recursion gives out.
    if (error instanceof RangeError) throw new HfError(file, START, "nested too deeply to compile (brackets or modules thousands deep)");
    throw error;
  }
}
