import type { Lattice } from "./lattice.js";

/** Adds a bottom (`undefined`, "nothing yet") below a lattice that has none, such as Max. */
export class WithBot<L extends Lattice<L>> implements Lattice<WithBot<L>> {
  constructor(public value: L | undefined = undefined) {}

  merge(other: WithBot<L>): boolean {
    if (other.value === undefined) return false;
    if (this.value === undefined) {
      this.value = other.value.clone();
      return true;
    }
    return this.value.merge(other.value);
  }

  lessEq(other: WithBot<L>): boolean {
    if (this.value === undefined) return true;
    return other.value !== undefined && this.value.lessEq(other.value);
  }

  equals(other: WithBot<L>): boolean {
    if (this.value === undefined || other.value === undefined) return this.value === other.value;
    return this.value.equals(other.value);
  }

  clone(): WithBot<L> {
    return new WithBot(this.value?.clone());
  }
}
