/**
 * A module's statements as a graph of operators and edges, checked (hf/graph.ts): every name
 * known, every operator known (with the closest names when not), its arguments, lifetimes and
 * ports as the operator table says, every output used. Errors are HfErrors at the `.hf` position.
 */
import type { Module, OperatorUse, Param, PortLabel, Position, Program, Step } from "./ast.js";
import { HfError } from "./errors.js";
import { closestNames, OPERATORS, STATIC_ONLY, type Operator } from "./operators.js";

export interface HfNode {
  id: number;
  /** An operator, or one of the module's own ports (an input sends into the graph, an output receives from it). */
  kind: "operator" | "input" | "output";
  /** The operator's name, or the port's. */
  name: string;
  operator?: Operator;
  use?: OperatorUse;
  param?: Param;
  at: Position;
  ins: HfEdge[];
  outs: HfEdge[];
}

export interface HfEdge {
  from: HfNode;
  /** The output label written (`t[1]`), if any. */
  fromPort: PortLabel | undefined;
  to: HfNode;
  /** The input port, as the operator names it (`"0"`, `"neg"`), when it has named ports. */
  toPort: string | undefined;
  at: Position;
}

export interface HfGraph {
  module: Module;
  nodes: HfNode[];
  edges: HfEdge[];
}

/** Where a step sends or receives: a node, and the port label written on the step or its variable. */
interface End {
  node: HfNode;
  port: PortLabel | undefined;
}

export function buildGraph(program: Program, module: Module, file: string): HfGraph {
  const fail = (at: Position, problem: string): never => {
    throw new HfError(file, at, problem);
  };
  const nodes: HfNode[] = [];
  const edges: HfEdge[] = [];
  const node = (kind: HfNode["kind"], name: string, at: Position, extra: Partial<HfNode> = {}): HfNode => {
    const created: HfNode = { id: nodes.length, kind, name, at, ins: [], outs: [], ...extra };
    nodes.push(created);
    return created;
  };

  const params = new Map<string, HfNode>();
  for (const param of module.params) {
    if (params.has(param.name)) fail(param.at, `module ${module.name} has two parameters named ${param.name}`);
    params.set(param.name, node(param.direction, param.name, param.at, { param }));
  }
  const variables = new Map<string, { steps: Step[]; at: Position }>();
  for (const statement of module.statements) {
    if (!statement.name) continue;
    const name = statement.name.text;
    if (params.has(name)) fail(statement.name.at, `${name} is already the ${params.get(name)!.kind} of module ${module.name}`);
    const earlier = variables.get(name);
    if (earlier) fail(statement.name.at, `${name} is already defined (at ${earlier.at.line}:${earlier.at.column})`);
    variables.set(name, { steps: statement.pipeline.steps, at: statement.name.at });
  }

  const operatorNodes = new Map<OperatorUse, HfNode>();
  const modules = new Set(program.modules.map((m) => m.name));
  for (const statement of module.statements) {
    for (const step of statement.pipeline.steps) {
      if (step.node.kind !== "operator") continue;
      operatorNodes.set(step.node, node("operator", step.node.name, step.node.at, { operator: operatorOf(step.node), use: step.node }));
    }
  }

  function operatorOf(use: OperatorUse): Operator {
    const operator = OPERATORS.get(use.name);
    if (!operator) {
      if (modules.has(use.name)) return fail(use.at, `module ${use.name}: using a module as an operator is not supported yet; write its operators in main`);
      const close = closestNames(use.name, OPERATORS.keys());
      return fail(use.at, `unknown operator ${use.name}()${close.length ? `; did you mean ${close.map((name) => `${name}()`).join(", ")}?` : ""}`);
    }
    const [fewest, most] = operator.args;
    if (use.args.length < fewest || use.args.length > most) {
      const wanted = fewest === most ? `${fewest}` : `${fewest} to ${most}`;
      fail(use.at, `${use.name}() takes ${wanted} argument${most === 1 && fewest === most ? "" : "s"}, got ${use.args.length}`);
    }
    const [least, greatest] = operator.lifetimes;
    if (use.lifetimes.length > greatest) {
      fail(
        use.lifetimes[greatest]?.at ?? use.at,
        greatest === 0
          ? `${use.name}() takes no persistence lifetime`
          : `${use.name}() takes at most ${greatest} persistence lifetime${greatest === 1 ? "" : "s"}`,
      );
    }
    if (use.lifetimes.length < least) fail(use.at, `${use.name}() needs a persistence lifetime`);
    for (const lifetime of use.lifetimes) {
      if (lifetime.text !== "tick" && lifetime.text !== "static") fail(lifetime.at, `unknown persistence '${lifetime.text}: use 'tick or 'static`);
      if (STATIC_ONLY.has(use.name) && lifetime.text !== "static") fail(lifetime.at, `${use.name}() keeps items for the flow's life: only 'static`);
    }
    return operator;
  }

  /** Where a step sends from: its operator, or what its name stands for. */
  const sourceOf = (step: Step, seen = new Set<string>()): End => {
    if (step.node.kind === "operator") return { node: operatorNodes.get(step.node)!, port: step.outPort };
    const name = step.node.name;
    const param = params.get(name);
    if (param) {
      if (param.kind === "output") fail(step.node.at, `${name} is an output of module ${module.name}: it can only receive (… -> ${name})`);
      return { node: param, port: step.outPort };
    }
    const variable = variables.get(name) ?? fail(step.node.at, unknownName(name));
    if (seen.has(name)) fail(step.node.at, `${name} is defined as itself`);
    const end = sourceOf(variable.steps.at(-1)!, new Set([...seen, name]));
    if (step.outPort && end.port) fail(step.outPort.at, `${name} already ends with port [${end.port.text}]`);
    return { node: end.node, port: step.outPort ?? end.port };
  };

  /** Where a step receives: its operator, or what its name stands for. */
  const targetOf = (step: Step, seen = new Set<string>()): End => {
    if (step.node.kind === "operator") return { node: operatorNodes.get(step.node)!, port: step.inPort };
    const name = step.node.name;
    const param = params.get(name);
    if (param) {
      if (param.kind === "input") fail(step.node.at, `${name} is an input of module ${module.name}: it can only send (${name} -> …)`);
      return { node: param, port: step.inPort };
    }
    const variable = variables.get(name) ?? fail(step.node.at, unknownName(name));
    if (seen.has(name)) fail(step.node.at, `${name} is defined as itself`);
    const end = targetOf(variable.steps[0]!, new Set([...seen, name]));
    if (step.inPort && end.port) fail(step.inPort.at, `${name} already begins with port [${end.port.text}]`);
    return { node: end.node, port: step.inPort ?? end.port };
  };

  const unknownName = (name: string) => {
    const known = [...variables.keys(), ...params.keys()];
    const close = closestNames(name, known);
    const operator = OPERATORS.has(name) ? ` (the operator is written ${name}(…))` : "";
    return `unknown name ${name}${operator}: not a variable or a port of module ${module.name}${close.length ? `; did you mean ${close.join(", ")}?` : ""}`;
  };

  for (const statement of module.statements) {
    const { steps } = statement.pipeline;
    for (let i = 0; i + 1 < steps.length; i++) {
      const from = sourceOf(steps[i]!);
      const to = targetOf(steps[i + 1]!);
      const edge: HfEdge = {
        from: from.node,
        fromPort: from.port,
        to: to.node,
        toPort: inputPort(to, fail),
        at: (steps[i + 1]!.inPort ?? steps[i + 1]!.node).at,
      };
      checkOutputPort(from, fail);
      edges.push(edge);
      from.node.outs.push(edge);
      to.node.ins.push(edge);
    }
  }

  for (const each of nodes) checkConnected(each, module, fail);
  return { module, nodes, edges };
}

/** The input port an edge enters by, as the target names it; refused when the target has no such port. */
function inputPort({ node, port }: End, fail: (at: Position, problem: string) => never): string | undefined {
  const what = describe(node);
  if (node.kind === "output") {
    if (port) fail(port.at, `${what} has one input: [${port.text}] names none`);
    return undefined;
  }
  if (node.kind === "input") return undefined;
  const inputs = node.operator!.inputs;
  switch (inputs.kind) {
    case "none":
      return fail(node.at, `${what} is a source: nothing can be sent into it`);
    case "one":
      if (port && port.text !== "0") fail(port.at, `${what} has one input: [${port.text}] names none`);
      return undefined;
    case "any":
      return undefined;
    case "ports": {
      if (!port) return fail(node.at, `${what} has inputs ${inputs.ports.map((p) => `[${p}]`).join(" and ")}: say which, as in -> [${inputs.ports[0]}]name`);
      const resolved = inputs.aliases?.[port.text] ?? port.text;
      if (!inputs.ports.includes(resolved))
        fail(port.at, `${what} has no input [${port.text}]; its inputs are ${inputs.ports.map((p) => `[${p}]`).join(" and ")}`);
      return resolved;
    }
  }
}

function checkOutputPort({ node, port }: End, fail: (at: Position, problem: string) => never): void {
  if (!port) return;
  if (node.kind === "input") fail(port.at, `${describe(node)} has one output: [${port.text}] names none`);
  const outputs = node.operator?.outputs;
  if (outputs === "one") fail(port.at, `${describe(node)} has one output: [${port.text}] names none (use it several times, or tee())`);
}

function checkConnected(node: HfNode, module: Module, fail: (at: Position, problem: string) => never): void {
  const what = describe(node);
  if (node.kind === "input") {
    if (node.outs.length === 0) fail(node.at, `input ${node.name} of module ${module.name} is not used`);
    return;
  }
  if (node.kind === "output") {
    if (node.ins.length === 0) fail(node.at, `output ${node.name} of module ${module.name} is sent nothing`);
    return;
  }
  const operator = node.operator!;
  const { inputs } = operator;
  if (inputs.kind === "one" && node.ins.length === 0) fail(node.at, `${what} has no input`);
  if (inputs.kind === "one" && node.ins.length > 1) fail(node.ins[1]!.at, `${what} has ${node.ins.length} inputs; merge them first with union()`);
  if (inputs.kind === "any" && node.ins.length === 0) fail(node.at, `${what} has no input`);
  if (inputs.kind === "ports") {
    for (const port of inputs.ports) {
      const into = node.ins.filter((edge) => edge.toPort === port);
      if (into.length === 0) fail(node.at, `${what}: its input [${port}] is not connected`);
      if (into.length > 1) fail(into[1]!.at, `${what}: its input [${port}] is connected twice; merge them first with union()`);
    }
  }
  if (operator.outputs === "none") {
    if (node.outs.length > 0) fail(node.outs[0]!.at, `${what} is a sink: it has no output to send on`);
  } else if (node.outs.length === 0) {
    fail(node.at, `the output of ${what} is not used: send it on, or end the pipeline with null()`);
  } else if (operator.outputs === "named") {
    const unlabeled = node.outs.find((edge) => !edge.fromPort);
    if (unlabeled && operator.name !== "tee")
      fail(unlabeled.at, `${what} has named outputs: say which, as in name[${operator.name === "partition" ? "0" : "Put"}] -> …`);
  }
}

const describe = (node: HfNode) => (node.kind === "operator" ? `${node.name}()` : `${node.kind} ${node.name}`);
