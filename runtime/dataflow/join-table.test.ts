import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { countOf, JoinTable, valueOf, type KeyEntry } from "./operators/join-table.js";

/** The values an insert's entry holds on `port`, or undefined when the insert was a duplicate. */
function valuesAt(entry: KeyEntry | undefined, port: 0 | 1): unknown[] | undefined {
  if (entry === undefined) return undefined;
  return Array.from({ length: countOf(entry, port) }, (_, i) => valueOf(entry, port, i));
}

describe("join table", () => {
  test("set semantics compare one held value and many as Array.prototype.includes does", () => {
    const table = new JoinTable(["tick", "tick"], false);
    assert.deepEqual(valuesAt(table.insert(0, "k", NaN), 0), [NaN]);
    assert.equal(table.insert(0, "k", NaN), undefined);
    assert.deepEqual(valuesAt(table.insert(0, "k", 0), 0), [NaN, 0]);
    assert.equal(table.insert(0, "k", -0), undefined);
    assert.equal(table.insert(0, "k", NaN), undefined);
    assert.deepEqual(valuesAt(table.insert(1, "k", "r"), 0), [NaN, 0]);
  });

  test("a value that is itself an array, or undefined, is held as one value", () => {
    const table = new JoinTable(["tick", "tick"], false);
    assert.deepEqual(valuesAt(table.insert(0, "k", [1, 2]), 0), [[1, 2]]);
    assert.equal(table.insert(0, "k", [1, 2]), undefined, "equal tuples are one value");
    assert.deepEqual(valuesAt(table.insert(0, "k", [3]), 0), [[1, 2], [3]]);
    assert.deepEqual(valuesAt(table.insert(1, "u", undefined), 1), [undefined]);
    assert.equal(table.insert(1, "u", undefined), undefined);
    assert.deepEqual(valuesAt(table.insert(0, "u", "x"), 1), [undefined]);
  });

  test("past the scan limit, many values and object values are still deduplicated", () => {
    const table = new JoinTable(["tick", "tick"], false);
    for (let i = 0; i < 20; i++) table.insert(0, "k", i);
    assert.equal(table.insert(0, "k", 3), undefined);
    assert.equal(table.insert(0, "k", 19), undefined);
    table.insert(0, "k", { a: 1 });
    assert.equal(table.insert(0, "k", { a: 1 }), undefined);
    assert.equal(valuesAt(table.insert(0, "k", 20), 0)?.length, 22);
  });

  test("the multiset variant keeps every value", () => {
    const table = new JoinTable(["tick", "tick"], true);
    table.insert(0, "k", 1);
    table.insert(0, "k", 1);
    assert.deepEqual(valuesAt(table.insert(0, "k", 1), 0), [1, 1, 1]);
  });

  test("with one 'static side, the 'tick side forgets its values and ids at the end of a tick", () => {
    const table = new JoinTable(["static", "tick"], false);
    assert.deepEqual(valuesAt(table.insert(1, "only-tick", { v: 1 }), 0), []);
    table.insert(0, "both", "l");
    table.insert(1, "both", { v: 1 });
    table.endTick();

    assert.deepEqual(valuesAt(table.insert(0, "only-tick", "late"), 1), [], "the forgotten value does not pair with a later one");
    assert.deepEqual(valuesAt(table.insert(1, "both", { v: 1 }), 0), ["l"], "a value from an earlier tick is new again");
    const pairs: unknown[] = [];
    table.forEachPair((key, left, right) => pairs.push([key, left, right]));
    assert.deepEqual(pairs, [["both", "l", { v: 1 }]]);
  });

  test("'static on both sides keeps every pair across ticks", () => {
    const table = new JoinTable(["static", "static"], false);
    table.insert(0, [1, 2], "a");
    table.insert(1, [1, 2], "b");
    table.endTick();
    table.insert(1, [1, 2], "c");
    const pairs: unknown[] = [];
    table.forEachPair((key, left, right) => pairs.push([key, left, right]));
    assert.deepEqual(pairs, [
      [[1, 2], "a", "b"],
      [[1, 2], "a", "c"],
    ]);
  });
});
