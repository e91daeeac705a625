import type { Target } from "./protocol.js";
import { json, type Codec } from "./codec.js";
import { helloFrame } from "./hello.js";
import { rateLimitedLog } from "./log.js";
import { ReceiverConnection, RECONNECT_DEFAULTS, type OutboundStats, type ReconnectOptions } from "./receiver-connection.js";
import type { EdgeFault } from "./faults/edge-fault.js";

export type { OutboundStats, ReconnectOptions } from "./receiver-connection.js";

export interface SendOptions {
  /** Which receiver of a demux port gets the message: its key (by default its service name; a cluster member's id, a number or its string). */
  to?: string | number;
}

export interface BroadcastOptions {
  /** Skips the receiver that is this program itself (a cluster member sending to its own cluster). */
  exceptSelf?: boolean;
}

export interface OutboundOptions {
  codec?: Codec;
  /**
   * Waits between attempts to reach a receiver that went away, in ms: `firstMs` (default 50)
   * doubling up to `maxMs` (default 2000), each shortened by up to half at random.
   */
  reconnect?: ReconnectOptions;
}

/**
 * `send()` could not tell which receiver a message is for: `to` names none of the port's
 * receivers, or is missing while the port has several. Thrown by `send`, so the program can catch it.
 */
export class UnknownReceiverError extends Error {
  override readonly name = "UnknownReceiverError";

  constructor(
    readonly port: string,
    readonly to: string | undefined,
    readonly receivers: readonly string[],
  ) {
    super(
      to === undefined
        ? `port '${port}' has several receivers (${receivers.join(", ")}): say which with send(data, { to })`
        : `port '${port}' has no receiver '${to}'; its receivers are: ${receivers.join(", ")}`,
    );
  }
}

/**
 * A client port: one connection per receiver (runtime/receiver-connection.ts). `send` never blocks;
 * frames sent in the same tick go out as one buffer in one write. A receiver that goes away is
 * reconnected to with backoff; what is sent to it meanwhile is dropped and counted in `stats`.
 */
export class Outbound<T> {
  private readonly peers = new Map<string, ReceiverConnection>();
  /** The key of the receiver that is this program itself, if it is one. */
  private selfKey: string | undefined;
  private readonly codec: Codec;
  private readonly reconnect: Required<ReconnectOptions>;

  private readonly log: (message: string) => void;

  /** Per receiver key (once connect() has been called): messages sent, dropped, reconnections, and whether it is connected now. Live. */
  readonly stats: Readonly<Record<string, Readonly<OutboundStats>>> = {};

  constructor(
    readonly name: string,
    options: OutboundOptions = {},
  ) {
    this.codec = options.codec ?? json;
    this.reconnect = reconnectOptions(name, options.reconnect);
    this.log = rateLimitedLog(`port '${name}'`);
  }

  /** Receivers' keys, in the order the deployer listed them. */
  get keys(): string[] {
    return [...this.peers.keys()];
  }

  /**
   * Connects to every target (retrying while a receiver comes up), presenting each target's
   * credential; `faults` (by receiver key) apply from the first message on.
   */
  async connect(targets: Target[], timeoutMs = 30_000, faults?: ReadonlyMap<string, EdgeFault>): Promise<void> {
    for (const target of targets) {
      const peer = new ReceiverConnection(this.name, target.key, target.address, helloFrame(target.token), this.reconnect, this.log);
      this.peers.set(target.key, peer);
      if (target.self) this.selfKey = target.key;
      // Defined rather than assigned: a key is any string, "__proto__" too.
      Object.defineProperty(this.stats, target.key, { value: peer.stats, enumerable: true, configurable: true });
    }
    if (faults) this.setFaults(faults);
    await Promise.all([...this.peers.values()].map((peer) => peer.connected(timeoutMs)));
  }

  /**
   * The deployer's faults on this port's edges (runtime/faults/), by receiver key: the whole
   * state, so an edge not named is cleared.
   */
  setFaults(faults: ReadonlyMap<string, EdgeFault>): void {
    for (const [key, peer] of this.peers) {
      const fault = faults.get(key);
      if (fault || peer.hasFault) peer.setFault(fault ?? {});
    }
  }

  /** A fault was set on the edge to receiver `key` once. */
  hasFault(key: string): boolean {
    return this.peers.get(key)?.hasFault ?? false;
  }

  /** Messages sent while the port is wired to nothing: dropped, and counted here. */
  dropped = 0;

  send(data: T, options: SendOptions = {}): void {
    const peer = this.peerFor(options.to === undefined ? undefined : String(options.to));
    if (peer) peer.write(this.codec.encode(data));
    else this.dropUnwired();
  }

  /** Sends `data` to every receiver of the port (encoded once), or every one but itself. */
  broadcast(data: T, options: BroadcastOptions = {}): void {
    if (this.peers.size === 0) return this.dropUnwired();
    const payload = this.codec.encode(data);
    for (const [key, peer] of this.peers) if (!(options.exceptSelf && key === this.selfKey)) peer.write(payload);
  }

  private dropUnwired(): void {
    this.dropped++;
    this.log("is not connected to anything; dropping what is sent on it");
  }

  private peerFor(to: string | undefined): ReceiverConnection | undefined {
    // Wired to nothing (or inert, while `hydro graph` loads the program): every message is dropped.
    if (this.peers.size === 0) return undefined;
    const peer = to === undefined ? (this.peers.size === 1 ? this.peers.values().next().value : undefined) : this.peers.get(to);
    if (!peer) throw new UnknownReceiverError(this.name, to, this.keys);
    return peer;
  }

  /** Resolves once everything sent so far has been handed to the kernel; what goes to an unreachable receiver is dropped, not waited for. */
  async flush(): Promise<void> {
    await Promise.all([...this.peers.values()].map((peer) => peer.flush()));
  }

  /** Flushes, then ends every connection and stops reconnecting (no timer or attempt is left). */
  async close(): Promise<void> {
    await this.flush();
    this.closeNow();
  }

  /** Ends every connection now: what is batched is written, what a delay holds is dropped (counted); no redial is left. */
  closeNow(): void {
    for (const peer of this.peers.values()) peer.close();
  }
}

function reconnectOptions(port: string, options: ReconnectOptions = {}): Required<ReconnectOptions> {
  const { firstMs = RECONNECT_DEFAULTS.firstMs, maxMs = RECONNECT_DEFAULTS.maxMs } = options;
  if (!(firstMs > 0 && maxMs >= firstMs && Number.isFinite(maxMs))) {
    throw new RangeError(`port '${port}': reconnect needs 0 < firstMs <= maxMs, both finite (got firstMs ${firstMs}, maxMs ${maxMs})`);
  }
  return { firstMs, maxMs };
}
