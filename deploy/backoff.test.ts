import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelays, pollUntil, retry } from "./backoff.js";
import { TornDownError } from "./errors.js";

const first = (count: number, delays: Iterator<number>) => Array.from({ length: count }, () => delays.next().value as number);

describe("backoffDelays", () => {
  test("doubles from the first wait up to the longest, and stays there", () => {
    assert.deepEqual(first(6, backoffDelays({ firstDelayMs: 100, maxDelayMs: 1_000 })), [100, 200, 400, 800, 1_000, 1_000]);
    assert.deepEqual(first(2, backoffDelays({ firstDelayMs: 5_000, maxDelayMs: 1_000 })), [1_000, 1_000]);
  });

  test("jitter cuts each wait by at most its fraction: the extremes of the random source land on the bounds", () => {
    const backoff = { firstDelayMs: 100, maxDelayMs: 400, jitter: 0.5 };
    assert.deepEqual(
      first(
        4,
        backoffDelays(backoff, () => 0),
      ),
      [100, 200, 400, 400],
    );
    assert.deepEqual(
      first(
        4,
        backoffDelays(backoff, () => 1),
      ),
      [50, 100, 200, 200],
    );
    const nominal = [100, 200, 400, 400];
    const delays = backoffDelays(backoff);
    for (let round = 0; round < 250; round++) {
      for (const [i, delay] of first(4, delays).entries()) {
        // Past the 4th wait the nominal one stays at the maximum.
        const full = round === 0 ? nominal[i]! : 400;
        assert.ok(delay > full * 0.5 && delay <= full, `wait ${delay} outside (${full * 0.5}, ${full}]`);
      }
    }
  });
});

describe("retry", () => {
  const quick = { firstDelayMs: 5, maxDelayMs: 20 };

  test("calls again after a transient failure, counting attempts from 1, and returns the first success", async () => {
    const attempts: number[] = [];
    const value = await retry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error(`flake ${attempt}`);
        return "done";
      },
      { ...quick, shouldRetry: () => true },
    );
    assert.equal(value, "done");
    assert.deepEqual(attempts, [1, 2, 3]);
  });

  test("a failure shouldRetry refuses is thrown at once, as it is, and shouldRetry sees the attempt number", async () => {
    const seen: Array<[string, number]> = [];
    const refused = new Error("permanent");
    await assert.rejects(
      retry(
        async (attempt) => {
          throw attempt === 2 ? refused : new Error("transient");
        },
        {
          ...quick,
          shouldRetry: (error, attempt) => {
            seen.push([(error as Error).message, attempt]);
            return error !== refused;
          },
        },
      ),
      (error) => error === refused,
    );
    assert.deepEqual(seen, [
      ["transient", 1],
      ["permanent", 2],
    ]);
  });

  test("at the deadline the last error is thrown (not the first, nor a timeout), and no wait ran past it", async () => {
    const started = Date.now();
    let attempts = 0;
    await assert.rejects(
      retry(
        async (attempt) => {
          attempts = attempt;
          throw new Error(`failure ${attempt}`);
        },
        { firstDelayMs: 20, maxDelayMs: 20, deadline: started + 150, shouldRetry: () => true },
      ),
      (error: Error) => error.message === `failure ${attempts}`,
    );
    const elapsed = Date.now() - started;
    assert.ok(attempts >= 3, `only ${attempts} attempts in 150 ms`);
    assert.ok(elapsed >= 150 && elapsed < 150 + 200, `gave up after ${elapsed} ms`);
  });
});

describe("pollUntil", () => {
  const expired = (waitedMs: number) => new Error(`not yet after ${waitedMs} ms`);

  test("returns what the look found once it finds something", async () => {
    let looks = 0;
    const found = await pollUntil(async () => (++looks === 3 ? { ip: "10.0.0.1" } : undefined), {
      firstDelayMs: 5,
      maxDelayMs: 5,
      deadline: Date.now() + 5_000,
      expired,
    });
    assert.deepEqual(found, { ip: "10.0.0.1" });
    assert.equal(looks, 3);
  });

  test("what a look throws ends the poll with that error", async () => {
    const gone = new Error("went terminated");
    await assert.rejects(
      pollUntil(
        async () => {
          throw gone;
        },
        { firstDelayMs: 5, maxDelayMs: 5, deadline: Date.now() + 5_000, expired },
      ),
      (error) => error === gone,
    );
  });

  test("at the deadline: one last look at it, then the caller's error with the time waited", async () => {
    const started = Date.now();
    const looks: number[] = [];
    await assert.rejects(
      pollUntil(
        async () => {
          looks.push(Date.now() - started);
          return undefined;
        },
        // A wait longer than the deadline is cut to it.
        { firstDelayMs: 1_000, maxDelayMs: 1_000, deadline: started + 120, expired },
      ),
      (error: Error) => {
        const waited = Number(/after (\d+) ms/.exec(error.message)?.[1]);
        // Counted from when the poll began, a moment after `started`.
        return waited >= 115 && waited < 120 + 200;
      },
    );
    // 2: at 0 and at the deadline (3 if the timer fired a clock tick early).
    assert.ok(looks.length === 2 || looks.length === 3, `looks at ${looks.join(", ")} ms`);
    assert.ok(looks.at(-1)! >= 119, `the last look was at ${looks.at(-1)} ms, before the deadline`);
  });
});

describe("teardown", () => {
  const forever = { firstDelayMs: 60_000, maxDelayMs: 60_000, deadline: Date.now() + 600_000, expired: () => new Error("expired") };

  test("an abort in the middle of a wait gives up at once, with a TornDownError naming what and the deployment the signal's reason names", async () => {
    const cancellation = new AbortController();
    let looks = 0;
    const polling = pollUntil(
      async () => {
        looks++;
        return undefined;
      },
      { ...forever, tornDown: { signal: cancellation.signal, what: 'launching aws host "web"' } },
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    const aborted = Date.now();
    cancellation.abort(new TornDownError("deployment ab12cd34", "deploy()"));
    await assert.rejects(polling, (error) => {
      assert.ok(error instanceof TornDownError);
      assert.equal(error.message, 'launching aws host "web": given up, deployment ab12cd34 is being torn down');
      assert.equal(error.deployment, "deployment ab12cd34");
      return true;
    });
    assert.ok(Date.now() - aborted < 200, `gave up ${Date.now() - aborted} ms after the abort`);
    assert.equal(looks, 1);
  });

  test("a call the abort cut short fails as torn down, not with its own error; without a TornDownError reason the deployment is unnamed", async () => {
    const cancellation = new AbortController();
    const retrying = retry(
      (attempt) =>
        new Promise((_, reject) => {
          // As an SDK call given the signal rejects: with an AbortError.
          cancellation.signal.addEventListener("abort", () => reject(Object.assign(new Error(`attempt ${attempt}: aborted`), { name: "AbortError" })));
        }),
      { ...forever, shouldRetry: () => false, tornDown: { signal: cancellation.signal, what: 'connecting to ssh host "db"' } },
    );
    setTimeout(() => cancellation.abort(), 20);
    await assert.rejects(
      retrying,
      (error) => error instanceof TornDownError && error.message === 'connecting to ssh host "db": given up, the deployment is being torn down',
    );
  });

  test("already torn down: no attempt is made", async () => {
    const cancellation = new AbortController();
    cancellation.abort();
    let calls = 0;
    await assert.rejects(
      retry(async () => ++calls, { firstDelayMs: 5, maxDelayMs: 5, shouldRetry: () => true, tornDown: { signal: cancellation.signal, what: "x" } }),
      TornDownError,
    );
    assert.equal(calls, 0);
  });
});
