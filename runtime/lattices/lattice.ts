/**
 * A join-semilattice value: state that replicas can merge in any order, any number of times,
 * and agree on. `merge` is the least upper bound; the laws (associative, commutative, idempotent,
 * bottom is the identity) are checked by property tests.
 */
export interface Lattice<Self> {
  /** Grows this value to the least upper bound of itself and `other`; true if it changed. */
  merge(other: Self): boolean;
  /** The lattice's partial order: true if merging this into `other` would not change `other`. */
  lessEq(other: Self): boolean;
  equals(other: Self): boolean;
  /** A deep copy, so that merging into it never mutates the original. */
  clone(): Self;
}

/** Equality from the partial order, for lattices that have no cheaper test. */
export abstract class LatticeBase<Self> implements Lattice<Self> {
  abstract merge(other: Self): boolean;
  abstract lessEq(other: Self): boolean;
  abstract clone(): Self;

  equals(other: Self): boolean {
    return this.lessEq(other) && (other as unknown as Lattice<Self>).lessEq(this as unknown as Self);
  }
}

/** `a ⊔ b` as a new value, leaving both untouched. */
export function joined<L extends Lattice<L>>(a: L, b: L): L {
  const out = a.clone();
  out.merge(b);
  return out;
}
