import type { Lattice } from "hydro-deploy/runtime";

/** Replica ids live in the low bits of a version, so two replicas never make the same version. */
export const MAX_REPLICAS = 1024;

/**
 * A last-writer-wins register: the larger version wins outright. A version is a hybrid clock
 * reading times MAX_REPLICAS plus the writer's replica id, so versions are totally ordered
 * (time first, then replica id) and every replica picks the same winner whatever the merge order.
 * `value === null` is a deletion (a tombstone), which must also win over older writes.
 */
export class Versioned implements Lattice<Versioned> {
  constructor(
    public version: number,
    public value: string | null,
  ) {}

  merge(other: Versioned): boolean {
    if (other.version <= this.version) return false;
    this.version = other.version;
    this.value = other.value;
    return true;
  }

  lessEq(other: Versioned): boolean {
    return this.version <= other.version;
  }

  equals(other: Versioned): boolean {
    return this.version === other.version;
  }

  clone(): Versioned {
    return new Versioned(this.version, this.value);
  }
}

/**
 * A hybrid logical clock: versions follow wall time, never repeat, and jump past every version the
 * replica has seen, so a write made after reading another replica's write wins over it.
 */
export class Clock {
  private last = 0;

  constructor(readonly replica: number) {
    if (!Number.isInteger(replica) || replica < 0 || replica >= MAX_REPLICAS)
      throw new RangeError(`replica id must be an integer in [0, ${MAX_REPLICAS}), got ${replica}`);
  }

  next(): number {
    this.last = Math.max(this.last + 1, Date.now());
    return this.last * MAX_REPLICAS + this.replica;
  }

  observe(version: number): void {
    this.last = Math.max(this.last, Math.floor(version / MAX_REPLICAS));
  }
}
