/**
 * A sending port's link to one of its receivers (docs/ARCHITECTURE.md §4): dials until the
 * receiver listens, presents the edge's hello on every connection it opens, writes each tick's
 * frames as one buffer, and when the receiver goes away (it crashed, or was restarted) reconnects
 * with backoff for as long as the port is open. While it is down nothing is held: what is sent is
 * dropped and counted, so `send` never blocks and memory does not grow with the outage.
 */
import net from "node:net";
import type { Address } from "./protocol.js";
import { encodeFrame, FrameBatch } from "./framing.js";
import { Backoff } from "./backoff.js";
import { EdgeShaper, type FaultCounts } from "./faults/shaper.js";
import type { EdgeFault } from "./faults/edge-fault.js";

/** What one receiver of a sending port got, and lost: `outbound.stats[key]`. `droppedByFault` and `delayed` count what the deployer's faults did (runtime/faults/). */
export interface OutboundStats extends FaultCounts {
  /** Messages written to a connection to this receiver (handed to the socket: what is in its buffers when the connection fails is lost uncounted, as on any network). */
  sent: number;
  /** The frames of the messages sent, 4-byte headers included. */
  bytes: number;
  /** Messages lost while the receiver was unreachable: sent while it was, or not yet written when its connection failed. */
  dropped: number;
  /** Times the connection came back after being lost. */
  reconnects: number;
  /** A connection to the receiver is open now. */
  connected: boolean;
}

/** Waits between attempts to reach a receiver that went away: doubling, with jitter, from `firstMs` to `maxMs`. */
export interface ReconnectOptions {
  firstMs?: number;
  maxMs?: number;
}

export const RECONNECT_DEFAULTS = { firstMs: 50, maxMs: 2000 } satisfies Required<ReconnectOptions>;

/** Before the first connection (connect() waits for it): the delays of the initial dialling, without jitter. */
const FIRST_CONNECT = { firstMs: 20, maxMs: 1000 };
/** A tick's batch is written out early once it holds this much, so one long burst is not one huge buffer. */
const BATCH_BYTES = 1024 * 1024;
/** A dial that has not connected after this long is given up (a host that is gone may never answer it) and tried again. */
const DIAL_TIMEOUT_MS = 5000;
/** An outage shorter than this logs nothing until the receiver is back (a peer stopping at teardown is not news). */
const LOST_LOG_AFTER_MS = 1000;

type State =
  /** Dialling for the first time: frames sent meanwhile are held, and written once connected. */
  | "first"
  /** Connected, hello written: frames are batched per tick. */
  | "up"
  /** Lost (or never reached in time): dialling again after a wait; frames are dropped and counted. */
  | "down"
  /** The port is closed: frames are dropped and counted, no more dialling. */
  | "closed";

export class ReceiverConnection {
  readonly stats: OutboundStats = { sent: 0, bytes: 0, dropped: 0, reconnects: 0, connected: false, droppedByFault: 0, delayed: 0 };
  /** The deployer's fault on this edge, once one was set: every message passes through it. */
  private shaper: EdgeShaper | undefined;
  private state: State = "first";
  private socket: net.Socket | undefined;
  /** Frames not written yet: this tick's (or, before the first connection, all of them). */
  private batch = new FrameBatch();
  /** How many frames `batch` holds. */
  private pending = 0;
  private writeScheduled = false;
  private retry: NodeJS.Timeout | undefined;
  private backoff = new Backoff(FIRST_CONNECT.firstMs, FIRST_CONNECT.maxMs, 0);
  private readonly hello: Buffer;
  private connectedAt = 0;
  /** When the current outage began, how much had been dropped by then, and whether it was logged. */
  private lostAt = 0;
  private droppedBefore = 0;
  private lossLogged = false;
  private readonly firstConnect: Promise<void>;
  private resolveFirst!: () => void;
  private readonly writeTick = () => {
    this.writeScheduled = false;
    if (this.state === "up") this.writeBatch();
  };

  constructor(
    private readonly port: string,
    /** The receiver's key, as the port's `send(…, { to })` names it. */
    private readonly key: string,
    private readonly address: Address,
    hello: Buffer,
    private readonly reconnect: Required<ReconnectOptions>,
    /** The port's rate-limited log: one line when the receiver is lost, one when it is back. */
    private readonly log: (message: string) => void,
  ) {
    this.hello = encodeFrame(hello);
    this.firstConnect = new Promise((resolve) => (this.resolveFirst = resolve));
    this.dial();
  }

  /**
   * Resolves on the first connection; rejects after `timeoutMs` without one. Then what was held is
   * dropped and dialling goes on as after a loss.
   */
  connected(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (this.state === "first") this.giveUpHolding();
        reject(new Error(`port '${this.port}' → ${this.key}: could not connect to ${describe(this.address)} within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    return Promise.race([this.firstConnect, timeout]).finally(() => clearTimeout(timer));
  }

  write(payload: Uint8Array | string): void {
    if (this.shaper) this.shaper.admit(payload);
    else this.deliver(payload);
  }

  /** The fault injector's rule for this edge from now on (runtime/faults/shaper.ts); `{}` clears it. */
  setFault(fault: EdgeFault): void {
    this.shaper ??= new EdgeShaper(`${this.port}→${this.key}`, this.stats, this.deliver, this.log);
    this.shaper.set(fault);
  }

  /** A fault was set on this edge once (and may still hold delayed messages). */
  get hasFault(): boolean {
    return this.shaper !== undefined;
  }

  private readonly deliver = (payload: Uint8Array | string): void => {
    if (this.state !== "up") return this.writeWhileNotUp(payload);
    this.batch.add(payload);
    this.pending++;
    if (this.batch.bytes >= BATCH_BYTES) this.writeBatch();
    else if (!this.writeScheduled) {
      this.writeScheduled = true;
      process.nextTick(this.writeTick);
    }
  };

  private writeWhileNotUp(payload: Uint8Array | string): void {
    if (this.state !== "first") {
      this.stats.dropped++;
      return;
    }
    this.batch.add(payload);
    this.pending++;
  }

  private writeBatch(): void {
    if (this.pending === 0) return;
    this.stats.sent += this.pending;
    this.pending = 0;
    const frames = this.batch.take();
    this.stats.bytes += frames.byteLength;
    this.socket!.write(frames);
  }

  /** The frames not written yet are lost: counted as dropped. */
  private dropBatch(): void {
    this.stats.dropped += this.pending;
    this.pending = 0;
    this.batch = new FrameBatch();
  }

  /**
   * Resolves once everything sent so far is handed to the kernel, or at once (and dropped) if the
   * receiver is unreachable. Messages a delay holds now are waited for: they go out at their time.
   */
  flush(): Promise<void> {
    if (this.shaper?.holding) return this.shaper.drained().then(() => this.flushWritten());
    return this.flushWritten();
  }

  private flushWritten(): Promise<void> {
    const socket = this.socket;
    if (this.state !== "up" || !socket) return Promise.resolve();
    this.writeBatch();
    if (socket.writableLength === 0) return Promise.resolve();
    // The callback runs also when the connection fails first: a write it could not finish is not waited for.
    return new Promise((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
  }

  /** Writes what is batched and ends the connection; stops dialling at once. */
  close(): void {
    const state = this.state;
    if (state === "closed") return;
    this.state = "closed";
    this.stats.connected = false;
    clearTimeout(this.retry);
    this.shaper?.discard();
    if (state === "up") {
      this.writeBatch();
      this.socket!.end();
    } else {
      this.dropBatch();
      this.socket?.destroy();
    }
  }

  private dial(): void {
    this.retry = undefined;
    const socket = this.address.kind === "unix" ? net.connect(this.address.path) : net.connect(this.address.port, this.address.host);
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(DIAL_TIMEOUT_MS, () => socket.destroy());
    // Reconnecting does not keep a program alive by itself (the first dialling does: connect() waits for it).
    if (this.state === "down") socket.unref();
    socket.once("connect", () => this.opened(socket));
    socket.on("error", () => {});
    socket.once("close", () => this.socketClosed(socket));
  }

  private opened(socket: net.Socket): void {
    const reconnected = this.state === "down";
    this.state = "up";
    this.stats.connected = true;
    this.connectedAt = performance.now();
    socket.setTimeout(0);
    socket.ref();
    // A receiver sends nothing; reading lets its going away (EOF) be noticed at once, not at the next write.
    socket.resume();
    socket.write(this.hello);
    if (reconnected) {
      this.stats.reconnects++;
      const seconds = ((this.connectedAt - this.lostAt) / 1000).toFixed(1);
      this.log(`'${this.key}' is back after ${seconds} s; ${this.stats.dropped - this.droppedBefore} messages sent to it meanwhile were dropped`);
    } else {
      this.backoff = new Backoff(this.reconnect.firstMs, this.reconnect.maxMs);
      this.writeBatch();
      this.resolveFirst();
    }
  }

  private socketClosed(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    if (this.state === "closed") return;
    if (this.state === "up") this.lost();
    else if (this.state === "down" && !this.lossLogged && performance.now() - this.lostAt >= LOST_LOG_AFTER_MS) {
      this.lossLogged = true;
      this.log(`lost its connection to '${this.key}' (${describe(this.address)}); reconnecting, and dropping what is sent to it until it is back`);
    }
    this.retry = setTimeout(() => this.dial(), this.backoff.next()).unref();
  }

  private lost(): void {
    this.state = "down";
    this.stats.connected = false;
    this.lostAt = performance.now();
    this.droppedBefore = this.stats.dropped;
    this.lossLogged = false;
    this.dropBatch();
    // A connection that lasted does not slow the next attempt; one closed soon after opening (a
    // receiver that refuses it, or is crashing in a loop) keeps the backoff growing.
    if (this.lostAt - this.connectedAt >= this.reconnect.maxMs) this.backoff.reset();
  }

  /** The first connection did not come in time: what was held is dropped, and the port behaves as after a loss. */
  private giveUpHolding(): void {
    this.state = "down";
    this.lostAt = performance.now();
    this.droppedBefore = this.stats.dropped;
    this.lossLogged = true;
    this.backoff = new Backoff(this.reconnect.firstMs, this.reconnect.maxMs);
    this.dropBatch();
  }
}

function describe(address: Address): string {
  return address.kind === "unix" ? address.path : `${address.host}:${address.port}`;
}
