import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DomPair, joined as join, lastWriterWins, MapUnion, Max, Min, Pair, SetUnion, WithBot, type Lattice } from "./index.js";

interface LatticeCase<L extends Lattice<L>> {
  name: string;
  values: fc.Arbitrary<L>;
  bottom: () => L;
}

const small = fc.integer({ min: -5, max: 5 });
const smallSet = fc.array(small, { maxLength: 4 }).map((xs) => new SetUnion(xs));

const cases: Array<LatticeCase<never>> = [
  { name: "Max", values: small.map((n) => new Max(n)), bottom: Max.bottom },
  { name: "Min", values: small.map((n) => new Min(n)), bottom: Min.bottom },
  { name: "SetUnion", values: smallSet, bottom: () => new SetUnion<number>() },
  {
    name: "SetUnion of tuples (structural equality)",
    values: fc.array(fc.tuple(small, fc.constantFrom("a", "b")), { maxLength: 3 }).map((xs) => new SetUnion(xs)),
    bottom: () => new SetUnion<[number, string]>(),
  },
  {
    name: "MapUnion<string, Max>",
    values: fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), small), { maxLength: 4 }).map((entries) => {
      const map = new MapUnion<string, Max<number>>();
      for (const [k, v] of entries) map.merge(new MapUnion([[k, new Max(v)]]));
      return map;
    }),
    bottom: () => new MapUnion<string, Max<number>>(),
  },
  {
    name: "DomPair<Max, SetUnion>",
    values: fc.tuple(small, smallSet).map(([k, s]) => new DomPair(new Max(k), s)),
    bottom: () => new DomPair(Max.bottom(), new SetUnion<number>()),
  },
  {
    name: "last-writer-wins",
    values: fc.tuple(small, fc.constantFrom("x", "y", "z")).map(([t, v]) => lastWriterWins(t, v)),
    bottom: () => lastWriterWins(-Infinity, ""),
  },
  {
    name: "WithBot<Max>",
    values: fc.option(small, { nil: undefined }).map((n) => new WithBot(n === undefined ? undefined : new Max(n))),
    bottom: () => new WithBot<Max<number>>(),
  },
  {
    name: "Pair<Max, SetUnion>",
    values: fc.tuple(small, smallSet).map(([n, s]) => new Pair(new Max(n), s)),
    bottom: () => new Pair(Max.bottom(), new SetUnion<number>()),
  },
] as Array<LatticeCase<never>>;

const equal = <L extends Lattice<L>>(a: L, b: L) => a.equals(b);

for (const { name, values, bottom } of cases as Array<LatticeCase<Max<number>>>) {
  describe(`${name} obeys the lattice laws`, () => {
    test("merge is associative", () => {
      fc.assert(fc.property(values, values, values, (a, b, c) => equal(join(join(a, b), c), join(a, join(b, c)))));
    });

    test("merge is commutative", () => {
      fc.assert(fc.property(values, values, (a, b) => equal(join(a, b), join(b, a))));
    });

    test("merge is idempotent", () => {
      fc.assert(fc.property(values, (a) => equal(join(a, a), a)));
    });

    test("bottom is the identity", () => {
      fc.assert(fc.property(values, (a) => equal(join(bottom(), a), a) && equal(join(a, bottom()), a)));
    });

    test("merge returns true exactly when the value grew", () => {
      fc.assert(
        fc.property(values, values, (a, b) => {
          const before = a.clone();
          const grew = a.merge(b);
          return grew === !a.equals(before);
        }),
      );
    });

    test("the order agrees with merge: a ≤ b iff a ⊔ b = b", () => {
      fc.assert(fc.property(values, values, (a, b) => a.lessEq(b) === equal(join(a, b), b)));
    });

    test("merge leaves its argument untouched", () => {
      fc.assert(
        fc.property(values, values, (a, b) => {
          const copy = b.clone();
          a.merge(b);
          a.merge(a.clone());
          return b.equals(copy);
        }),
      );
    });
  });
}

describe("lattice values", () => {
  test("last-writer-wins keeps the later write, whatever the merge order", () => {
    const early = lastWriterWins<string>(1, "old");
    const late = lastWriterWins<string>(2, "new");
    assert.equal(join(early, late).value.value, "new");
    assert.equal(join(late, early).value.value, "new");
  });

  test("MapUnion merges values key by key", () => {
    const a = new MapUnion<string, Max<number>>([
      ["x", new Max(1)],
      ["y", new Max(5)],
    ]);
    const b = new MapUnion<string, Max<number>>([["x", new Max(3)]]);
    assert.equal(a.merge(b), true);
    assert.deepEqual(
      [...a].map(([k, v]) => [k, v.value]),
      [
        ["x", 3],
        ["y", 5],
      ],
    );
    assert.equal(a.merge(b), false);
  });
});
