import type { PortMetrics } from "../../runtime/protocol.js";

export type { PortMetrics };

/**
 * One program's metrics at one moment (`svc.metrics()`, `d.metrics()`, the `metric` event): sampled
 * every `metricsIntervalMs` by the program's runtime and sent over its control channel.
 */
export interface MetricSample {
  /** The program (a cluster member's name is `<cluster>.<id>`). */
  readonly program: string;
  /** Which run of it: 1, then one more per restart(). */
  readonly run: number;
  /** When the deployer got it, ms since the epoch. */
  readonly at: number;
  /** CPU used over the last interval, user and system, as a share of one core (1.0: one core busy). */
  readonly cpu: number;
  /** Resident set size, bytes. */
  readonly rss: number;
  /** Each port's counters since the run started (cumulative: a rate is the difference of two samples). */
  readonly ports: Readonly<Record<string, PortMetrics>>;
}
