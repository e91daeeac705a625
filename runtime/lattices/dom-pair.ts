import type { Lattice } from "./lattice.js";
import { Max, type Ordered } from "./ord.js";

/**
 * A value guarded by a key (a version, a timestamp): a larger key replaces the value outright,
 * an equal key merges the values. With a totally ordered key (Max) this is last-writer-wins, and a
 * lattice; with a partially ordered key, incomparable keys merge both parts (as in DFIR), which is
 * not associative in general.
 */
export class DomPair<K extends Lattice<K>, V extends Lattice<V>> implements Lattice<DomPair<K, V>> {
  constructor(
    public key: K,
    public value: V,
  ) {}

  merge(other: DomPair<K, V>): boolean {
    const mineBelow = this.key.lessEq(other.key);
    const theirsBelow = other.key.lessEq(this.key);
    if (mineBelow && theirsBelow) return this.value.merge(other.value);
    if (theirsBelow) return false;
    if (mineBelow) {
      this.key = other.key.clone();
      this.value = other.value.clone();
      return true;
    }
    this.key.merge(other.key);
    this.value.merge(other.value);
    return true;
  }

  lessEq(other: DomPair<K, V>): boolean {
    if (!this.key.lessEq(other.key)) return false;
    return !other.key.lessEq(this.key) || this.value.lessEq(other.value);
  }

  equals(other: DomPair<K, V>): boolean {
    return this.key.equals(other.key) && this.value.equals(other.value);
  }

  clone(): DomPair<K, V> {
    return new DomPair(this.key.clone(), this.value.clone());
  }
}

/** Last-writer-wins register: the write with the larger timestamp wins; ties keep the larger value. */
export type LastWriterWins<V extends Ordered> = DomPair<Max<number>, Max<V>>;

export function lastWriterWins<V extends Ordered>(timestamp: number, value: V): LastWriterWins<V> {
  return new DomPair(new Max(timestamp), new Max(value));
}
