import type { Lattice } from "./lattice.js";

/** The product of two lattices, merged component-wise. */
export class Pair<A extends Lattice<A>, B extends Lattice<B>> implements Lattice<Pair<A, B>> {
  constructor(
    public a: A,
    public b: B,
  ) {}

  merge(other: Pair<A, B>): boolean {
    const grewA = this.a.merge(other.a);
    const grewB = this.b.merge(other.b);
    return grewA || grewB;
  }

  lessEq(other: Pair<A, B>): boolean {
    return this.a.lessEq(other.a) && this.b.lessEq(other.b);
  }

  equals(other: Pair<A, B>): boolean {
    return this.a.equals(other.a) && this.b.equals(other.b);
  }

  clone(): Pair<A, B> {
    return new Pair(this.a.clone(), this.b.clone());
  }
}
