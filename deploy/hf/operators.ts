/**
 * The operators a `.hf` program may use: Hydroflow's names for runtime/dataflow's operators, with
 * what each takes (arguments, persistence lifetimes), its ports, and the Graph API call it becomes
 * (hf/codegen.ts). The README's operator table is this table.
 */
import type { Code } from "./ast.js";

/** A piece of generated code: text, or an argument's TypeScript copied with its position. */
export type Piece = string | Code;

/** Where an operator's inputs come from: none (a source), one, any number (union), or two named ports. */
export type Inputs =
  | { kind: "none" }
  | { kind: "one" }
  | { kind: "any" }
  /** Exactly these ports, each connected once; `aliases` maps other labels to them (`[0]` for `[pos]`). */
  | { kind: "ports"; ports: readonly string[]; aliases?: Readonly<Record<string, string>> };

/** Its outputs: none (a sink), one (a plain stream, usable several times), or named by the program (demux, partition, tee). */
export type Outputs = "none" | "one" | "named";

export interface Operator {
  name: string;
  /** Fewest and most arguments. */
  args: readonly [number, number];
  /** Fewest and most persistence lifetimes (`::<'static>`). */
  lifetimes: readonly [number, number];
  inputs: Inputs;
  outputs: Outputs;
  /** What it does, for the README's table. */
  summary: string;
  /**
   * The call that builds it. A source or a one-input operator returns the expression of its
   * output stream (`input` is its input stream); a multi-input one, the expression of its node.
   * The graph is `__g` (hf/codegen.ts).
   */
  build(input: string, args: readonly Code[], persistence: readonly string[], outputs: readonly string[], itemType?: string): Piece[];
}

const listOf = (args: readonly Code[]): Piece[] => args.flatMap((arg, i) => (i === 0 ? [arg] : [", ", arg]));
/** `"static"`, or `["static", "tick"]` for two lifetimes; undefined for none. */
const persistenceValue = (lifetimes: readonly string[]) =>
  lifetimes.length === 0 ? undefined : lifetimes.length === 1 ? JSON.stringify(lifetimes[0]) : `[${lifetimes.map((l) => JSON.stringify(l)).join(", ")}]`;
const options = (lifetimes: readonly string[]) => {
  const value = persistenceValue(lifetimes);
  return value ? `{ persistence: ${value} }` : "";
};
const method =
  (name: string) =>
  (input: string, args: readonly Code[]): Piece[] => [`${input}.${name}(`, ...listOf(args), ")"];
/** A method whose output item type may be given (`map<T>`), so that a closure returning `[data, to]` for an output port is typed as that pair. */
const typedMethod =
  (name: string) =>
  (input: string, args: readonly Code[], _lifetimes: readonly string[], _outputs: readonly string[], itemType?: string): Piece[] => [
    `${input}.${name}${itemType ? `<${itemType}>` : ""}(`,
    ...listOf(args),
    ")",
  ];
const methodWithPersistence =
  (name: string) =>
  (input: string, args: readonly Code[], lifetimes: readonly string[]): Piece[] => {
    const option = options(lifetimes);
    return [`${input}.${name}(`, ...listOf(args), args.length && option ? ", " : "", option, ")"];
  };
const withLifetimeArgument =
  (name: string) =>
  (input: string, _args: readonly Code[], lifetimes: readonly string[]): Piece[] => [`${input}.${name}(${persistenceValue(lifetimes) ?? ""})`];
const graphCall =
  (name: string, typeArguments = "") =>
  (_input: string, args: readonly Code[]): Piece[] => [`__g.${name}${typeArguments}(`, ...listOf(args), ")"];
/**
 * A multi-input node is made before its inputs exist (a cycle may run through it), so TypeScript
 * cannot infer its item types: they are `any` (and its inlets take any stream, hf/codegen.ts).
 */
const nodeWithPersistence =
  (name: string, typeArguments: string) =>
  (_input: string, _args: readonly Code[], lifetimes: readonly string[]): Piece[] => [`__g.${name}${typeArguments}(${options(lifetimes)})`];
const outputNames = (outputs: readonly string[]) => `[${outputs.map((name) => JSON.stringify(name)).join(", ")}]`;

const ONE = { kind: "one" } as const;
const NONE = { kind: "none" } as const;
const PAIR = { kind: "ports", ports: ["0", "1"] } as const;
const NEGATION = { kind: "ports", ports: ["pos", "neg"], aliases: { "0": "pos", "1": "neg" } } as const;

const table: Operator[] = [
  {
    name: "source_iter",
    args: [1, 1],
    lifetimes: [0, 0],
    inputs: NONE,
    outputs: "one",
    summary: "the items of an iterable, in the first tick",
    build: graphCall("sourceIter"),
  },
  {
    name: "source_stream",
    args: [1, 1],
    lifetimes: [0, 0],
    inputs: NONE,
    outputs: "one",
    summary: "the items of an async iterable, as they come",
    build: graphCall("sourceStream"),
  },
  {
    name: "source_interval",
    args: [1, 1],
    lifetimes: [0, 0],
    inputs: NONE,
    outputs: "one",
    summary: "the time, every `ms` milliseconds",
    build: graphCall("sourceInterval"),
  },
  {
    name: "initialize",
    args: [0, 0],
    lifetimes: [0, 0],
    inputs: NONE,
    outputs: "one",
    summary: "one `undefined`, in the first tick",
    build: graphCall("initialize"),
  },
  { name: "map", args: [1, 1], lifetimes: [0, 0], inputs: ONE, outputs: "one", summary: "`f(item)`", build: typedMethod("map") },
  { name: "filter", args: [1, 1], lifetimes: [0, 0], inputs: ONE, outputs: "one", summary: "the items `f` keeps", build: method("filter") },
  { name: "filter_map", args: [1, 1], lifetimes: [0, 0], inputs: ONE, outputs: "one", summary: "`f(item)`, unless undefined", build: typedMethod("filterMap") },
  { name: "flat_map", args: [1, 1], lifetimes: [0, 0], inputs: ONE, outputs: "one", summary: "every item of `f(item)`", build: typedMethod("flatMap") },
  { name: "inspect", args: [1, 1], lifetimes: [0, 0], inputs: ONE, outputs: "one", summary: "each item, after calling `f` on it", build: method("inspect") },
  {
    name: "enumerate",
    args: [0, 0],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "`[index, item]`, counted per tick or `'static`",
    build: withLifetimeArgument("enumerate"),
  },
  {
    name: "tee",
    args: [0, 0],
    lifetimes: [0, 0],
    inputs: ONE,
    outputs: "named",
    summary: "every item to every output (`t[0]`, `t[1]`, …)",
    build: method("tee"),
  },
  {
    name: "union",
    args: [0, 0],
    lifetimes: [0, 0],
    inputs: { kind: "any" },
    outputs: "one",
    summary: "the items of every input",
    build: graphCall("union", "<any>"),
  },
  {
    name: "merge",
    args: [0, 0],
    lifetimes: [0, 0],
    inputs: { kind: "any" },
    outputs: "one",
    summary: "`union`'s older name",
    build: graphCall("union", "<any>"),
  },
  {
    name: "demux",
    args: [1, 1],
    lifetimes: [0, 0],
    inputs: ONE,
    outputs: "named",
    summary: "`f(item, out)` calls `out.<port>(value)` for the outputs it picks (`d[port]`)",
    build: (input, args, _lifetimes, outputs) => [`${input}.demux(${outputNames(outputs)}, `, args[0]!, ")"],
  },
  {
    name: "demux_enum",
    args: [0, 1],
    lifetimes: [0, 0],
    inputs: ONE,
    outputs: "named",
    summary: 'each item to the output named by its tag field (`"kind"`, or the argument; of `data` in an input\'s `[data, from]`): `d[Put]`',
    // An input's items are [data, from] pairs: the tag is data's.
    build: (input, args, _lifetimes, outputs) => [
      `${input}.partition(${outputNames(outputs)}, (item: any) => String((Array.isArray(item) ? item[0] : item)[`,
      ...(args.length ? [args[0]!] : ['"kind"']),
      "]))",
    ],
  },
  {
    name: "partition",
    args: [1, 1],
    lifetimes: [0, 0],
    inputs: ONE,
    outputs: "named",
    summary: "each item to the output `f(item)` names (a port name, or its index)",
    build: (input, args, _lifetimes, outputs) => [`${input}.partition(${outputNames(outputs)}, (item) => String((`, args[0]!, ")(item)))"],
  },
  {
    name: "join",
    args: [0, 0],
    lifetimes: [0, 2],
    inputs: PAIR,
    outputs: "one",
    summary: "`[k, [v, w]]` for `[k, v]` at `[0]` and `[k, w]` at `[1]`",
    build: nodeWithPersistence("join", "<any, any, any>"),
  },
  {
    name: "cross_join",
    args: [0, 0],
    lifetimes: [0, 2],
    inputs: PAIR,
    outputs: "one",
    summary: "`[a, b]` for every `a` at `[0]` and `b` at `[1]`",
    build: nodeWithPersistence("crossJoin", "<any, any>"),
  },
  {
    name: "anti_join",
    args: [0, 0],
    lifetimes: [0, 2],
    inputs: NEGATION,
    outputs: "one",
    summary: "the `[k, v]` at `[pos]` whose `k` is not at `[neg]`",
    build: nodeWithPersistence("antiJoin", "<any, any>"),
  },
  {
    name: "difference",
    args: [0, 0],
    lifetimes: [0, 2],
    inputs: NEGATION,
    outputs: "one",
    summary: "the items at `[pos]` not at `[neg]`",
    build: nodeWithPersistence("difference", "<any>"),
  },
  {
    name: "fold",
    args: [2, 2],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "`combine(acc, item)` from `init()`, once per tick",
    build: methodWithPersistence("fold"),
  },
  {
    name: "reduce",
    args: [1, 1],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "`combine(acc, item)` from the first item",
    build: methodWithPersistence("reduce"),
  },
  {
    name: "fold_keyed",
    args: [2, 2],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "`fold` per key of `[k, v]` items",
    build: methodWithPersistence("foldKeyed"),
  },
  {
    name: "reduce_keyed",
    args: [1, 1],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "`reduce` per key of `[k, v]` items",
    build: methodWithPersistence("reduceKeyed"),
  },
  {
    name: "unique",
    args: [0, 0],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "each distinct item once per tick, or once ever (`'static`)",
    build: withLifetimeArgument("unique"),
  },
  {
    name: "sort",
    args: [0, 1],
    lifetimes: [0, 0],
    inputs: ONE,
    outputs: "one",
    summary: "the tick's items in order (`compare`, optional)",
    build: method("sort"),
  },
  {
    name: "persist",
    args: [0, 0],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "every item so far, every tick (`'static` only)",
    build: (input) => [`${input}.persist()`],
  },
  {
    name: "lattice_fold",
    args: [1, 1],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "the lattice merge of the items, from `bottom()`",
    build: methodWithPersistence("latticeFold"),
  },
  {
    name: "lattice_reduce",
    args: [0, 0],
    lifetimes: [0, 1],
    inputs: ONE,
    outputs: "one",
    summary: "the lattice merge of the items",
    build: methodWithPersistence("latticeReduce"),
  },
  {
    name: "next_stratum",
    args: [0, 0],
    lifetimes: [0, 0],
    inputs: ONE,
    outputs: "one",
    summary: "the items, in a later stratum",
    build: method("nextStratum"),
  },
  { name: "defer_tick", args: [0, 0], lifetimes: [0, 0], inputs: ONE, outputs: "one", summary: "the items, in the next tick", build: method("deferTick") },
  { name: "for_each", args: [1, 1], lifetimes: [0, 0], inputs: ONE, outputs: "none", summary: "calls `f` on each item", build: method("forEach") },
  { name: "dest_sink", args: [1, 1], lifetimes: [0, 0], inputs: ONE, outputs: "none", summary: "writes each item to a `Sink`", build: method("destSink") },
  { name: "null", args: [0, 0], lifetimes: [0, 0], inputs: ONE, outputs: "none", summary: "drops every item", build: method("null") },
];

export const OPERATORS: ReadonlyMap<string, Operator> = new Map(table.map((operator) => [operator.name, operator]));

/** Operators whose `'static` is the only persistence there is. */
export const STATIC_ONLY = new Set(["persist"]);

/** The known names closest to `name` (at most three, by edit distance), for "did you mean". */
export function closestNames(name: string, candidates: Iterable<string>): string[] {
  return [...candidates]
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(({ distance, candidate }) => distance <= Math.max(2, Math.floor(candidate.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
