import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteBudget, Holding } from "./byte-budget.js";

/** A budget of 100 bytes and connections that record when they are granted. */
function budget() {
  const granted: string[] = [];
  let pauses = 0;
  const b = new ByteBudget(100, () => pauses++);
  const connection = (name: string) => new Holding(() => granted.push(name));
  return { b, granted, connection, pauses: () => pauses };
}

test("a frame that fits is granted; one that does not waits, unread, until what is held is freed", () => {
  const { b, granted, connection } = budget();
  const [first, second] = [connection("first"), connection("second")];
  b.hold(first, 10, 60);
  b.hold(second, 10, 60);
  assert.deepEqual([b.mayRead(first), b.mayRead(second)], [true, false]);
  b.message(first, 56);
  assert.deepEqual(granted, []);
  b.released(56);
  assert.deepEqual(granted, ["second"]);
  assert.ok(b.mayRead(second));
});

test("what a waiting connection holds is charged: a frame that would fit without it waits too", () => {
  const { b, connection } = budget();
  const [granted, waiting, late] = [connection("granted"), connection("waiting"), connection("late")];
  b.hold(granted, 10, 60);
  b.hold(waiting, 30, 50);
  b.hold(late, 5, 15);
  assert.deepEqual(
    [granted, waiting, late].map((holding) => b.mayRead(holding)),
    [true, false, false],
  );
});

test("over the limit only granted frames are read; reading resumes once half the limit is free", () => {
  const { b, connection, pauses } = budget();
  const [granted, idle] = [connection("granted"), connection("idle")];
  b.hold(granted, 10, 40);
  b.message(idle, 20);
  b.message(idle, 50);
  assert.deepEqual([b.mayRead(granted), b.mayRead(idle), pauses()], [true, false, 1]);
  b.released(20);
  assert.equal(b.mayRead(idle), false);
  b.released(50);
  assert.deepEqual([b.mayRead(idle), pauses()], [true, 2]);
});

test("a frame larger than the budget is let through when nothing else holds any of it", () => {
  const { b, connection } = budget();
  const [big, other] = [connection("big"), connection("other")];
  b.hold(big, 10, 500);
  assert.ok(b.mayRead(big));
  b.message(big, 496);
  b.hold(other, 10, 500);
  assert.equal(b.mayRead(other), false, "a second one waits while the first is undelivered");
  b.released(496);
  assert.ok(b.mayRead(other));
});

test("a closed connection frees what it held, and leaves the queue of those waiting", () => {
  const { b, granted, connection } = budget();
  const [holder, gone, next] = [connection("holder"), connection("gone"), connection("next")];
  b.hold(holder, 10, 90);
  b.hold(gone, 5, 50);
  b.hold(next, 5, 50);
  b.leave(gone);
  b.leave(holder);
  assert.deepEqual(granted, ["next"]);
});
