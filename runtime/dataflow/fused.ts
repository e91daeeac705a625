import type { CodeContext, OperatorInstance, OperatorSpec, RunContext } from "./operator.js";
import type { Handoff } from "./handoff.js";
import { inboundHandoffs, outgoingEdges, type SubgraphRunner, type SubgraphSetup } from "./subgraph.js";

/**
 * Compiles a subgraph into one function. Operators with a code template (map, filter, join,
 * sources, sinks, ...) are inlined, so an item travels a chain of them as plain statements in one
 * loop; other operators are called as objects whose outputs are generated functions. An operator
 * reached from several places gets its code once, in a local function, and so does each big loop
 * of a subgraph that has several.
 */
type Factory = (
  specs: readonly OperatorSpec[],
  handoffs: readonly (Handoff | undefined)[],
  context: RunContext,
) => { instances: OperatorInstance[]; run(first: boolean): void };

/**
 * Generated code by source text. A graph of the same shape built again (a service's per-request
 * graph, a benchmark loop) reuses one factory, and so the machine code V8 optimized for it,
 * much as Hydroflow's graphs are compiled once, ahead of time.
 */
const factories = new Map<string, Factory>();
/** Code for an operator reached from several places is repeated up to this size, then shared. */
const INLINE_LIMIT = 600;
const FACTORY_CACHE_LIMIT = 256;
/** A loop whose code is at least this long is big (see `loop`). */
const LOOP_FUNCTION_SIZE = 200;

function compile(source: string): Factory {
  let factory = factories.get(source);
  if (factory === undefined) {
    if (factories.size >= FACTORY_CACHE_LIMIT) factories.delete(factories.keys().next().value!);
    factory = new Function("specs", "handoffs", "context", source) as Factory;
    factories.set(source, factory);
  }
  return factory;
}

export function fuseSubgraph({ plan, subgraph, handoffs, context }: SubgraphSetup): SubgraphRunner & { source: string } {
  const shape = plan.subgraphs[subgraph]!;
  const outgoing = outgoingEdges(plan);
  const entries = new Array<number>(plan.nodes.length).fill(0);
  for (const e of plan.edges) entries[e.to]!++;

  let counter = 0;
  const fresh = (): string => `v${counter++}`;
  const functions: string[] = [];
  const fields = new Map<string, string>();
  const inputFunctions = new Set<string>();
  const usedHandoffs = new Set<number>();
  const handoff = (i: number): string => {
    usedHandoffs.add(i);
    return `h${i}`;
  };

  const contextFor = (node: number): CodeContext => ({
    field: (name) => {
      const local = `o${node}_${name}`;
      fields.set(local, `const ${local} = o${node}.${name};`);
      return local;
    },
    instance: () => {
      const local = `o${node}_self`;
      fields.set(local, `const ${local} = o${node};`);
      return local;
    },
    emit: (port, value) => emitCode(node, port, value),
    fresh,
  });

  const emitCode = (node: number, port: number, value: string): string =>
    outgoing[node]![port]!.map((i) => {
      if (handoffs[i]) return `${handoff(i)}.push(${value});`;
      const { to, toPort } = plan.edges[i]!;
      return `{\n${inputCode(to, toPort, value)}\n}`;
    }).join("\n");

  const inputCode = (node: number, port: number, value: string): string => {
    if (entries[node]! <= 1) return inputBody(node, port, value);
    const inline = inputBody(node, port, value);
    if (inline.length <= INLINE_LIMIT) return inline;
    const name = `in_${node}_${port}`;
    if (!inputFunctions.has(name)) {
      inputFunctions.add(name);
      const param = fresh();
      functions.push(`function ${name}(${param}) {\n${inputBody(node, port, param)}\n}`);
    }
    return `${name}(${value});`;
  };

  const inputBody = (node: number, port: number, value: string): string => {
    const template = plan.nodes[node]!.spec.fused?.input;
    return template ? template(contextFor(node), port, value) : `o${node}.input(${port}, ${value});`;
  };

  // Loops over a source's items or a handoff's are collected here and placed at the end (see
  // `runCode`); `loop` leaves a mark where one goes.
  const loops: string[] = [];
  const loop = (body: string): string => {
    loops.push(body);
    return `/*loop${loops.length - 1}*/`;
  };

  const drain = (edges: readonly number[]): string =>
    edges
      .map((i) => {
        const { to, toPort } = plan.edges[i]!;
        const items = fresh();
        const index = fresh();
        const item = fresh();
        return loop(`const ${items} = ${handoff(i)}.take();
for (let ${index} = 0; ${index} < ${items}.length; ${index}++) {
const ${item} = ${items}[${index}];
${inputCode(to, toPort, item)}
}`);
      })
      .join("\n");

  const inlined = (node: number): boolean => plan.nodes[node]!.spec.fused !== undefined;
  const instantiations = shape.nodes.map((node) => {
    // Inlined operators are only read (their fields), never called, so they need no outputs.
    const outputs = inlined(node)
      ? []
      : outgoing[node]!.map((_, port) => {
          const name = `emit_${node}_${port}`;
          const param = fresh();
          functions.push(`function ${name}(${param}) {\n${emitCode(node, port, param)}\n}`);
          return name;
        });
    return `const o${node} = specs[${node}].instantiate([${outputs.join(", ")}], context);`;
  });
  const startCode = (node: number): string => {
    const start = plan.nodes[node]!.spec.fused?.start;
    if (start) return loop(start(contextFor(node)));
    return inlined(node) ? "" : `o${node}.start?.();`;
  };
  const { blocking, streaming } = inboundHandoffs(plan, subgraph);
  // As when each operator runs alone (the interpreter), an operator takes its blocking inputs and
  // starts before anything else reaches it in the tick, so what its 'static state replays is only
  // what earlier ticks stored. Operators are prepared downstream first, so that what one emits
  // while being prepared reaches operators that are ready; then sources start, in order.
  const isSource = (node: number) => plan.nodes[node]!.spec.inputs.length === 0;
  const prepare = [...shape.nodes]
    .reverse()
    .filter((node) => !isSource(node))
    .flatMap((node) => {
      const start = startCode(node);
      return [drain(blocking.filter((i) => plan.edges[i]!.to === node)), start && `if (first) {\n${start}\n}`].filter((code) => code !== "");
    });
  const sourceStarts = shape.nodes.filter(isSource).map(startCode);
  const finishes = shape.nodes.map((node) => (inlined(node) ? "" : `o${node}.finish?.();`)).join("\n");
  const drainStreaming = drain(streaming);

  const runBody = `${prepare.join("\n")}
if (first) {
${sourceStarts.join("\n")}
}
${drainStreaming}
if (first) {
${finishes}
}`;

  const handoffLocals = [...usedHandoffs].map((i) => `const h${i} = handoffs[${i}];`);
  // Locals shadow the closure's variables: V8 keeps these in registers in the hot loops.
  const locals = [...handoffLocals, ...fields.values()].join("\n");
  const withLocals = (body: string) => `${locals}\n${body}`;
  // When a subgraph has several big loops, each becomes a function of its own: V8 then optimizes
  // each with its own inlining budget (spent, say, on a join's neighbours) instead of one budget
  // for all of them. Otherwise loops stay in line, where they run a little faster.
  const bigLoops = loops.flatMap((body, i) => (body.length >= LOOP_FUNCTION_SIZE ? [i] : []));
  const ownFunction = new Set(bigLoops.length > 1 ? bigLoops : []);
  const loopFunctions = [...ownFunction].map((i) => `function loop${i}() {\n${withLocals(loops[i]!)}\n}`);
  const runCode = runBody.replace(/\/\*loop(\d+)\*\//g, (_, i: string) => (ownFunction.has(Number(i)) ? `loop${i}();` : `{\n${loops[Number(i)]}\n}`));
  const source = `"use strict";
${handoffLocals.join("\n")}
${functions.join("\n")}
${loopFunctions.join("\n")}
${instantiations.join("\n")}
${[...fields.values()].join("\n")}
return {
instances: [${shape.nodes.map((n) => `o${n}`).join(", ")}],
run(first) {
${withLocals(runCode)}
},
};`;
  const compiled = compile(source)(
    plan.nodes.map((n) => n.spec),
    handoffs,
    context,
  );
  const inputs = [...blocking, ...streaming].map((i) => handoffs[i]!);
  return {
    stratum: shape.stratum,
    instances: compiled.instances,
    run: compiled.run,
    hasInput: () => inputs.some((h) => h.hasItems()),
    source,
  };
}
