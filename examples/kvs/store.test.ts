import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Clock, MAX_REPLICAS, Versioned } from "./versioned.js";
import { Store, type Entry } from "./store.js";

const keyOf = fc.constantFrom("a", "b", "c");
const operation = (replicas: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant("set" as const), replica: fc.nat(replicas - 1), key: keyOf, value: fc.string({ maxLength: 3 }) }),
    fc.record({ kind: fc.constant("del" as const), replica: fc.nat(replicas - 1), key: keyOf }),
    fc.record({ kind: fc.constant("gossip" as const), replica: fc.nat(replicas - 1) }),
    fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat(), duplicate: fc.boolean() }),
  );

describe("replicas converge", () => {
  test("concurrent writes of a key on different replicas end with the same winner everywhere, whatever the gossip order", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 4 })
          .chain((replicas) => fc.tuple(fc.constant(replicas), fc.array(operation(replicas), { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 40 }))),
        ([replicas, operations, finalOrder]) => {
          const stores = Array.from({ length: replicas }, (_, i) => new Store(new Clock(i)));
          // Messages in flight: delivered in any order, some twice.
          const inFlight: Array<{ to: number; entries: Entry[] }> = [];
          const sent: Entry[] = [];
          const gossip = (from: number) => {
            const entries = stores[from]!.takeDelta();
            sent.push(...entries);
            for (let to = 0; to < replicas; to++) if (to !== from && entries.length) inFlight.push({ to, entries });
          };
          for (const op of operations) {
            if (op.kind === "set") stores[op.replica]!.write(op.key, op.value);
            else if (op.kind === "del") stores[op.replica]!.write(op.key, null);
            else if (op.kind === "gossip") gossip(op.replica);
            else if (inFlight.length > 0) {
              const index = op.pick % inFlight.length;
              const message = inFlight[index]!;
              if (!op.duplicate) inFlight.splice(index, 1);
              stores[message.to]!.mergeRemote(message.entries);
            }
          }
          for (let from = 0; from < replicas; from++) gossip(from);
          for (const pick of finalOrder)
            if (inFlight.length) stores[inFlight[pick % inFlight.length]!.to]!.mergeRemote(inFlight[pick % inFlight.length]!.entries);
          for (const message of inFlight) stores[message.to]!.mergeRemote(message.entries);

          // The winner of each key: the write with the largest version anyone made.
          const winners = new Map<string, Entry>();
          for (const entry of sent) if ((winners.get(entry[0])?.[1] ?? -1) < entry[1]) winners.set(entry[0], entry);
          const expected = [...winners.values()].sort();
          for (const store of stores) {
            assert.deepEqual(store.snapshot().sort(), expected);
            assert.equal(store.size, expected.filter(([, , value]) => value !== null).length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a deletion wins over the older write it deletes, on a replica that sees them in the other order", () => {
    const [a, b] = [new Store(new Clock(0)), new Store(new Clock(1))];
    a.write("k", "v");
    const write = a.takeDelta();
    b.mergeRemote(write);
    b.write("k", null);
    const deletion = b.takeDelta();
    const c = new Store(new Clock(2));
    c.mergeRemote(deletion);
    c.mergeRemote(write);
    assert.equal(c.get("k"), null);
    assert.equal(c.size, 0);
  });

  test("a write made after reading another replica's newer write wins, even if this replica's clock is behind", () => {
    const clock = new Clock(0);
    const behind = new Store(clock);
    const future = (Date.now() + 60_000) * MAX_REPLICAS + 1;
    behind.mergeRemote([["k", future, "from the future"]]);
    behind.write("k", "later");
    assert.equal(behind.get("k"), "later");
    assert.ok(behind.takeDelta()[0]![1] > future);
  });
});

describe("anti-entropy", () => {
  test("two replicas whose gossip was lost agree after sending each other the buckets whose digests differ", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1), fc.string({ maxLength: 6 }), fc.option(fc.string({ maxLength: 4 }))), { maxLength: 200 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (writes, delivered) => {
          const stores = [new Store(new Clock(0)), new Store(new Clock(1))];
          writes.forEach(([replica, key, value], i) => {
            stores[replica]!.write(key, value);
            // Some deltas arrive, the rest were dropped (a partition).
            const delta = stores[replica]!.takeDelta();
            if (delivered[i]) stores[1 - replica]!.mergeRemote(delta);
          });
          const [a, b] = stores as [Store, Store];
          b.mergeRemote(a.differingFrom(b.digest()));
          a.mergeRemote(b.differingFrom(a.digest()));
          assert.deepEqual(a.digest(), b.digest());
          assert.deepEqual(sorted(a.snapshot()), sorted(b.snapshot()));
          assert.deepEqual(a.differingFrom(b.digest()), [], "nothing more to send");
        },
      ),
    );
  });

  test("the digest follows the table: equal tables, equal digests; one register apart, one bucket apart", () => {
    const a = new Store(new Clock(0));
    const b = new Store(new Clock(1));
    for (let i = 0; i < 1000; i++) a.write(`key:${i}`, `v${i}`);
    b.mergeRemote(a.snapshot());
    assert.deepEqual(b.digest(), a.digest());
    a.write("key:7", "changed");
    const differing = a.digest().filter((digest, bucket) => digest !== b.digest()[bucket]);
    assert.equal(differing.length, 1);
    // Only that bucket's registers are sent, not the table.
    const sent = a.differingFrom(b.digest());
    assert.ok(sent.length > 0 && sent.length < 100, `${sent.length} registers sent`);
    assert.ok(sent.some(([key, , value]) => key === "key:7" && value === "changed"));
  });
});

const sorted = (entries: Entry[]) => [...entries].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));

describe("Versioned", () => {
  test("is a lattice: merge is commutative, associative and idempotent", () => {
    const versioned = fc.tuple(fc.nat(1000), fc.option(fc.string({ maxLength: 2 }))).map(([version, value]) => new Versioned(version, value));
    fc.assert(
      fc.property(versioned, versioned, versioned, (a, b, c) => {
        const merged = (...values: Versioned[]) => values.slice(1).reduce((acc, v) => (acc.merge(v), acc), values[0]!.clone());
        assert.ok(merged(a, b).equals(merged(b, a)));
        assert.ok(merged(merged(a, b), c).equals(merged(a, merged(b, c))));
        assert.ok(merged(a, a).equals(a));
      }),
    );
  });

  test("the clock refuses a replica id that would collide with another's versions", () => {
    assert.throws(() => new Clock(MAX_REPLICAS), /replica id must be an integer in \[0, 1024\), got 1024/);
  });
});
