/**
 * A `.hf` program as parsed (hf/parser.ts): the seed's Hydroflow surface syntax, with TypeScript
 * where Rust stands (closures, expressions, imports). Every node keeps where it was written, so
 * every error and the generated code's source map point into the `.hf` file.
 */

/** A place in the `.hf` file: 1-based line and column, 0-based offset. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

/** TypeScript text copied verbatim into the generated module (a closure, an expression, a schema), with where it starts. */
export interface Code {
  text: string;
  at: Position;
}

export interface Program {
  /** `import …` lines at the top, as written. */
  imports: Code[];
  modules: Module[];
}

/** `module name(input a: Schema, output b: Schema) { statements }`; top-level statements form an implicit `module main()`. */
export interface Module {
  name: string;
  params: Param[];
  statements: Statement[];
  at: Position;
}

export interface Param {
  direction: "input" | "output";
  name: string;
  /** The Standard Schema value its messages are checked against (an imported name, usually). */
  schema: Code;
  at: Position;
}

/** `name = pipeline;` or `pipeline;`. */
export interface Statement {
  /** The variable the pipeline is bound to: its first operator's inputs and its last one's outputs. */
  name?: { text: string; at: Position };
  pipeline: Pipeline;
  at: Position;
}

/** `a -> b -> c`: each step's output feeds the next step's input. */
export interface Pipeline {
  steps: Step[];
}

/** A step of a pipeline: an operator (or a module's use) or a name, with optional ports: `[in]step[out]`. */
export interface Step {
  node: OperatorUse | NameUse;
  /** `[0]x`: which input of the step the previous one feeds. */
  inPort?: PortLabel;
  /** `x[0]`: which output of the step feeds the next one. */
  outPort?: PortLabel;
}

/** `[0]`, `[Put]`: a port by index or by name, written as is. */
export interface PortLabel {
  text: string;
  at: Position;
}

export interface OperatorUse {
  kind: "operator";
  name: string;
  /** `::<'static, 'tick>`: persistence lifetimes, without the quote. */
  lifetimes: Array<{ text: string; at: Position }>;
  /** The arguments, split at top-level commas, each its TypeScript text. */
  args: Code[];
  at: Position;
}

export interface NameUse {
  kind: "name";
  name: string;
  at: Position;
}
