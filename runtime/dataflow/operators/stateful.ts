import type { Emit, OperatorInstance, OperatorSpec } from "../operator.js";
import { persistenceLabel, type Persistence } from "../persistence.js";
import { call, describeFunction } from "../label.js";
import { valueKey } from "../value-key.js";

/** Streaming: emits each distinct item the first time it is seen this tick (or ever, `'static`). */
class Unique implements OperatorInstance {
  private readonly seen = new Set<unknown>();

  constructor(
    private readonly emit: Emit,
    private readonly persistence: Persistence,
  ) {}

  /** True the first time an item equal to `item` comes. */
  isFirst(item: unknown): boolean {
    const id = valueKey(item);
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    return true;
  }

  input(_port: number, item: unknown): void {
    if (this.isFirst(item)) this.emit(item);
  }

  endTick(): void {
    if (this.persistence === "tick") this.seen.clear();
  }
}

export function unique(persistence?: Persistence): OperatorSpec {
  return {
    kind: "unique",
    label: call(`unique${persistenceLabel(persistence)}`),
    inputs: [{ name: "0" }],
    outputs: ["0"],
    instantiate: (out) => new Unique(out[0]!, persistence ?? "tick"),
    fused: { input: (c, _port, item) => `if (${c.instance()}.isFirst(${item})) {\n${c.emit(0, item)}\n}` },
  };
}

/** Streaming: remembers every item and replays all of them at the start of each later tick. */
class Persist implements OperatorInstance {
  private readonly stored: unknown[] = [];
  private replayed = 0;

  constructor(private readonly emit: Emit) {}

  input(_port: number, item: unknown): void {
    this.stored.push(item);
    this.emit(item);
  }

  start(): void {
    // Only what earlier ticks stored: this tick's items pass through `input` as they arrive.
    const earlier = this.replayed;
    for (let i = 0; i < earlier; i++) this.emit(this.stored[i]);
  }

  endTick(): void {
    this.replayed = this.stored.length;
  }
}

export function persist(): OperatorSpec {
  return {
    kind: "persist",
    label: call("persist::<'static>"),
    inputs: [{ name: "0" }],
    outputs: ["0"],
    instantiate: (out) => new Persist(out[0]!),
  };
}

/** Streaming: pairs each item with a counter, restarted every tick (`'tick`) or never (`'static`). */
class Enumerate implements OperatorInstance {
  private next = 0;

  constructor(
    private readonly emit: Emit,
    private readonly persistence: Persistence,
  ) {}

  input(_port: number, item: unknown): void {
    this.emit([this.next++, item]);
  }

  endTick(): void {
    if (this.persistence === "tick") this.next = 0;
  }
}

export function enumerate(persistence?: Persistence): OperatorSpec {
  return {
    kind: "enumerate",
    label: call(`enumerate${persistenceLabel(persistence)}`),
    inputs: [{ name: "0" }],
    outputs: ["0"],
    instantiate: (out) => new Enumerate(out[0]!, persistence ?? "tick"),
  };
}

/** Blocking: the tick's items in order. */
class Sort implements OperatorInstance {
  private items: unknown[] = [];

  constructor(
    private readonly emit: Emit,
    private readonly compare: ((a: unknown, b: unknown) => number) | undefined,
  ) {}

  input(_port: number, item: unknown): void {
    this.items.push(item);
  }

  finish(): void {
    const sorted = this.items.sort(this.compare ?? naturalOrder);
    this.items = [];
    for (const item of sorted) this.emit(item);
  }
}

function naturalOrder(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

export function sort(compare?: (a: never, b: never) => number): OperatorSpec {
  return {
    kind: "sort",
    label: call("sort", compare ? describeFunction(compare) : ""),
    inputs: [{ name: "0", blocking: true }],
    outputs: ["0"],
    instantiate: (out) => new Sort(out[0]!, compare as ((a: unknown, b: unknown) => number) | undefined),
  };
}
