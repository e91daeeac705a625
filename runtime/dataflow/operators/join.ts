import type { Emit, OperatorInstance, OperatorSpec, RunContext } from "../operator.js";
import { persistenceLabel, persistenceOf, type Persistence, type PortPersistence } from "../persistence.js";
import { call } from "../label.js";
import { valueKey } from "../value-key.js";

export interface JoinOptions {
  /** `"tick"` (default) or `"static"`, for both inputs or `[left, right]`. */
  persistence?: PortPersistence;
  /** Keep duplicate inputs (and so emit duplicate pairs) instead of set semantics. */
  multiset?: boolean;
}

/**
 * Values seen under one join key. Small buckets dedupe by scanning, big ones get a Set; the
 * structural ids of values are kept only once some value is not a primitive (its own id).
 */
interface Bucket {
  key: unknown;
  values: unknown[];
  ids: unknown[] | undefined;
  index: Set<unknown> | undefined;
}

const SCAN_LIMIT = 8;

/** One input's state: key → bucket. */
class HalfJoin {
  readonly buckets = new Map<unknown, Bucket>();

  constructor(private readonly multiset: boolean) {}

  /** Returns false when set semantics make the value a duplicate. */
  insert(keyId: unknown, key: unknown, value: unknown): boolean {
    const bucket = this.buckets.get(keyId);
    if (bucket === undefined) {
      const id = this.multiset ? value : valueKey(value);
      this.buckets.set(keyId, { key, values: [value], ids: id === value ? undefined : [id], index: undefined });
      return true;
    }
    if (!this.multiset && !this.addId(bucket, value)) return false;
    bucket.values.push(value);
    return true;
  }

  private addId(bucket: Bucket, value: unknown): boolean {
    const id = valueKey(value);
    if (id !== value && bucket.ids === undefined) bucket.ids = bucket.values.map(valueKey);
    const ids = bucket.ids ?? bucket.values;
    if (bucket.index !== undefined) {
      if (bucket.index.has(id)) return false;
      bucket.index.add(id);
    } else {
      if (ids.includes(id)) return false;
      if (ids.length >= SCAN_LIMIT) bucket.index = new Set([...ids, id]);
    }
    bucket.ids?.push(id);
    return true;
  }
}

/**
 * Symmetric hash join: each arrival is stored, then matched against what the other side holds.
 * `keyed` items are `[key, value]` pairs; otherwise the whole item is the value (cross join).
 */
class SymmetricJoin implements OperatorInstance {
  private readonly sides: readonly [HalfJoin, HalfJoin];

  constructor(
    private readonly emit: Emit,
    private readonly context: RunContext,
    private readonly persistence: readonly [Persistence, Persistence],
    multiset: boolean,
    private readonly keyed: boolean,
  ) {
    this.sides = [new HalfJoin(multiset), new HalfJoin(multiset)];
  }

  input(port: number, item: unknown): void {
    const key = this.keyed ? (item as readonly unknown[])[0] : null;
    const value = this.keyed ? (item as readonly unknown[])[1] : item;
    const keyId = valueKey(key);
    if (!this.sides[port]!.insert(keyId, key, value)) return;
    const matches = this.sides[1 - port]!.buckets.get(keyId);
    if (matches === undefined) return;
    const others = matches.values;
    for (let i = 0; i < others.length; i++) {
      this.emit(port === 0 ? this.pair(key, value, others[i]) : this.pair(key, others[i], value));
    }
  }

  private pair(key: unknown, left: unknown, right: unknown): unknown {
    return this.keyed ? [key, [left, right]] : [left, right];
  }

  /** `'static` on both sides: earlier ticks' pairs hold again in this tick. */
  start(): void {
    if (this.context.tick === 0 || this.persistence[0] !== "static" || this.persistence[1] !== "static") return;
    const [left, right] = this.sides;
    for (const [keyId, l] of left.buckets) {
      const r = right.buckets.get(keyId);
      if (r === undefined) continue;
      for (const lv of l.values) for (const rv of r.values) this.emit(this.pair(l.key, lv, rv));
    }
  }

  endTick(): void {
    this.persistence.forEach((p, port) => {
      if (p === "tick") this.sides[port]!.buckets.clear();
    });
  }
}

function joinSpec(kind: "join" | "crossJoin", options: JoinOptions): OperatorSpec {
  const persistence = [persistenceOf(options.persistence, 0), persistenceOf(options.persistence, 1)] as const;
  const name = options.multiset ? `${kind}Multiset` : kind;
  return {
    kind: name,
    label: call(name + persistenceLabel(options.persistence)),
    inputs: [{ name: "0" }, { name: "1" }],
    outputs: ["0"],
    instantiate: (out, context) => new SymmetricJoin(out[0]!, context, persistence, options.multiset ?? false, kind === "join"),
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
