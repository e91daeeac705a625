import type { Emit, OperatorInstance, OperatorSpec } from "../operator.js";
import { persistenceLabel, persistenceOf, type Persistence, type PortPersistence } from "../persistence.js";
import { call } from "../label.js";
import { valueKey } from "../value-key.js";

export interface AntiJoinOptions {
  /** `"tick"` (default) or `"static"`, for both inputs or `[pos, neg]`. */
  persistence?: PortPersistence;
}

/**
 * Emits each distinct `pos` item whose key is not among the `neg` keys of the tick. `neg` is a
 * blocking input (its handoff is drained before any `pos` item), which is what makes this negation
 * safe: an item once emitted is never retracted.
 */
class AntiJoin implements OperatorInstance {
  private readonly negated = new Set<unknown>();
  /** Distinct pos items: this tick's (`'tick`) or all time's (`'static`, replayed each tick). */
  private readonly positives = new Map<unknown, unknown>();

  constructor(
    private readonly emit: Emit,
    private readonly persistence: readonly [Persistence, Persistence],
    private readonly keyOf: (pos: unknown) => unknown,
  ) {}

  input(port: number, item: unknown): void {
    if (port === 1) {
      this.negated.add(valueKey(item));
      return;
    }
    const id = valueKey(item);
    if (this.positives.has(id)) return;
    this.positives.set(id, item);
    if (!this.negated.has(valueKey(this.keyOf(item)))) this.emit(item);
  }

  start(): void {
    if (this.persistence[0] !== "static") return;
    for (const item of this.positives.values()) {
      if (!this.negated.has(valueKey(this.keyOf(item)))) this.emit(item);
    }
  }

  endTick(): void {
    if (this.persistence[0] === "tick") this.positives.clear();
    if (this.persistence[1] === "tick") this.negated.clear();
  }
}

function antiJoinSpec(kind: string, options: AntiJoinOptions, keyOf: (pos: unknown) => unknown): OperatorSpec {
  const persistence = [persistenceOf(options.persistence, 0), persistenceOf(options.persistence, 1)] as const;
  return {
    kind,
    label: call(kind + persistenceLabel(options.persistence)),
    inputs: [{ name: "pos" }, { name: "neg", blocking: true, negated: true }],
    outputs: ["0"],
    instantiate: (out) => new AntiJoin(out[0]!, persistence, keyOf),
  };
}

/** `[k, v]` items whose key `k` is not in `neg` (DFIR `anti_join`). */
export function antiJoin(options: AntiJoinOptions = {}): OperatorSpec {
  return antiJoinSpec("antiJoin", options, (item) => (item as readonly [unknown, unknown])[0]);
}

/** Items of `pos` that are not in `neg` (DFIR `difference`). */
export function difference(options: AntiJoinOptions = {}): OperatorSpec {
  return antiJoinSpec("difference", options, (item) => item);
}
