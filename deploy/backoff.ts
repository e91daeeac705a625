/**
 * Waiting with exponential backoff, the one way hydro waits on something outside it: `retry` a call
 * that failed transiently, `pollUntil` a condition holds (an instance running). Both stop at a
 * deadline, and give up at once with a TornDownError when the deployment's signal aborts, also in
 * the middle of a wait.
 *
 * Own code rather than p-retry: p-retry's current majors (8, 9) need Node 22 where this package
 * supports 20.5, and 7.x (the last for Node 20) never retries a TypeError that is not a network
 * error whatever `shouldRetry` says, has no "not yet" outcome (a poll would throw to go on, and
 * its deadline would end with the last "not yet" instead of what was last seen), and rejects an
 * abort with the signal's reason where hydro names what was given up. This is what is needed, in
 * fewer lines than the adapters p-retry would take.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Backoff as Doubling } from "../runtime/backoff.js";
import { throwIfTornDown, tornDownError, type TornDownSignal } from "./torn-down.js";

export interface Backoff {
  /** The first wait; each next one is twice the one before, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /**
   * Each wait is cut by a random part of up to this fraction of it (0.5: between half and all of
   * it), so that callers failing together (a throttled API) do not all come back at once. Default 0.
   */
  jitter?: number;
}

export interface Bounds extends Backoff {
  /** When to give up (ms since the epoch): no wait runs past it, and the last attempt is made at it. */
  deadline?: number;
  /** The deployment's teardown: an abort ends the attempts, and a wait at once, with a TornDownError. */
  tornDown?: TornDownSignal;
}

export interface RetryOptions extends Bounds {
  /** Whether failed attempt number `attempt` (from 1) deserves another: its error is transient, attempts are left. */
  shouldRetry(error: unknown, attempt: number): boolean;
}

/** Calls `call` until it succeeds. A failure `shouldRetry` refuses, or the last one at the deadline, is thrown as it is. */
export function retry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let lastError: unknown;
  return repeat(
    async (attempt) => {
      try {
        return { value: await call(attempt) };
      } catch (error) {
        if (!options.shouldRetry(error, attempt)) throw error;
        lastError = error;
        return undefined;
      }
    },
    options,
    () => lastError,
  );
}

export interface PollOptions extends Bounds {
  deadline: number;
  /** The error for having waited `waitedMs` in vain: it says what was seen last. */
  expired(waitedMs: number): Error;
}

/** Calls `look` until it returns a value (undefined: not yet), at most until the deadline; what `look` throws ends the poll. */
export function pollUntil<T>(look: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  return repeat(
    async () => {
      const value = await look();
      return value === undefined ? undefined : { value };
    },
    options,
    options.expired,
  );
}

/** The successive waits of `backoff` (the runtime's, which reconnecting ports use too); `random` is in [0, 1), as Math.random. */
export function* backoffDelays({ firstDelayMs, maxDelayMs, jitter = 0 }: Backoff, random: () => number = Math.random): Generator<number, never> {
  const delays = new Doubling(Math.min(firstDelayMs, maxDelayMs), maxDelayMs, jitter, random);
  for (;;) yield delays.next();
}

async function repeat<T>(attempt: (n: number) => Promise<{ value: T } | undefined>, bounds: Bounds, expired: (waitedMs: number) => unknown): Promise<T> {
  const started = Date.now();
  const delays = backoffDelays(bounds);
  for (let n = 1; ; n++) {
    throwIfTornDown(bounds.tornDown);
    // A call the abort cut short (an SDK call given the signal) is given up, whatever it threw.
    const outcome = await attempt(n).catch((error: unknown) => {
      throwIfTornDown(bounds.tornDown);
      throw error;
    });
    if (outcome) return outcome.value;
    const left = (bounds.deadline ?? Infinity) - Date.now();
    if (left <= 0) throw expired(Date.now() - started);
    await wait(Math.min(delays.next().value, left), bounds.tornDown);
  }
}

function wait(ms: number, tornDown: TornDownSignal | undefined): Promise<void> {
  if (!tornDown) return sleep(ms);
  // Rejects only when aborted.
  return sleep(ms, undefined, { signal: tornDown.signal }).catch(() => {
    throw tornDownError(tornDown);
  });
}
