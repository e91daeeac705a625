import type { CodeContext, Emit, OperatorSpec } from "../operator.js";
import { call, describeFunction } from "../label.js";

/**
 * Stateless one-in one-out operators. Each has an interpreted step and the same step as inlined
 * code; the fused-vs-unfused property test keeps the two in agreement.
 */
interface Elementwise {
  step(fn: (item: unknown) => unknown, item: unknown, emit: Emit): void;
  code(fn: string, item: string, code: CodeContext): string;
}

const ELEMENTWISE = {
  map: {
    step: (fn, item, emit) => emit(fn(item)),
    code: (fn, item, c) => {
      const v = c.fresh();
      return `const ${v} = ${fn}(${item});\n${c.emit(0, v)}`;
    },
  },
  filter: {
    step: (fn, item, emit) => {
      if (fn(item)) emit(item);
    },
    code: (fn, item, c) => `if (${fn}(${item})) {\n${c.emit(0, item)}\n}`,
  },
  filterMap: {
    step: (fn, item, emit) => {
      const out = fn(item);
      if (out !== undefined) emit(out);
    },
    code: (fn, item, c) => {
      const v = c.fresh();
      return `const ${v} = ${fn}(${item});\nif (${v} !== undefined) {\n${c.emit(0, v)}\n}`;
    },
  },
  flatMap: {
    step: (fn, item, emit) => {
      for (const out of fn(item) as Iterable<unknown>) emit(out);
    },
    code: (fn, item, c) => {
      const v = c.fresh();
      return `for (const ${v} of ${fn}(${item})) {\n${c.emit(0, v)}\n}`;
    },
  },
  inspect: {
    step: (fn, item, emit) => {
      fn(item);
      emit(item);
    },
    code: (fn, item, c) => `${fn}(${item});\n${c.emit(0, item)}`,
  },
  forEach: {
    step: (fn, item) => {
      fn(item);
    },
    code: (fn, item) => `${fn}(${item});`,
  },
} satisfies Record<string, Elementwise>;

export type ElementwiseKind = keyof typeof ELEMENTWISE;

export function elementwise(kind: ElementwiseKind, fn: (item: never) => unknown): OperatorSpec {
  const { step, code } = ELEMENTWISE[kind] as Elementwise;
  const f = fn as (item: unknown) => unknown;
  return {
    kind,
    label: call(kind, describeFunction(fn)),
    inputs: [{ name: "0" }],
    outputs: kind === "forEach" ? [] : ["0"],
    instantiate: (out) => ({ f, input: (_port, item) => step(f, item, out[0]!) }),
    fused: { input: (c, _port, item) => code(c.field("f"), item, c) },
  };
}

/**
 * Passes items through unchanged: `union` (every edge into its one port is merged), `tee` (every
 * edge out of it gets every item), `nextStratum` (a blocking input that only moves its output
 * to a later stratum) and `deferTick` (its input edge delivers in the next tick).
 */
export function identity(kind: "union" | "tee" | "nextStratum" | "deferTick"): OperatorSpec {
  return {
    kind,
    label: call(kind),
    inputs: [{ name: "0", blocking: kind === "nextStratum", nextTick: kind === "deferTick" }],
    outputs: ["0"],
    instantiate: (out) => ({ input: (_port, item) => out[0]!(item) }),
    fused: { input: (c, _port, item) => c.emit(0, item) },
  };
}

/** Drops everything it receives (DFIR `null()`). */
export function discard(): OperatorSpec {
  return {
    kind: "null",
    label: call("null"),
    inputs: [{ name: "0" }],
    outputs: [],
    instantiate: () => ({ input: () => {} }),
    fused: { input: () => "" },
  };
}
