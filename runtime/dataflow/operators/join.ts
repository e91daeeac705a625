import type { Emit, FusedCode, OperatorInstance, OperatorSpec, RunContext } from "../operator.js";
import { persistenceLabel, persistenceOf, type Persistence, type PortPersistence } from "../persistence.js";
import { call } from "../label.js";
import { countOf, JoinTable, valueOf, type KeyEntry } from "./join-table.js";

export interface JoinOptions {
  /** `"tick"` (default) or `"static"`, for both inputs or `[left, right]`. */
  persistence?: PortPersistence;
  /** Keep duplicate inputs (and so emit duplicate pairs) instead of set semantics. */
  multiset?: boolean;
}

/**
 * Symmetric hash join: each arrival is stored, then matched against what the other side holds.
 * `keyed` items are `[key, value]` pairs; otherwise the whole item is the value (cross join).
 */
class SymmetricJoin implements OperatorInstance {
  private readonly table: JoinTable;
  /** For the fused code, which reads the matching values out of the entry `match` returns. */
  readonly countOf = countOf;
  readonly valueOf = valueOf;

  constructor(
    private readonly emit: Emit | undefined,
    private readonly context: RunContext,
    private readonly persistence: readonly [Persistence, Persistence],
    multiset: boolean,
    private readonly keyed: boolean,
  ) {
    this.table = new JoinTable(persistence, multiset);
  }

  /**
   * Stores `item` on side `port` and returns the entry of its key, whose other side holds the
   * values to pair it with; undefined when set semantics drop the item as a duplicate.
   * An arrow function, so that fused code can call it from a local.
   */
  readonly match = (port: 0 | 1, item: unknown): KeyEntry | undefined =>
    this.keyed ? this.table.insert(port, (item as readonly unknown[])[0], (item as readonly unknown[])[1]) : this.table.insert(port, null, item);

  input(port: number, item: unknown): void {
    const entry = this.match(port as 0 | 1, item);
    if (entry === undefined) return;
    const key = this.keyed ? (item as readonly unknown[])[0] : null;
    const value = this.keyed ? (item as readonly unknown[])[1] : item;
    const other = port === 0 ? 1 : 0;
    for (let i = 0; i < countOf(entry, other); i++) {
      const match = valueOf(entry, other, i);
      this.emit!(port === 0 ? this.pair(key, value, match) : this.pair(key, match, value));
    }
  }

  private pair(key: unknown, left: unknown, right: unknown): unknown {
    return this.keyed ? [key, [left, right]] : [left, right];
  }

  /** `'static` on both sides: earlier ticks' pairs hold again in this tick. */
  readonly replay = (): unknown[] => {
    const pairs: unknown[] = [];
    if (this.context.tick === 0 || this.persistence[0] !== "static" || this.persistence[1] !== "static") return pairs;
    this.table.forEachPair((key, left, right) => pairs.push(this.pair(key, left, right)));
    return pairs;
  };

  start(): void {
    for (const pair of this.replay()) this.emit!(pair);
  }

  endTick(): void {
    this.table.endTick();
  }
}

/** Inlined: the generated code builds each output pair itself, right where it is consumed. */
function fusedJoin(keyed: boolean): FusedCode {
  const pair = (port: number, item: string, other: string): string => {
    if (!keyed) return port === 0 ? `[${item}, ${other}]` : `[${other}, ${item}]`;
    return port === 0 ? `[${item}[0], [${item}[1], ${other}]]` : `[${item}[0], [${other}, ${item}[1]]]`;
  };
  return {
    input: (c, port, item) => {
      const entry = c.fresh();
      const i = c.fresh();
      const n = c.fresh();
      const out = c.fresh();
      const other = port === 0 ? 1 : 0;
      return `const ${entry} = ${c.field("match")}(${port}, ${item});
if (${entry} !== undefined) {
for (let ${i} = 0, ${n} = ${c.field("countOf")}(${entry}, ${other}); ${i} < ${n}; ${i}++) {
const ${out} = ${pair(port, item, `${c.field("valueOf")}(${entry}, ${other}, ${i})`)};
${c.emit(0, out)}
}
}`;
    },
    start: (c) => {
      const pairs = c.fresh();
      const i = c.fresh();
      const out = c.fresh();
      return `const ${pairs} = ${c.field("replay")}();
for (let ${i} = 0; ${i} < ${pairs}.length; ${i}++) {
const ${out} = ${pairs}[${i}];
${c.emit(0, out)}
}`;
    },
  };
}

function joinSpec(kind: "join" | "crossJoin", options: JoinOptions): OperatorSpec {
  const persistence = [persistenceOf(options.persistence, 0), persistenceOf(options.persistence, 1)] as const;
  const name = options.multiset ? `${kind}Multiset` : kind;
  return {
    kind: name,
    label: call(name + persistenceLabel(options.persistence)),
    inputs: [{ name: "0" }, { name: "1" }],
    outputs: ["0"],
    instantiate: (out, context) => new SymmetricJoin(out[0], context, persistence, options.multiset ?? false, kind === "join"),
    fused: fusedJoin(kind === "join"),
  };
}

/** `[k, v]` and `[k, w]` → `[k, [v, w]]` for every match (DFIR `join`). */
export function join(options: JoinOptions = {}): OperatorSpec {
  return joinSpec("join", options);
}

/** Every `a` paired with every `b` (DFIR `cross_join`). */
export function crossJoin(options: JoinOptions = {}): OperatorSpec {
  return joinSpec("crossJoin", options);
}
