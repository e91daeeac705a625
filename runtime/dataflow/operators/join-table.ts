import type { Persistence } from "../persistence.js";
import { valueKey } from "../value-key.js";

/** Set semantics scan a side's values while there are fewer than this; then they keep their ids. */
const SCAN_LIMIT = 8;

/** Ids of one side's values under one key: a list to scan while it is small, then a Set. */
type Ids = unknown[] | Set<unknown>;

/**
 * What a join holds under one key: the key and, per input port, the values that came with it.
 * A port's first value is held as is; only a second one brings an array. Most keys of a join have
 * one value per side, and plain fields are the fewest allocations and pointers to chase.
 */
export interface KeyEntry {
  readonly key: unknown;
  leftCount: number;
  rightCount: number;
  /** The value when its count is 1, an array of the values when it is more. */
  left: unknown;
  right: unknown;
  /** Per port, ids of the values, kept once set semantics cannot compare the values directly. */
  ids: [Ids | undefined, Ids | undefined] | undefined;
}

/**
 * A new entry. An object literal rather than a class instance: V8 tracks where literals are
 * allocated and, seeing that a join's entries live long, allocates them in the old generation
 * right away instead of copying each one out of the young generation.
 */
function newEntry(key: unknown): KeyEntry {
  return { key, leftCount: 0, rightCount: 0, left: undefined, right: undefined, ids: undefined };
}

export function countOf(entry: KeyEntry, port: 0 | 1): number {
  return port === 0 ? entry.leftCount : entry.rightCount;
}

/** The `i`th value that came on `port`, for `i < countOf(entry, port)`. */
export function valueOf(entry: KeyEntry, port: 0 | 1, i: number): unknown {
  const held = port === 0 ? entry.left : entry.right;
  return countOf(entry, port) === 1 ? held : (held as unknown[])[i];
}

function valuesOf(entry: KeyEntry, port: 0 | 1): unknown[] {
  const held = port === 0 ? entry.left : entry.right;
  const count = countOf(entry, port);
  return count === 0 ? [] : count === 1 ? [held] : (held as unknown[]);
}

/** True if `value` is among the values of `port`, compared as `Array.prototype.includes` does. */
function includes(entry: KeyEntry, port: 0 | 1, value: unknown): boolean {
  const held = port === 0 ? entry.left : entry.right;
  if (countOf(entry, port) !== 1) return (held as unknown[]).includes(value);
  return held === value || (held !== held && value !== value);
}

function add(entry: KeyEntry, port: 0 | 1, value: unknown): void {
  const count = countOf(entry, port);
  const held = port === 0 ? entry.left : entry.right;
  let values = value;
  if (count === 1) values = [held, value];
  else if (count > 1) {
    (held as unknown[]).push(value);
    values = held;
  }
  if (port === 0) {
    entry.left = values;
    entry.leftCount = count + 1;
  } else {
    entry.right = values;
    entry.rightCount = count + 1;
  }
}

function setIds(entry: KeyEntry, port: 0 | 1, ids: Ids | undefined): void {
  (entry.ids ??= [undefined, undefined])[port] = ids;
}

/** Forgets the values of `port`. */
function clear(entry: KeyEntry, port: 0 | 1): void {
  if (port === 0) {
    entry.left = undefined;
    entry.leftCount = 0;
  } else {
    entry.right = undefined;
    entry.rightCount = 0;
  }
  if (entry.ids) entry.ids[port] = undefined;
}

/**
 * The state of a symmetric hash join: both inputs' values in one Map from key id to entry, so that
 * storing an arrival and finding what it pairs with is one lookup, as in a hand-written join.
 * Primitive values under a key are deduplicated by scanning them; objects (compared by their
 * `valueKey`) or many values bring their ids along.
 */
export class JoinTable {
  private readonly entries = new Map<unknown, KeyEntry>();
  /** Entries given values this tick on a `'tick` side, when the other side is `'static`. */
  private touched: KeyEntry[] = [];

  constructor(
    private readonly persistence: readonly [Persistence, Persistence],
    private readonly multiset: boolean,
  ) {}

  /**
   * Stores `value` under `key` on input `port` and returns the entry for `key`, whose other port
   * holds the values to pair it with; undefined when set semantics drop the value as a duplicate.
   */
  insert(port: 0 | 1, key: unknown, value: unknown): KeyEntry | undefined {
    const id = valueKey(key);
    let entry = this.entries.get(id);
    if (entry === undefined) {
      entry = newEntry(key);
      this.entries.set(id, entry);
    }
    if (countOf(entry, port) === 0) {
      if (!this.multiset && isObject(value)) setIds(entry, port, [valueKey(value)]);
      if (this.persistence[port] === "tick" && this.persistence[port === 0 ? 1 : 0] === "static") this.touched.push(entry);
    } else if (!this.multiset && !this.isNew(entry, port, value)) {
      return undefined;
    }
    add(entry, port, value);
    return entry;
  }

  /** False if `value` is already among the values of `port`; otherwise notes its id if needed. */
  private isNew(entry: KeyEntry, port: 0 | 1, value: unknown): boolean {
    let ids = entry.ids?.[port];
    if (ids === undefined) {
      if (!isObject(value) && countOf(entry, port) < SCAN_LIMIT) return !includes(entry, port, value);
      ids = valuesOf(entry, port).map(valueKey);
      setIds(entry, port, ids);
    }
    const id = valueKey(value);
    if (ids instanceof Set) {
      if (ids.has(id)) return false;
      ids.add(id);
      return true;
    }
    if (ids.includes(id)) return false;
    if (ids.length < SCAN_LIMIT) ids.push(id);
    else setIds(entry, port, new Set(ids).add(id));
    return true;
  }

  /** Calls `pair(key, left, right)` for every pair of values held under the same key. */
  forEachPair(pair: (key: unknown, left: unknown, right: unknown) => void): void {
    for (const entry of this.entries.values()) {
      for (const l of valuesOf(entry, 0)) for (const r of valuesOf(entry, 1)) pair(entry.key, l, r);
    }
  }

  /** End of tick: `'tick` sides forget their values. */
  endTick(): void {
    const [left, right] = this.persistence;
    if (left === "tick" && right === "tick") {
      this.entries.clear();
      return;
    }
    if (left === "static" && right === "static") return;
    const port = left === "tick" ? 0 : 1;
    for (const entry of this.touched) {
      clear(entry, port);
      if (countOf(entry, port === 0 ? 1 : 0) === 0) this.entries.delete(valueKey(entry.key));
    }
    this.touched = [];
  }
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}
