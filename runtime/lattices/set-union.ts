import { LatticeBase } from "./lattice.js";
import { valueKey } from "../dataflow/value-key.js";

/** A grow-only set; elements are compared structurally (tuples and records by content). */
export class SetUnion<T> extends LatticeBase<SetUnion<T>> {
  private readonly items = new Map<unknown, T>();

  constructor(items: Iterable<T> = []) {
    super();
    for (const item of items) this.items.set(valueKey(item), item);
  }

  get size(): number {
    return this.items.size;
  }

  has(item: T): boolean {
    return this.items.has(valueKey(item));
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  merge(other: SetUnion<T>): boolean {
    const before = this.items.size;
    for (const [id, item] of other.items) this.items.set(id, item);
    return this.items.size > before;
  }

  lessEq(other: SetUnion<T>): boolean {
    if (this.items.size > other.items.size) return false;
    for (const id of this.items.keys()) if (!other.items.has(id)) return false;
    return true;
  }

  clone(): SetUnion<T> {
    return new SetUnion(this.items.values());
  }
}
