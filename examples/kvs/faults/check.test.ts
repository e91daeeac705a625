import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { check, type FinalTable } from "./check.js";
import type { Operation } from "./history.js";

const set = (replica: number, key: string, value: string, invokedAt: number, completedAt?: number): Operation => ({
  replica,
  kind: "set",
  key,
  value,
  invokedAt,
  completedAt,
});
const get = (replica: number, key: string, value: string | null, at: number): Operation => ({
  replica,
  kind: "get",
  key,
  value,
  invokedAt: at,
  completedAt: at + 1,
});
const tables = (values: Record<string, string | null>, replicas = 3): FinalTable[] =>
  Array.from({ length: replicas }, (_, i) => ({
    replica: `replica.${i}`,
    values: new Map(Object.entries(values)),
    size: Object.values(values).filter((value) => value !== null).length,
  }));

describe("the faults experiment's check", () => {
  test("valid: the latest acknowledged write of each key, everywhere; an unanswered write may win", () => {
    const history = [set(0, "a", "c0-0", 0, 2), set(1, "a", "c1-1", 5, 7), set(2, "b", "c2-2", 0, undefined), get(0, "a", "c0-0", 3)];
    const verdict = check(history, tables({ a: "c1-1", b: "c2-2" }), ["a", "b"], 5);
    assert.deepEqual(verdict.problems, []);
    assert.equal(verdict.valid, true);
    assert.deepEqual(verdict.stats, { requests: 4, answered: 3, unanswered: 1, writesAcknowledged: 2, writesSuperseded: 1, keys: 2 });
  });

  test("concurrent writes (overlapping in time, or within the slack) may end either way", () => {
    const history = [set(0, "a", "c0-0", 0, 10), set(1, "a", "c1-1", 5, 12), set(2, "a", "c2-2", 13, 14)];
    assert.equal(check(history, tables({ a: "c1-1" }), ["a"], 0).valid, false, "c2-2 was sent after c1-1 was acknowledged");
    assert.equal(check(history.slice(0, 2), tables({ a: "c0-0" }), ["a"], 0).valid, true, "overlapping");
    assert.equal(check(history, tables({ a: "c1-1" }), ["a"], 5).valid, true, "1 ms apart, within the slack");
  });

  const invalid: Array<[string, Operation[], FinalTable[], RegExp]> = [
    [
      "a lost write",
      [set(0, "a", "c0-0", 0, 1), set(1, "a", "c1-1", 50, 51)],
      tables({ a: "c0-0" }),
      /a holds "c0-0" \(acknowledged at 1\.0 ms\), but "c1-1" was sent after that \(at 50\.0 ms\) and acknowledged: a write was lost/,
    ],
    ["every write lost", [set(0, "a", "c0-0", 0, 1)], tables({ a: null }), /a holds nothing, though 1 writes of it were acknowledged/],
    ["a value nobody wrote", [set(0, "a", "c0-0", 0, 1)], tables({ a: "junk" }), /a holds "junk", which no client wrote to it/],
    [
      "another key's value",
      [set(0, "a", "c0-0", 0, 1), set(0, "b", "c0-1", 0, 1)],
      tables({ a: "c0-1", b: "c0-1" }),
      /a holds "c0-1", which no client wrote to it/,
    ],
    [
      "a garbage read",
      [set(0, "a", "c0-0", 0, 1), get(2, "a", "bogus", 3)],
      tables({ a: "c0-0" }),
      /a GET of a on replica 2 returned "bogus", which no client wrote to it/,
    ],
    [
      "replicas that diverged",
      [set(0, "a", "c0-0", 0, 1), set(1, "a", "c1-1", 0, 1)],
      [...tables({ a: "c0-0" }, 2), { replica: "replica.2", values: new Map([["a", "c1-1"]]), size: 1 }],
      /replica\.2 holds "c1-1" for a, replica\.0 "c0-0"/,
    ],
  ];
  for (const [name, history, finals, expected] of invalid) {
    test(`invalid: ${name}`, () => {
      const verdict = check(
        history,
        finals,
        ["a", "b"].filter((key) => finals[0]!.values.has(key)),
        5,
      );
      assert.equal(verdict.valid, false);
      assert.ok(
        verdict.problems.some((line) => expected.test(line)),
        verdict.problems.join("\n"),
      );
    });
  }

  test("many problems of a kind: three are told, the rest counted", () => {
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const verdict = check([], tables(Object.fromEntries(keys.map((key) => [key, "junk"]))), keys, 5);
    assert.equal(verdict.problems.length, 4);
    assert.equal(verdict.problems[3], "… and 7 more like these");
  });
});
