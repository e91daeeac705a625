import type { Emit, OperatorInstance, OperatorSpec } from "../operator.js";
import { persistenceLabel, type Persistence } from "../persistence.js";
import { valueKey } from "../value-key.js";
import type { Lattice } from "../../lattices/lattice.js";

/** Marks an accumulator that has seen nothing yet (reductions have no initial value). */
const EMPTY = Symbol("empty");

/** How items are combined into an accumulator; shared by the whole-stream and keyed forms. */
export interface Aggregation {
  kind: string;
  args: string[];
  seed(): unknown;
  step(accumulator: unknown, item: unknown): unknown;
}

export function folding(init: () => unknown, combine: (acc: never, item: never) => unknown): Aggregation {
  const f = combine as (acc: unknown, item: unknown) => unknown;
  return { kind: "fold", args: [init.toString(), combine.toString()], seed: init, step: f };
}

export function reducing(combine: (acc: never, item: never) => unknown): Aggregation {
  const f = combine as (acc: unknown, item: unknown) => unknown;
  return {
    kind: "reduce",
    args: [combine.toString()],
    seed: () => EMPTY,
    step: (acc, item) => (acc === EMPTY ? item : f(acc, item)),
  };
}

type AnyLattice = Lattice<unknown>;

export function latticeFolding(bottom: () => AnyLattice): Aggregation {
  return {
    kind: "latticeFold",
    args: [bottom.toString()],
    seed: bottom,
    step: (acc, item) => {
      (acc as AnyLattice).merge(item);
      return acc;
    },
  };
}

export function latticeReducing(): Aggregation {
  return {
    kind: "latticeReduce",
    args: [],
    seed: () => EMPTY,
    // The first item is copied so that merging never mutates a value someone else holds.
    step: (acc, item) => {
      if (acc === EMPTY) return (item as AnyLattice).clone();
      (acc as AnyLattice).merge(item);
      return acc;
    },
  };
}

function label(aggregation: Aggregation, keyed: boolean, persistence: Persistence | undefined): string {
  const kind = keyed ? `${aggregation.kind}Keyed` : aggregation.kind;
  const args = aggregation.args.map((a) => a.replace(/\s+/g, " ")).join(", ");
  return `${kind}${persistenceLabel(persistence)}(${args.length > 48 ? `${args.slice(0, 47)}…` : args})`;
}

/** Blocking: combines the tick's input (or all input, `'static`) and emits the result once per tick. */
class Aggregate implements OperatorInstance {
  private accumulator: unknown;

  constructor(
    private readonly emit: Emit,
    private readonly aggregation: Aggregation,
    private readonly persistence: Persistence,
  ) {
    this.accumulator = aggregation.seed();
  }

  input(_port: number, item: unknown): void {
    this.accumulator = this.aggregation.step(this.accumulator, item);
  }

  finish(): void {
    if (this.accumulator !== EMPTY) this.emit(this.accumulator);
  }

  endTick(): void {
    if (this.persistence === "tick") this.accumulator = this.aggregation.seed();
  }
}

/** Blocking: combines the values of `[key, value]` items per key and emits `[key, result]` per key. */
class KeyedAggregate implements OperatorInstance {
  private readonly groups = new Map<unknown, { key: unknown; accumulator: unknown }>();

  constructor(
    private readonly emit: Emit,
    private readonly aggregation: Aggregation,
    private readonly persistence: Persistence,
  ) {}

  input(_port: number, item: unknown): void {
    const [key, value] = item as readonly [unknown, unknown];
    const id = valueKey(key);
    let group = this.groups.get(id);
    if (group === undefined) {
      group = { key, accumulator: this.aggregation.seed() };
      this.groups.set(id, group);
    }
    group.accumulator = this.aggregation.step(group.accumulator, value);
  }

  finish(): void {
    for (const { key, accumulator } of this.groups.values()) this.emit([key, accumulator]);
  }

  endTick(): void {
    if (this.persistence === "tick") this.groups.clear();
  }
}

export function aggregate(aggregation: Aggregation, options: { keyed: boolean; persistence?: Persistence }): OperatorSpec {
  const persistence = options.persistence ?? "tick";
  const Instance = options.keyed ? KeyedAggregate : Aggregate;
  return {
    kind: options.keyed ? `${aggregation.kind}Keyed` : aggregation.kind,
    label: label(aggregation, options.keyed, options.persistence),
    inputs: [{ name: "0", blocking: true }],
    outputs: ["0"],
    instantiate: (out) => new Instance(out[0]!, aggregation, persistence),
  };
}
