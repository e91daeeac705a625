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
  /**
   * A module used as an operator is expanded in place (hf/graph.ts expand): its nodes carry the
   * instance's path (`halve`, `halve#2/inner`), pictures group them under it. Undefined in main.
   */
  scope?: string;
  /** For the tee or union that stands for an instance's input or output: which parameter of which module. */
  role?: { module: string; param: Param };
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

/** The most operators a program may expand to (modules used inside modules multiply). */
const MAX_NODES = 20_000;

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

export function buildGraph(program: Program, main: Module, file: string): HfGraph {
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
  const modules = new Map(program.modules.map((m) => [m.name, m]));
  const instances = new Map<string, number>();

  /** A module's parameters by name, each the node that stands for it where the module is expanded. */
  type Params = Map<string, { node: HfNode; direction: Param["direction"] }>;

  /** Adds `module`'s operators and edges, its parameters standing for `params`; `scope` names the instance (main: none). */
  function expand(module: Module, scope: string | undefined, params: Params, using: readonly string[]): void {
    const variables = new Map<string, { steps: Step[]; at: Position }>();
    for (const statement of module.statements) {
      if (!statement.name) continue;
      const name = statement.name.text;
      if (params.has(name)) fail(statement.name.at, `${name} is already the ${params.get(name)!.direction} of module ${module.name}`);
      const earlier = variables.get(name);
      if (earlier) fail(statement.name.at, `${name} is already defined (at ${earlier.at.line}:${earlier.at.column})`);
      variables.set(name, { steps: statement.pipeline.steps, at: statement.name.at });
    }

    /** Per operator use: its node, or for a module used as an operator, the nodes of the instance's parameters. */
    const operatorNodes = new Map<OperatorUse, HfNode>();
    const instanceParams = new Map<OperatorUse, { module: Module; params: Params }>();
    for (const statement of module.statements) {
      for (const step of statement.pipeline.steps) {
        if (step.node.kind !== "operator") continue;
        const use = step.node;
        const used = modules.get(use.name);
        if (used && used.name !== "main") instanceParams.set(use, instantiate(used, use, scope, using));
        else operatorNodes.set(use, node("operator", use.name, use.at, { operator: operatorOf(use), use, ...(scope ? { scope } : {}) }));
      }
    }

    const unknownName = (name: string) => {
      const known = [...variables.keys(), ...params.keys()];
      const close = closestNames(name, known);
      const operator = OPERATORS.has(name) ? ` (the operator is written ${name}(…))` : "";
      return `unknown name ${name}${operator}: not a variable or a port of module ${module.name}${close.length ? `; did you mean ${close.join(", ")}?` : ""}`;
    };

    /**
     * Where a step sends from (`"output"`) or receives (`"input"`): its operator, what its name
     * stands for (a variable's last step, or its first), a module parameter, or an instance's port.
     * `outer` is the port written on a name that stands for this step (`x[low]` for `x = … -> split()`).
     */
    const endOf = (step: Step, side: Param["direction"], seen = new Set<string>(), outer?: PortLabel): End => {
      const written = side === "output" ? step.outPort : step.inPort;
      if (outer && written) fail(outer.at, `${[...seen].at(-1)} already ${side === "output" ? "ends" : "begins"} with port [${written.text}]`);
      const port = written ?? outer;
      if (step.node.kind === "operator") {
        const instance = instanceParams.get(step.node);
        if (instance) return { node: instancePort(instance, side, port, step.node), port: undefined };
        return { node: operatorNodes.get(step.node)!, port };
      }
      const name = step.node.name;
      const param = params.get(name);
      if (param) {
        // A module's input sends into its body; its output receives from it.
        if (param.direction === side)
          fail(
            step.node.at,
            side === "output"
              ? `${name} is an output of module ${module.name}: it can only receive (… -> ${name})`
              : `${name} is an input of module ${module.name}: it can only send (${name} -> …)`,
          );
        return { node: param.node, port };
      }
      const variable = variables.get(name) ?? fail(step.node.at, unknownName(name));
      if (seen.has(name)) fail(step.node.at, `${name} is defined as itself`);
      return endOf(side === "output" ? variable.steps.at(-1)! : variable.steps[0]!, side, new Set([...seen, name]), port);
    };

    for (const statement of module.statements) {
      const { steps } = statement.pipeline;
      const first = steps[0]!;
      const last = steps.at(-1)!;
      // Ports at the ends of a pipeline name something only when a name stands for it (`x = [0]j -> …`).
      if (!statement.name && first.inPort) fail(first.inPort.at, `[${first.inPort.text}] begins a pipeline that nothing sends into`);
      if (!statement.name && last.outPort) fail(last.outPort.at, `[${last.outPort.text}] ends a pipeline that sends nowhere`);
      if (steps.length === 1 && first.node.kind === "name") {
        const named = statement.name ?? fail(first.node.at, `${first.node.name}; does nothing: connect it, as in ${first.node.name} -> …`);
        // An alias (`x = y;`): what it stands for must exist.
        const seen = new Set([named.text]);
        for (let alias: Step | undefined = first; alias?.node.kind === "name";) {
          const name: string = alias.node.name;
          if (seen.has(name)) fail(alias.node.at, `${name} is defined as itself`);
          if (params.has(name)) break;
          const target: { steps: Step[] } = variables.get(name) ?? fail(alias.node.at, unknownName(name));
          seen.add(name);
          alias = target.steps.length === 1 ? target.steps[0] : undefined;
        }
      }
      for (let i = 0; i + 1 < steps.length; i++) {
        const from = endOf(steps[i]!, "output");
        const to = endOf(steps[i + 1]!, "input");
        const at = (steps[i + 1]!.inPort ?? steps[i + 1]!.node).at;
        checkOutputPort(from, fail);
        const edge: HfEdge = { from: from.node, fromPort: from.port, to: to.node, toPort: inputPort(to, fail), at };
        edges.push(edge);
        from.node.outs.push(edge);
        to.node.ins.push(edge);
      }
    }
  }

  /** A module used as an operator: a tee per input and a union per output, in the caller, stand for its parameters; its body is expanded between them. */
  function instantiate(module: Module, use: OperatorUse, outer: string | undefined, using: readonly string[]): { module: Module; params: Params } {
    if (using.includes(module.name)) fail(use.at, `module ${module.name} uses itself (${[...using, module.name].join(" → ")})`);
    if (use.args.length || use.lifetimes.length) fail(use.at, `module ${module.name} is used as ${module.name}(): it takes no arguments or lifetimes`);
    if (nodes.length > MAX_NODES)
      fail(use.at, `expanding module ${module.name} here makes more than ${MAX_NODES} operators: modules used inside modules multiply`);
    const count = (instances.get(module.name) ?? 0) + 1;
    instances.set(module.name, count);
    const scope = [outer, count === 1 ? module.name : `${module.name}#${count}`].filter(Boolean).join("/");
    const params: Params = new Map();
    for (const param of module.params) {
      if (params.has(param.name)) fail(param.at, `module ${module.name} has two parameters named ${param.name}`);
      const operator = OPERATORS.get(param.direction === "input" ? "tee" : "union")!;
      const stand: OperatorUse = { kind: "operator", name: operator.name, lifetimes: [], args: [], at: param.at };
      const created = node("operator", operator.name, param.at, { operator, use: stand, scope, role: { module: module.name, param } });
      params.set(param.name, { node: created, direction: param.direction });
    }
    expand(module, scope, params, [...using, module.name]);
    return { module, params };
  }

  /** The node an instance's `[port]` stands for; with one parameter of that direction, no port needs naming. */
  function instancePort(instance: { module: Module; params: Params }, direction: Param["direction"], port: PortLabel | undefined, use: OperatorUse): HfNode {
    const names = instance.module.params.filter((param) => param.direction === direction).map((param) => param.name);
    const listed = names.map((name) => `[${name}]`).join(", ") || "none";
    if (!port) {
      if (names.length !== 1)
        fail(
          use.at,
          `module ${instance.module.name} has ${names.length} ${direction}s (${listed}): say which, as in ${direction === "input" ? `[${names[0] ?? "x"}]${use.name}()` : `${use.name}()[${names[0] ?? "x"}]`}`,
        );
      return instance.params.get(names[0]!)!.node;
    }
    if (!names.includes(port.text)) fail(port.at, `module ${instance.module.name} has no ${direction} [${port.text}]; its ${direction}s: ${listed}`);
    return instance.params.get(port.text)!.node;
  }

  function operatorOf(use: OperatorUse): Operator {
    const operator = OPERATORS.get(use.name);
    if (!operator) {
      const close = closestNames(use.name, [...OPERATORS.keys(), ...[...modules.keys()].filter((name) => name !== "main")]);
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

  const ports: Params = new Map();
  for (const param of main.params) {
    if (ports.has(param.name)) fail(param.at, `module ${main.name} has two parameters named ${param.name}`);
    ports.set(param.name, { node: node(param.direction, param.name, param.at, { param }), direction: param.direction });
  }
  expand(main, undefined, ports, [main.name]);
  for (const each of nodes) checkConnected(each, main, fail);
  return { module: main, nodes, edges };
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
  if (outputs === "none") fail(port.at, `${describe(node)} is a sink: it has no output [${port.text}]`);
}

function checkConnected(node: HfNode, module: Module, fail: (at: Position, problem: string) => never): void {
  const what = describe(node);
  if (node.role) {
    const { param } = node.role;
    if (param.direction === "input" && node.outs.length === 0) fail(param.at, `input ${param.name} of module ${node.role.module} is not used`);
    if (param.direction === "output" && node.ins.length === 0) fail(param.at, `output ${param.name} of module ${node.role.module} is sent nothing`);
    if (param.direction === "input" && node.ins.length === 0)
      fail(param.at, `input ${param.name} of module ${node.role.module} (in ${node.scope}) is sent nothing`);
    if (param.direction === "output" && node.outs.length === 0)
      fail(param.at, `output ${param.name} of module ${node.role.module} (in ${node.scope}) is not used`);
  }
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
