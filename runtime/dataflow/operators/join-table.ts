import type { Persistence } from "../persistence.js";
import { valueKey } from "../value-key.js";

/** Set semantics scan a side's values while there are fewer than this; then they keep their ids. */
const SCAN_LIMIT = 8;

/** A side of an entry that holds no values (a value of any kind, `undefined` too, may be held). */
const NONE: unique symbol = Symbol("none");

/**
 * What a join holds under one key: the key and, per input port, the values that came with it:
 * `NONE`, the one value as is, or an array of the values once there are more (or when the one
 * value is itself an array). Most keys of a join have one value per side; plain fields and no
 * counts are the fewest allocations, bytes and pointers to chase.
 */
export interface KeyEntry {
  readonly key: unknown;
  left: unknown;
  right: unknown;
  /** Per port, the set of the values' ids, kept once set semantics cannot compare the values directly. */
  ids: [Set<unknown> | undefined, Set<unknown> | undefined] | undefined;
}

const heldOn = (entry: KeyEntry, port: 0 | 1): unknown => (port === 0 ? entry.left : entry.right);

/** What a side holding only `value` holds. */
const alone = (value: unknown): unknown => (Array.isArray(value) ? [value] : value);

export function countOf(entry: KeyEntry, port: 0 | 1): number {
  const held = heldOn(entry, port);
  return held === NONE ? 0 : Array.isArray(held) ? held.length : 1;
}

/** The `i`th value that came on `port`, for `i < countOf(entry, port)`. */
export function valueOf(entry: KeyEntry, port: 0 | 1, i: number): unknown {
  const held = heldOn(entry, port);
  return Array.isArray(held) ? held[i] : held;
}

function valuesOf(entry: KeyEntry, port: 0 | 1): unknown[] {
  const held = heldOn(entry, port);
  return held === NONE ? [] : Array.isArray(held) ? held : [held];
}

function hold(entry: KeyEntry, port: 0 | 1, held: unknown): void {
  if (port === 0) entry.left = held;
  else entry.right = held;
}

/**
 * True if `value` is among the values `held` on a side, compared as `Array.prototype.includes`
 * does, by a loop: a side holds few values here, fewer than the cost of calling the builtin.
 */
function includes(held: unknown, value: unknown): boolean {
  if (!Array.isArray(held)) return sameValueZero(held, value);
  for (let i = 0; i < held.length; i++) if (sameValueZero(held[i], value)) return true;
  return false;
}

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

function setIds(entry: KeyEntry, port: 0 | 1, ids: Set<unknown> | undefined): void {
  (entry.ids ??= [undefined, undefined])[port] = ids;
}

/** Forgets the values of `port`. */
function clear(entry: KeyEntry, port: 0 | 1): void {
  hold(entry, port, NONE);
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
  /** Per port: whether entries that get values there go on `touched` (that side alone is `'tick`). */
  private readonly notesTouched: readonly [boolean, boolean];

  constructor(
    private readonly persistence: readonly [Persistence, Persistence],
    private readonly multiset: boolean,
  ) {
    const [left, right] = persistence;
    this.notesTouched = [left === "tick" && right === "static", right === "tick" && left === "static"];
  }

  /**
   * Stores `value` under `key` on input `port` and returns the entry for `key`, whose other port
   * holds the values to pair it with; undefined when set semantics drop the value as a duplicate.
   * Small, with the work in `create` and `addTo`: V8 inlines only so much into one fused loop,
   * and what it inlines first should be the operators around the join, whose tuples then need
   * not be allocated.
   */
  insert(port: 0 | 1, key: unknown, value: unknown): KeyEntry | undefined {
    const id = valueKey(key);
    const entry = this.entries.get(id);
    if (entry === undefined) return this.create(id, key, port, value);
    return this.addTo(entry, port, value) ? entry : undefined;
  }

  /**
   * A new entry holding `value` on `port`. An object literal rather than a class instance: V8
   * tracks where literals are allocated and, seeing that a join's entries live long, allocates
   * them in the old generation right away instead of copying each one out of the young one.
   */
  private create(id: unknown, key: unknown, port: 0 | 1, value: unknown): KeyEntry {
    const held = alone(value);
    const entry: KeyEntry = { key, left: port === 0 ? held : NONE, right: port === 0 ? NONE : held, ids: undefined };
    this.entries.set(id, entry);
    if (this.notesTouched[port]) this.touched.push(entry);
    return entry;
  }

  /** Adds `value` to the values `entry` holds on `port`; false if set semantics drop it. */
  private addTo(entry: KeyEntry, port: 0 | 1, value: unknown): boolean {
    const held = heldOn(entry, port);
    if (held === NONE) {
      hold(entry, port, alone(value));
      if (this.notesTouched[port]) this.touched.push(entry);
      return true;
    }
    if (!this.multiset && !this.isNew(entry, port, value)) return false;
    if (Array.isArray(held)) held.push(value);
    else hold(entry, port, [held, value]);
    return true;
  }

  /** False if `value` is already among the values of `port`; otherwise notes its id if needed. */
  private isNew(entry: KeyEntry, port: 0 | 1, value: unknown): boolean {
    let ids = entry.ids?.[port];
    if (ids === undefined) {
      if (!isObject(value) && countOf(entry, port) < SCAN_LIMIT) return !includes(heldOn(entry, port), value);
      ids = new Set(valuesOf(entry, port).map(valueKey));
      setIds(entry, port, ids);
    }
    const id = valueKey(value);
    if (ids.has(id)) return false;
    ids.add(id);
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
      if (heldOn(entry, port === 0 ? 1 : 0) === NONE) this.entries.delete(valueKey(entry.key));
    }
    this.touched = [];
  }
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}
