import type { Lattice } from "./lattice.js";

export type Ordered = number | bigint | string;

/** Totally ordered values where merge keeps the larger; `Max.bottom()` is -∞. */
export class Max<T extends Ordered> implements Lattice<Max<T>> {
  constructor(public value: T) {}

  static bottom(): Max<number> {
    return new Max(-Infinity);
  }

  merge(other: Max<T>): boolean {
    if (other.value <= this.value) return false;
    this.value = other.value;
    return true;
  }

  lessEq(other: Max<T>): boolean {
    return this.value <= other.value;
  }

  equals(other: Max<T>): boolean {
    return this.value === other.value;
  }

  clone(): Max<T> {
    return new Max(this.value);
  }
}

/** Totally ordered values where merge keeps the smaller (the order is reversed); `Min.bottom()` is +∞. */
export class Min<T extends Ordered> implements Lattice<Min<T>> {
  constructor(public value: T) {}

  static bottom(): Min<number> {
    return new Min(Infinity);
  }

  merge(other: Min<T>): boolean {
    if (other.value >= this.value) return false;
    this.value = other.value;
    return true;
  }

  lessEq(other: Min<T>): boolean {
    return this.value >= other.value;
  }

  equals(other: Min<T>): boolean {
    return this.value === other.value;
  }

  clone(): Min<T> {
    return new Min(this.value);
  }
}
