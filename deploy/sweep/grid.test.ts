import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../errors.js";
import { describePoint, gridPoints, isRecordOf } from "./grid.js";

test("every combination, the first parameter changing slowest", () => {
  assert.deepEqual(gridPoints({ replicas: [1, 2], clients: [10, 50], server: ["kvs"] }, "sweep()"), [
    { replicas: 1, clients: 10, server: "kvs" },
    { replicas: 1, clients: 50, server: "kvs" },
    { replicas: 2, clients: 10, server: "kvs" },
    { replicas: 2, clients: 50, server: "kvs" },
  ]);
});

test("a bad grid is refused with one line naming the parameter", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{}, /^at\.ts:1:1: sweep\(\): grid: no parameters; give at least one/],
    [[1, 2], /grid: expected an object of parameter → values/],
    [{ clients: 10 }, /grid\.clients: expected an array of values, got 10$/],
    [{ clients: "10,50" }, /grid\.clients: expected an array of values, got "10,50"$/],
    [{ clients: [] }, /grid\.clients: no values; give at least one$/],
    [{ clients: [10, Number.NaN] }, /grid\.clients: NaN is not a string, finite number or boolean$/],
    [{ server: [{ name: "kvs" }] }, /grid\.server: an object is not a string, finite number or boolean$/],
    [{ clients: [10, 50, 10] }, /grid\.clients: 10 is listed twice$/],
    [{ error: [1] }, /grid\.error: "error" is where a failed point's error is recorded/],
  ];
  for (const [grid, message] of cases) {
    assert.throws(
      () => gridPoints(grid as never, "at.ts:1:1: sweep()"),
      (error: Error) => error instanceof ConfigError && !error.message.includes("\n") && message.test(error.message),
      JSON.stringify(grid),
    );
  }
});

test("a record belongs to a point when every parameter has the same value of the same type", () => {
  assert.ok(isRecordOf({ clients: 10, server: "kvs", throughput: 5 }, { clients: 10, server: "kvs" }));
  assert.ok(!isRecordOf({ clients: "10", server: "kvs" }, { clients: 10, server: "kvs" }));
  assert.ok(!isRecordOf({ clients: 10 }, { clients: 10, server: "kvs" }));
});

test("a point reads as one line, strings that need it quoted", () => {
  assert.equal(describePoint({ replicas: 2, server: "kvs", tls: false }), "replicas=2 server=kvs tls=false");
  assert.equal(describePoint({ label: 'a, "b"\nc' }), 'label="a, \\"b\\"\\nc"');
});
