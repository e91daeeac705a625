import net from "node:net";
import type { Address, Target } from "./protocol.js";
import { encodeFrame, FrameBatch } from "./framing.js";
import { json, type Codec } from "./codec.js";
import { helloFrame } from "./hello.js";
import { rateLimitedLog } from "./log.js";

export interface SendOptions {
  /** Which receiver of a demux port gets the message (a receiver's key, by default its service name). */
  to?: string;
}

export interface OutboundOptions {
  codec?: Codec;
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
 * A client port: one connection per receiver. `send` never blocks; frames sent in the same tick
 * go out as one buffer in one write.
 */
export class Outbound<T> {
  private readonly peers = new Map<string, Peer>();
  private readonly codec: Codec;

  private readonly log: (message: string) => void;

  constructor(
    readonly name: string,
    options: OutboundOptions = {},
  ) {
    this.codec = options.codec ?? json;
    this.log = rateLimitedLog(`port '${name}'`);
  }

  /** Receivers' keys, in the order the deployer listed them. */
  get keys(): string[] {
    return [...this.peers.keys()];
  }

  /** Connects to every target (retrying while a receiver comes up), presenting each target's credential. */
  async connect(targets: Target[], timeoutMs = 30_000): Promise<void> {
    for (const target of targets) this.peers.set(target.key, new Peer(`port '${this.name}' → ${target.key}`, target.address, helloFrame(target.token)));
    await Promise.all([...this.peers.values()].map((peer) => peer.connected(timeoutMs)));
  }

  /** Messages sent while the port is wired to nothing: dropped, and counted here. */
  dropped = 0;

  send(data: T, options: SendOptions = {}): void {
    const peer = this.peerFor(options.to);
    if (peer) peer.write(this.codec.encode(data));
    else {
      this.dropped++;
      this.log("is not connected to anything; dropping what is sent on it");
    }
  }

  private peerFor(to: string | undefined): Peer | undefined {
    // Wired to nothing (or inert, while `hydro graph` loads the program): every message is dropped.
    if (this.peers.size === 0) return undefined;
    const peer = to === undefined ? (this.peers.size === 1 ? this.peers.values().next().value : undefined) : this.peers.get(to);
    if (!peer) throw new UnknownReceiverError(this.name, to, this.keys);
    return peer;
  }

  /** Resolves once everything sent so far has been handed to the kernel. */
  async flush(): Promise<void> {
    await Promise.all([...this.peers.values()].map((peer) => peer.flush()));
  }

  async close(): Promise<void> {
    await this.flush();
    for (const peer of this.peers.values()) peer.close();
  }
}

const RETRY_FIRST_MS = 20;
const RETRY_MAX_MS = 1000;
/** A tick's batch is written out early once it holds this much, so one long burst is not one huge buffer. */
const BATCH_BYTES = 1024 * 1024;

/** One connection to one receiver, reconnecting with backoff; frames wait while it is down. */
class Peer {
  private socket: net.Socket | undefined;
  private up = false;
  private closed = false;
  /** Frames not written yet: this tick's, or all of them while the connection is down. */
  private batch = new FrameBatch();
  private writeScheduled = false;
  private readonly firstConnect: Promise<void>;
  private resolveFirst!: () => void;

  constructor(
    private readonly label: string,
    private readonly address: Address,
    private readonly hello: Buffer,
  ) {
    this.firstConnect = new Promise((resolve) => (this.resolveFirst = resolve));
    this.dial(RETRY_FIRST_MS);
  }

  connected(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.label}: could not connect to ${describe(this.address)} within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.firstConnect, timeout]).finally(() => clearTimeout(timer));
  }

  private dial(retryMs: number): void {
    if (this.closed) return;
    const socket = this.address.kind === "unix" ? net.connect(this.address.path) : net.connect(this.address.port, this.address.host);
    socket.setNoDelay(true);
    this.socket = socket;
    socket.once("connect", () => {
      this.up = true;
      socket.write(encodeFrame(this.hello));
      this.writeBatch();
      this.resolveFirst();
    });
    socket.on("error", () => {});
    // A receiver that goes away is the deployer's to report (it sees the exit); here we only reconnect.
    socket.once("close", () => {
      this.up = false;
      if (!this.closed) setTimeout(() => this.dial(Math.min(retryMs * 2, RETRY_MAX_MS)), retryMs).unref();
    });
  }

  write(payload: Uint8Array | string): void {
    this.batch.add(payload);
    if (!this.up) return;
    if (this.batch.bytes >= BATCH_BYTES) this.writeBatch();
    else if (!this.writeScheduled) {
      this.writeScheduled = true;
      process.nextTick(() => {
        this.writeScheduled = false;
        if (this.up) this.writeBatch();
      });
    }
  }

  private writeBatch(): void {
    if (!this.batch.empty) this.socket!.write(this.batch.take());
  }

  flush(): Promise<void> {
    const socket = this.socket;
    if (!this.up || !socket) return Promise.resolve();
    this.writeBatch();
    if (socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
  }

  close(): void {
    this.closed = true;
    if (this.up) this.writeBatch();
    this.socket?.end();
  }
}

function describe(address: Address): string {
  return address.kind === "unix" ? address.path : `${address.host}:${address.port}`;
}
