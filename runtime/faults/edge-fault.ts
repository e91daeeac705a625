/**
 * What the deployer's fault injector (deploy/faults/) asks of one edge, a sending port's link to
 * one receiver: the rule the sender applies to every message it sends on that link from then on
 * (runtime/faults/shaper.ts). A rule is the whole state of the edge: a new one replaces the last.
 */
export interface EdgeFault {
  /** Partitioned: every message is dropped. */
  cut?: true;
  /** Each message is dropped with probability `p`, drawn from a stream seeded by `seed` (this edge's own: random.ts edgeSeed). */
  loss?: { p: number; seed: number };
  /** Each message waits `ms` plus a uniform extra in [0, jitterMs] (drawn likewise), and never overtakes one sent before it. */
  delay?: { ms: number; jitterMs: number; seed: number };
}

/** A rule for one edge of a program: its sending `port`, and the receiver's `key` on it. */
export interface EdgeRule {
  port: string;
  key: string;
  fault: EdgeFault;
}

/** What the faults did on one edge of the run going on: messages dropped by a partition or by loss, and messages delayed. */
export interface EdgeCount {
  port: string;
  key: string;
  dropped: number;
  delayed: number;
}
