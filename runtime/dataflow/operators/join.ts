import type { Emit, FusedCode, OperatorInstance, OperatorSpec, RunContext } from "../operator.js";
import { persistenceLabel, persistenceOf, type Persistence, type PortPersistence } from "../persistence.js";
import { call } from "../label.js";
import { valueKey } from "../value-key.js";

export interface JoinOptions {
  /** `"tick"` (default) or `"static"`, for both inputs or `[left, right]`. */
  persistence?: PortPersistence;
  /** Keep duplicate inputs (and so emit duplicate pairs) instead of set semantics. */
  multiset?: boolean;
}

const SCAN_LIMIT = 8;

/**
 * One input's state. The common case — primitive keys and values, small buckets — is one Map
 * from key to an array of values, as a hand-written join keeps it. Set semantics dedupe a
 * bucket by scanning it; a bucket that holds objects (compared by their `valueKey`) or outgrows
 * the scan keeps its values' ids aside, in `ids`.
 */
class HalfJoin {
  /** Values per key id. */
  readonly buckets = new Map<unknown, unknown[]>();
  /** The key of each key id that is not the key itself (tuples, records). */
  readonly keys = new Map<unknown, unknown>();
  /** Ids of a bucket's values: a list to scan while it is small, then a Set. */
  private readonly ids = new Map<unknown, unknown[] | Set<unknown>>();

  constructor(private readonly multiset: boolean) {}

  keyOf(keyId: unknown): unknown {
    return this.keys.has(keyId) ? this.keys.get(keyId) : keyId;
  }

  /** Returns false when set semantics make the value a duplicate. */
  insert(keyId: unknown, key: unknown, value: unknown): boolean {
    const values = this.buckets.get(keyId);
    if (values === undefined) {
      this.buckets.set(keyId, [value]);
      if (keyId !== key) this.keys.set(keyId, key);
      if (!this.multiset && isObject(value)) this.ids.set(keyId, [valueKey(value)]);
      return true;
    }
    if (!this.multiset && !this.addId(keyId, values, value)) return false;
    values.push(value);
    return true;
  }

  private addId(keyId: unknown, values: unknown[], value: unknown): boolean {
    let ids = this.ids.size === 0 ? undefined : this.ids.get(keyId);
    if (ids === undefined) {
      if (!isObject(value) && values.length < SCAN_LIMIT) return !values.includes(value);
      ids = values.map(valueKey);
      this.ids.set(keyId, ids);
    }
    const id = valueKey(value);
    if (ids instanceof Set) {
      if (ids.has(id)) return false;
      ids.add(id);
      return true;
    }
    if (ids.includes(id)) return false;
    if (ids.length < SCAN_LIMIT) ids.push(id);
    else this.ids.set(keyId, new Set(ids).add(id));
    return true;
  }

  clear(): void {
    this.buckets.clear();
    this.keys.clear();
    this.ids.clear();
  }
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

/**
 * Symmetric hash join: each arrival is stored, then matched against what the other side holds.
 * `keyed` items are `[key, value]` pairs; otherwise the whole item is the value (cross join).
 */
class SymmetricJoin implements OperatorInstance {
  private readonly sides: readonly [HalfJoin, HalfJoin];

  constructor(
    private readonly emit: Emit | undefined,
    private readonly context: RunContext,
    private readonly persistence: readonly [Persistence, Persistence],
    multiset: boolean,
    private readonly keyed: boolean,
  ) {
    this.sides = [new HalfJoin(multiset), new HalfJoin(multiset)];
  }

  /**
   * Stores `item` on side `port` and returns the values the other side holds under its key, to
   * pair it with; undefined when there are none or set semantics drop the item as a duplicate.
   * An arrow function, so that fused code can call it from a local.
   */
  readonly match = (port: number, item: unknown): unknown[] | undefined => {
    const key = this.keyed ? (item as readonly unknown[])[0] : null;
    const keyId = valueKey(key);
    if (!this.sides[port]!.insert(keyId, key, this.keyed ? (item as readonly unknown[])[1] : item)) return undefined;
    return this.sides[1 - port]!.buckets.get(keyId);
  };

  input(port: number, item: unknown): void {
    const others = this.match(port, item);
    if (others === undefined) return;
    const key = this.keyed ? (item as readonly unknown[])[0] : null;
    const value = this.keyed ? (item as readonly unknown[])[1] : item;
    for (let i = 0; i < others.length; i++) {
      this.emit!(port === 0 ? this.pair(key, value, others[i]) : this.pair(key, others[i], value));
    }
  }

  private pair(key: unknown, left: unknown, right: unknown): unknown {
    return this.keyed ? [key, [left, right]] : [left, right];
  }

  /** `'static` on both sides: earlier ticks' pairs hold again in this tick. */
  readonly replay = (): unknown[] => {
    const pairs: unknown[] = [];
    if (this.context.tick === 0 || this.persistence[0] !== "static" || this.persistence[1] !== "static") return pairs;
    const [left, right] = this.sides;
    for (const [keyId, l] of left.buckets) {
      const r = right.buckets.get(keyId);
      if (r === undefined) continue;
      const key = left.keyOf(keyId);
      for (const lv of l) for (const rv of r) pairs.push(this.pair(key, lv, rv));
    }
    return pairs;
  };

  start(): void {
    for (const pair of this.replay()) this.emit!(pair);
  }

  endTick(): void {
    this.persistence.forEach((p, port) => {
      if (p === "tick") this.sides[port]!.clear();
    });
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
      const others = c.fresh();
      const i = c.fresh();
      const out = c.fresh();
      return `const ${others} = ${c.field("match")}(${port}, ${item});
if (${others} !== undefined) {
for (let ${i} = 0; ${i} < ${others}.length; ${i}++) {
const ${out} = ${pair(port, item, `${others}[${i}]`)};
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
