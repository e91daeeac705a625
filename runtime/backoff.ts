/**
 * How long a sender waits before its next attempt to reach a receiver: doubling from `firstMs` up
 * to `maxMs`, each wait shortened by a random part of up to `jitter` of it, so that the senders of
 * a receiver that went away do not all knock at once when it comes back.
 */
export class Backoff {
  private baseMs: number;

  constructor(
    readonly firstMs: number,
    readonly maxMs: number,
    private readonly jitter = 0.5,
    /** In [0, 1), as Math.random (a test's fixed one). */
    private readonly random: () => number = Math.random,
  ) {
    this.baseMs = firstMs;
  }

  /** The next wait, in ms: in [base × (1 − jitter), base], then the base doubles (up to maxMs). */
  next(): number {
    const base = this.baseMs;
    this.baseMs = Math.min(base * 2, this.maxMs);
    return base - base * this.jitter * this.random();
  }

  /** Starts again from `firstMs`. */
  reset(): void {
    this.baseMs = this.firstMs;
  }
}
