/**
 * A checked `.hf` module as a TypeScript module that builds the dataflow `Graph` and runs it, with
 * a source map back into the `.hf` file: every argument's TypeScript is copied as written (so its
 * syntax errors, type errors and stack frames have `.hf` positions), every operator call maps to
 * the operator's name. The generated names start with `__hf` so no user import collides.
 *
 * Order: the multi-input nodes (union, join, …) are made first, as the Graph API makes them
 * before their inputs; sources next; then each one-input operator once its input stream exists.
 * A cycle therefore needs a multi-input node to enter it, as in Hydroflow.
 */
import path from "node:path";
import { SourceMap } from "node:module";
import { GenMapping, addMapping, setSourceContent, toEncodedMap } from "@jridgewell/gen-mapping";
import type { Code, Position, Program } from "./ast.js";
import { HfError } from "./errors.js";
import type { HfEdge, HfGraph, HfNode } from "./graph.js";
import type { Piece } from "./operators.js";

export interface Generated {
  code: string;
  /** A source map (v3) from `code` to the `.hf` file. */
  map: ReturnType<typeof toEncodedMap>;
}

/**
 * Where a place in the generated code (0-based line, UTF-16 column) was written in the `.hf`
 * `text`: 1-based line and column, past the mapped token's start by as much as the generated
 * place is, never past the end of that line. Undefined where nothing maps (generated text only).
 */
export function hfPosition(map: SourceMap, text: string, line: number, column: number): { line: number; column: number } | undefined {
  const entry = map.findEntry(line, column) as { generatedColumn?: number; originalLine?: number; originalColumn?: number };
  if (entry.originalLine === undefined) return undefined;
  const lineLength = (text.split("\n")[entry.originalLine] ?? "").length;
  return { line: entry.originalLine + 1, column: Math.min(entry.originalColumn! + 1 + Math.max(0, column - entry.generatedColumn!), lineLength + 1) };
}

/** Writes text, keeping the generated line and column, and maps the pieces that come from the `.hf` file. */
class Emitter {
  private readonly parts: string[] = [];
  private line = 1;
  private column = 0;
  readonly map: GenMapping;

  constructor(
    private readonly source: string,
    text: string,
  ) {
    this.map = new GenMapping({ file: `${path.basename(source)}.ts` });
    setSourceContent(this.map, source, text);
  }

  write(text: string, from?: Position): void {
    if (from) this.mark(from);
    this.append(text);
  }

  /** TypeScript copied from the `.hf` file, each of its tokens mapped to where it was written (a stack frame's column lands there). */
  copy(code: Code): void {
    code.text.split("\n").forEach((line, i) => {
      if (i > 0) this.append("\n");
      const firstColumn = i === 0 ? code.at.column : 1;
      let done = 0;
      for (const match of line.matchAll(/[A-Za-z_$][\w$]*|[^\s\w$]/g)) {
        this.append(line.slice(done, match.index));
        this.mark({ line: code.at.line + i, column: firstColumn + match.index!, offset: 0 });
        this.append(match[0]);
        done = match.index! + match[0].length;
      }
      this.append(line.slice(done));
    });
  }

  pieces(pieces: readonly Piece[], at: Position): void {
    this.mark(at);
    for (const piece of pieces) {
      if (typeof piece === "string") this.append(piece);
      else this.copy(piece);
    }
  }

  get text(): string {
    return this.parts.join("");
  }

  private mark(at: Position): void {
    addMapping(this.map, {
      generated: { line: this.line, column: this.column },
      source: this.source,
      original: { line: at.line, column: at.column - 1 },
    });
  }

  private append(text: string): void {
    this.parts.push(text);
    const newlines = text.split("\n").length - 1;
    if (newlines) {
      this.line += newlines;
      this.column = text.length - text.lastIndexOf("\n") - 1;
    } else this.column += text.length;
  }
}

export interface GenerateOptions {
  /** Where `hydro-deploy/runtime` is imported from (a test imports the runtime's source). */
  runtime?: string;
  /** `false`: run the graph operator by operator (`g.compile({ fused: false })`), to check the fused code against. */
  fused?: boolean;
  /** `false`: leave the process running when the graph ends (a test that runs programs in its own process). */
  exitWhenDone?: boolean;
  /**
   * `"builder"`: a module whose default export adds the program's operators to a given `Graph`
   * (`build(g)`), to be compiled and run by the caller (bench/dataflow); `main` may have no ports.
   * Default `"program"`: a program that connects its ports, builds, and runs.
   */
  as?: "program" | "builder";
}

/** The TypeScript module for `graph` (the program's `main`), and its source map. */
export function generate(program: Program, graph: HfGraph, file: string, text: string, options: GenerateOptions = {}): Generated {
  const { runtime = "hydro-deploy/runtime", fused = true, exitWhenDone = true, as = "program" } = options;
  const out = new Emitter(file, text);
  const name = path.basename(file, path.extname(file));
  out.write(`// Generated from ${path.basename(file)} by hydro-deploy's .hf compiler: edit that file, not this.\n`);
  const names = "Graph as __hfGraph, connect as __hfConnect, exit as __hfExit, self as __hfSelf, source as __hfSource, sink as __hfSink";
  out.write(`import { ${names} } from ${JSON.stringify(runtime)};\n`);
  for (const code of program.imports) {
    out.copy(code);
    out.write("\n");
  }
  const params = graph.module.params;
  if (as === "builder") {
    if (params.length) throw new HfError(file, params[0]!.at, "a graph builder has no ports: its main takes no inputs or outputs");
    out.write("export default function __hfBuild(__g: __hfGraph): void {\n");
  } else if (params.length) {
    out.write("const __hfPorts = await __hfConnect({ ");
    params.forEach((param, i) => {
      out.write(`${i ? ", " : ""}${JSON.stringify(param.name)}: __hf${param.direction === "input" ? "Source" : "Sink"}(`, param.at);
      out.copy(param.schema);
      out.write(")");
    });
    out.write(" });\n");
  } else {
    // A program without ports still takes part in the handshake when deployed; run alone, it needs none.
    out.write("if (__hfSelf()) await __hfConnect({});\n");
  }
  if (as === "program") out.write(`const __g = new __hfGraph({ name: ${JSON.stringify(name)} });\n`);

  const built = new Set<HfNode>();
  const multiInput = (node: HfNode) => node.kind === "operator" && (node.operator!.inputs.kind === "any" || node.operator!.inputs.kind === "ports");
  const emitNode = (node: HfNode, input: string) => {
    // A sink has no output to name.
    out.write(node.operator?.outputs === "none" ? "" : `const __n${node.id} = `, node.at);
    if (node.kind === "input") {
      const port = JSON.stringify(node.name);
      out.write(
        `__g.labelled(${JSON.stringify(`input ${node.name}`)}, () => __g.sourceStream(__hfPorts[${port}])).map(({ from, data }) => [data, from] as const);\n`,
      );
    } else {
      const outputs = [...new Set(node.outs.map((edge) => edge.fromPort?.text).filter((label): label is string => label !== undefined))];
      const lifetimes = node.use!.lifetimes.map((lifetime) => lifetime.text);
      // Pictures show the operator as the .hf file writes it, inside the module instance it belongs to.
      const label = node.role ? `${node.role.param.direction} ${node.role.param.name}` : labelOf(node);
      out.write(`${node.scope ? `__g.scope(${JSON.stringify(node.scope)}, () => ` : ""}__g.labelled(${JSON.stringify(label)}, () => `);
      out.pieces(node.operator!.build(input, node.use!.args, lifetimes, outputs, outputItemType(node)), node.at);
      out.write(node.scope ? "));\n" : ");\n");
    }
    built.add(node);
  };

  for (const node of graph.nodes) if (multiInput(node) || node.kind === "input" || node.operator?.inputs.kind === "none") emitNode(node, "");
  for (let progress = true; progress;) {
    progress = false;
    for (const node of graph.nodes) {
      if (built.has(node) || node.kind !== "operator") continue;
      const edge = node.ins[0]!;
      if (!built.has(edge.from)) continue;
      emitNode(node, streamOf(edge));
      progress = true;
    }
  }
  const stuck = graph.nodes.find((node) => node.kind === "operator" && !built.has(node));
  if (stuck) throw new HfError(file, stuck.at, `${stuck.name}() is on a cycle that no union(), join() or other multi-input operator enters`);

  for (const edge of graph.edges) {
    if (edge.to.kind === "output") {
      const port = JSON.stringify(edge.to.name);
      const send = `${streamOf(edge)}.forEach(([data, to]) => __hfPorts[${port}].send(data, to === undefined ? undefined : { to }))`;
      out.write(`__g.labelled(${JSON.stringify(`output ${edge.to.name}`)}, () => ${send});\n`, edge.at);
    } else if (multiInput(edge.to)) {
      const inlet = edge.toPort === undefined ? "" : /^[0-9]+$/.test(edge.toPort) ? `.in[${edge.toPort}]` : `.${edge.toPort}`;
      out.write(`${streamOf(edge)}.to(__n${edge.to.id}${inlet} as never);\n`, edge.at);
    }
  }
  if (as === "builder") {
    out.write("}\n");
    return { code: out.text, map: toEncodedMap(out.map) };
  }
  out.write(fused ? "await __g.run();\n" : "await __g.compile({ fused: false }).run();\n");
  if (exitWhenDone) out.write("await __hfExit(0);\n");
  return { code: out.text, map: toEncodedMap(out.map) };
}

/** For an operator that sends straight to an output port: the `[data, to]` pair that port takes, as a type. */
function outputItemType(node: HfNode): string | undefined {
  const output = node.outs.find((edge) => edge.to.kind === "output")?.to;
  return output && `readonly [Parameters<(typeof __hfPorts)[${JSON.stringify(output.name)}]["send"]>[0], string | number | undefined]`;
}

/** An operator as the .hf file writes it, on one line and shortened, for pictures: `join::<'static, 'tick>()`. */
function labelOf(node: HfNode): string {
  const use = node.use!;
  const lifetimes = use.lifetimes.length ? `::<${use.lifetimes.map((lifetime) => `'${lifetime.text}`).join(", ")}>` : "";
  const text = `${use.name}${lifetimes}(${use.args.map((arg) => arg.text).join(", ")})`.replace(/\s+/g, " ");
  return text.length <= 64 ? text : `${text.slice(0, 63)}…`;
}

/** The expression of the stream an edge carries: the node's output, or its named output. */
function streamOf(edge: HfEdge): string {
  const { from, fromPort } = edge;
  if (from.kind === "operator" && from.operator!.outputs === "named" && from.operator!.name !== "tee")
    return `__n${from.id}[${JSON.stringify(fromPort!.text)}]`;
  return `__n${from.id}`;
}
