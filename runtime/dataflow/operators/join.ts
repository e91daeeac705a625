import type { Emit, FusedCode, OperatorInstance, OperatorSpec, RunContext } from "../operator.js";
import { persistenceLabel, persistenceOf, type Persistence, type PortPersistence } from "../persistence.js";
import { call } from "../label.js";
import { countOf, JoinTable, valueOf } from "./join-table.js";

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
  /** Read by the fused code, which stores each arrival and reads its matches out of the entry. */
  readonly table: JoinTable;
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

  input(port: number, item: unknown): void {
    const key = this.keyed ? (item as readonly unknown[])[0] : null;
    const value = this.keyed ? (item as readonly unknown[])[1] : item;
    const entry = this.table.insert(port as 0 | 1, key, value);
    if (entry === undefined) return;
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
  replay(): unknown[] {
    const pairs: unknown[] = [];
    if (this.context.tick === 0 || this.persistence[0] !== "static" || this.persistence[1] !== "static") return pairs;
    this.table.forEachPair((key, left, right) => pairs.push(this.pair(key, left, right)));
    return pairs;
  }

  start(): void {
    for (const pair of this.replay()) this.emit!(pair);
  }

  endTick(): void {
    this.table.endTick();
  }
}

/**
 * Inlined: the generated code takes the key and value out of the item and builds each output pair
 * itself, right where it is consumed, so that V8 can often leave both tuples unallocated once the
 * operators around the join are inlined too.
 */
function fusedJoin(keyed: boolean): FusedCode {
  const pair = (port: number, key: string, value: string, other: string): string => {
    const [left, right] = port === 0 ? [value, other] : [other, value];
    return keyed ? `[${key}, [${left}, ${right}]]` : `[${left}, ${right}]`;
  };
  return {
    input: (c, port, item) => {
      const [key, value, entry, i, n, out] = [c.fresh(), c.fresh(), c.fresh(), c.fresh(), c.fresh(), c.fresh()];
      const other = port === 0 ? 1 : 0;
      return `const ${key} = ${keyed ? `${item}[0]` : "null"};
const ${value} = ${keyed ? `${item}[1]` : item};
const ${entry} = ${c.field("table")}.insert(${port}, ${key}, ${value});
if (${entry} !== undefined) {
for (let ${i} = 0, ${n} = ${c.field("countOf")}(${entry}, ${other}); ${i} < ${n}; ${i}++) {
const ${out} = ${pair(port, key, value, `${c.field("valueOf")}(${entry}, ${other}, ${i})`)};
${c.emit(0, out)}
}
}`;
    },
    start: (c) => {
      const pairs = c.fresh();
      const i = c.fresh();
      const out = c.fresh();
      return `const ${pairs} = ${c.instance()}.replay();
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
