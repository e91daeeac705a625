import { LatticeBase, type Lattice } from "./lattice.js";
import { valueKey } from "../dataflow/value-key.js";

/** A map whose values are lattices, merged key by key; keys are never removed. */
export class MapUnion<K, V extends Lattice<V>> extends LatticeBase<MapUnion<K, V>> {
  private readonly entries = new Map<unknown, [K, V]>();

  constructor(entries: Iterable<readonly [K, V]> = []) {
    super();
    for (const [key, value] of entries) this.entries.set(valueKey(key), [key, value]);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(valueKey(key))?.[1];
  }

  *[Symbol.iterator](): IterableIterator<[K, V]> {
    for (const [key, value] of this.entries.values()) yield [key, value];
  }

  merge(other: MapUnion<K, V>): boolean {
    let changed = false;
    for (const [id, [key, value]] of other.entries) {
      const mine = this.entries.get(id);
      if (mine === undefined) {
        this.entries.set(id, [key, value.clone()]);
        changed = true;
      } else if (mine[1].merge(value)) {
        changed = true;
      }
    }
    return changed;
  }

  /** Merges one entry: `merge(new MapUnion([[key, value]]))` without building that map. */
  mergeEntry(key: K, value: V): boolean {
    const id = valueKey(key);
    const mine = this.entries.get(id);
    if (mine !== undefined) return mine[1].merge(value);
    this.entries.set(id, [key, value.clone()]);
    return true;
  }

  lessEq(other: MapUnion<K, V>): boolean {
    for (const [id, [, value]] of this.entries) {
      const theirs = other.entries.get(id);
      if (theirs === undefined || !value.lessEq(theirs[1])) return false;
    }
    return true;
  }

  clone(): MapUnion<K, V> {
    return new MapUnion([...this].map(([key, value]) => [key, value.clone()] as const));
  }
}
