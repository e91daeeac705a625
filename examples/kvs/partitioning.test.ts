import { test } from "node:test";
import assert from "node:assert/strict";
import { copiesOf, counterpartsOf, partitionOfKey, partitionOfReplica } from "./partitioning.js";

const layout = { partitions: 3, replication: 2 };

test("replica i holds partition ⌊i / R⌋; it gossips with its partition's other copies", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => partitionOfReplica(i, layout)),
    [0, 0, 1, 1, 2, 2],
  );
  assert.deepEqual(copiesOf(2, layout), [3]);
  assert.deepEqual(copiesOf(0, { partitions: 1, replication: 3 }), [1, 2]);
});

test("a replica's counterparts are the same copy number in every other partition", () => {
  assert.deepEqual(counterpartsOf(3, layout), [1, 5]);
  assert.deepEqual(counterpartsOf(0, { partitions: 1, replication: 3 }), []);
  // Forwarding is symmetric: whoever i forwards to forwards back to i.
  for (let i = 0; i < 6; i++) for (const other of counterpartsOf(i, layout)) assert.ok(counterpartsOf(other, layout).includes(i));
});

test("keys spread over the partitions, the same way on every replica", () => {
  const counts = [0, 0, 0];
  for (let i = 0; i < 30_000; i++) counts[partitionOfKey(`key:${i}`, layout)]!++;
  for (const count of counts) assert.ok(count > 9_000 && count < 11_000, `${counts}`);
  assert.equal(partitionOfKey("\u00ff\u0000binary", layout), partitionOfKey("\u00ff\u0000binary", layout));
  assert.equal(partitionOfKey("anything", { partitions: 1, replication: 5 }), 0);
});
