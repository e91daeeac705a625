import { Redis } from "ioredis";
import type { Operation } from "./history.js";

export interface WorkloadOptions {
  /** `host:port` of each replica's Redis port; client i talks to replica i. */
  addresses: string[];
  keys: readonly string[];
  /** Keys written once each through the first replica before the load begins (and never again). */
  before?: readonly string[];
  /** Each client sends one request every intervalMs, whether or not earlier ones were answered (an open loop). */
  intervalMs: number;
  /** A request not answered within this is given up (counted as unanswered). */
  timeoutMs: number;
}

/**
 * A steady load of SETs and GETs from real Redis clients (ioredis), one per replica, recording
 * every request's invocation and answer (history.ts). Requests alternate SET and GET over a small
 * set of keys, so every key is written on every replica, the same keys on both sides of a
 * partition. A written value names its client and sequence number (`c1-42`), so it is unique.
 * While a replica is down its client fails fast (no offline queue, no resend): a request is
 * answered or not, never sent twice.
 */
export class Workload {
  readonly history: Operation[] = [];
  private readonly started = performance.now();
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  /** When the steady load began (after the `before` writes), on the history's clock. */
  loadBegan = 0;

  private constructor(
    private readonly clients: Redis[],
    private readonly options: WorkloadOptions,
  ) {}

  static async start(options: WorkloadOptions): Promise<Workload> {
    const clients = options.addresses.map((address) => {
      const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
      return new Redis({
        host,
        port,
        lazyConnect: true,
        commandTimeout: options.timeoutMs,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        retryStrategy: (times) => Math.min(25 * times, 250),
        // A replica down or cut off: its requests fail and are recorded as unanswered; the client reconnects.
      }).on("error", () => {});
    });
    await Promise.all(clients.map((client) => client.connect()));
    const workload = new Workload(clients, options);
    await Promise.all((options.before ?? []).map((key, i) => workload.write(clients[0]!, 0, key, `b-${i}`)));
    workload.run();
    return workload;
  }

  /** Writes each key once through each replica in `order` (replica indexes), one replica after the other, `gapMs` apart. */
  async writeEach(keys: readonly string[], order: readonly number[], gapMs: number): Promise<void> {
    for (const [step, replica] of order.entries()) {
      if (step > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      await Promise.all(keys.map((key) => this.write(this.clients[replica]!, replica, key, `s${replica}-${key}`)));
    }
  }

  /** Milliseconds since the workload began: the history's clock. */
  now(): number {
    return performance.now() - this.started;
  }

  private run(): void {
    this.loadBegan = this.now();
    let sequence = 0;
    this.timer = setInterval(() => {
      const n = sequence++;
      this.clients.forEach((client, replica) => this.request(client, replica, n));
    }, this.options.intervalMs);
  }

  private request(client: Redis, replica: number, n: number): void {
    const { keys } = this.options;
    const key = keys[(n * 7 + replica * 5) % keys.length]!;
    void (n % 2 === 0 ? this.write(client, replica, key, `c${replica}-${n}`) : this.read(client, replica, key));
  }

  private write(client: Redis, replica: number, key: string, value: string): Promise<unknown> {
    return this.record({ replica, kind: "set", key, value, invokedAt: this.now(), completedAt: undefined }, client.set(key, value));
  }

  private read(client: Redis, replica: number, key: string): Promise<unknown> {
    return this.record({ replica, kind: "get", key, value: null, invokedAt: this.now(), completedAt: undefined }, client.get(key));
  }

  /** Records `operation` now, and its answer (or none) when `reply` settles. */
  private record(operation: Operation, reply: Promise<string | null>): Promise<unknown> {
    this.history.push(operation);
    const answered = reply.then(
      (value) => {
        operation.completedAt = this.now();
        if (operation.kind === "get") operation.value = value;
      },
      () => {},
    );
    this.inFlight.add(answered);
    void answered.finally(() => this.inFlight.delete(answered));
    return answered;
  }

  /** Stops sending, waits for every request to be answered or given up, and disconnects. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
    for (const client of this.clients) client.disconnect();
  }
}
