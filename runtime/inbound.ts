import net from "node:net";
import fs from "node:fs";
import type { Address, Sender } from "./protocol.js";
import { FrameDecoder, FrameTooLargeError, DEFAULT_MAX_FRAME_BYTES } from "./framing.js";
import { json, type Codec } from "./codec.js";
import { validated, type StandardSchema, type Validated } from "./schema.js";
import { rateLimitedLog } from "./log.js";
import { Fifo } from "./fifo.js";

/** One message as a receiver sees it: `from` is the sending service (or external endpoint). */
export interface Received<T> {
  from: string;
  data: T;
}

export interface InboundStats {
  received: number;
  /** Messages that decoded but failed the port's schema. */
  invalid: number;
  /** Frames that could not be decoded, and connections dropped for an oversized frame. */
  badFrames: number;
  /** Connections closed before being served: no hello with a credential the deployer gave this port (in time). */
  refused: number;
  /** Connections closed because a frame they had started made no progress for `idleTimeoutMs`. */
  stalled: number;
}

export interface InboundOptions {
  codec?: Codec;
  /** Largest frame accepted; a bigger one drops that sender's connection. */
  maxFrameBytes?: number;
  /**
   * Bytes the port holds at most for frames still arriving and messages not yet consumed, over
   * all its connections. A frame that does not fit waits (its sender is not read) until others
   * are consumed; one frame is always let through, so a frame up to maxFrameBytes never stalls.
   */
  maxBufferedBytes?: number;
  /** A connection that has not sent a valid hello this long after connecting is refused. */
  helloTimeoutMs?: number;
  /** A connection in the middle of a frame that sends nothing for this long is closed. */
  idleTimeoutMs?: number;
}

export const INBOUND_DEFAULTS = {
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxBufferedBytes: 64 * 1024 * 1024,
  helloTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
} satisfies Required<Omit<InboundOptions, "codec">>;

/** A hello is a few dozen bytes: before it, a connection may make the port hold no more than this. */
const MAX_HELLO_BYTES = 1024;

/** Above this many undelivered messages the port stops reading from its senders (TCP backpressure). */
const HIGH_WATER = 4096;

/** One sender's connection, and what the port holds for it. */
interface Connection {
  socket: net.Socket;
  /** Destroyed by the port (refused, stalled, a bad frame): the rest of a chunk being read is ignored. */
  dropped: boolean;
  decoder: FrameDecoder;
  /** The sender's name, once its hello carried a credential this port was given. */
  from: string | undefined;
  helloTimer: NodeJS.Timeout | undefined;
  /** Bytes of the port's budget held for the frame this connection is in the middle of. */
  reserved: number;
  /** Waiting (not read) until the frame it has started fits the port's budget. */
  waiting: boolean;
  idleTimerOn: boolean;
  /** Messages whose schema validates asynchronously, in order; undefined while every message so far was settled synchronously. */
  backlog: Promise<void> | undefined;
}

/**
 * A server port: binds an address, accepts any number of senders (a merge is just several),
 * validates every message, and yields them in arrival order to whoever iterates it.
 */
export class Inbound<T> implements AsyncIterable<Received<T>> {
  readonly stats: InboundStats = { received: 0, invalid: 0, badFrames: 0, refused: 0, stalled: 0 };
  private readonly queue = new Fifo<Received<T>>();
  /** Frame sizes of the queued messages, for the byte budget. */
  private readonly queuedSizes = new Fifo<number>();
  private queuedBytes = 0;
  private reservedBytes = 0;
  private reservations = 0;
  /** Iterators waiting for a message: woken (once) when one is queued or the port closes. */
  private readonly waiters: Array<() => void> = [];
  private readonly connections = new Set<Connection>();
  /** Connections waiting for budget, first come first served. */
  private readonly waitingForBudget: Connection[] = [];
  /** Credential → the sender's name: only connections that present one are served. */
  private readonly senders = new Map<string, string>();
  private server: net.Server | undefined;
  private closed = false;
  /** Backpressure: too much is queued, so no sender is read. */
  private paused = false;
  private readonly log: (message: string) => void;
  private readonly codec: Codec;
  private readonly limits: Required<Omit<InboundOptions, "codec">>;

  constructor(
    readonly name: string,
    private readonly schema: StandardSchema<T>,
    options: InboundOptions = {},
  ) {
    this.codec = options.codec ?? json;
    this.limits = { ...INBOUND_DEFAULTS, ...withoutUndefined(options) };
    this.log = rateLimitedLog(`port '${name}'`);
  }

  /** Bytes the port holds now for frames still arriving and messages not consumed yet. */
  get bufferedBytes(): number {
    let partial = 0;
    for (const connection of this.connections) partial += connection.decoder.bufferedBytes;
    return partial + this.queuedBytes;
  }

  /**
   * Binds and resolves with the real address (a TCP port 0 becomes the port the kernel chose).
   * Only `senders` are served: a connection whose hello carries none of their tokens is refused.
   */
  async listen(address: Address, senders: Sender[]): Promise<Address> {
    for (const { from, token } of senders) this.senders.set(token, from);
    const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    if (address.kind === "unix") fs.rmSync(address.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      const onListening = () => {
        server.off("error", reject);
        resolve();
      };
      if (address.kind === "unix") server.listen(address.path, onListening);
      else server.listen(address.port, address.host, onListening);
    });
    if (address.kind === "unix") return address;
    const bound = server.address() as net.AddressInfo;
    return { kind: "tcp", host: address.host, port: bound.port };
  }

  private accept(socket: net.Socket): void {
    const connection: Connection = {
      socket,
      dropped: false,
      decoder: new FrameDecoder((chunk, start, end) => this.onFrame(connection, chunk, start, end), MAX_HELLO_BYTES),
      from: undefined,
      helloTimer: setTimeout(() => this.refuse(connection, `no hello within ${this.limits.helloTimeoutMs} ms`), this.limits.helloTimeoutMs).unref(),
      reserved: 0,
      waiting: false,
      idleTimerOn: false,
      backlog: undefined,
    };
    this.connections.add(connection);
    socket.on("data", (chunk: Buffer) => {
      try {
        connection.decoder.push(chunk);
      } catch (error) {
        if (!(error instanceof FrameTooLargeError)) throw error;
        if (connection.from === undefined) return this.refuse(connection, `its first frame (${error.size} bytes) is too large for a hello`);
        this.stats.badFrames++;
        this.log(`dropping connection from ${connection.from}: ${error.message}`);
        return this.drop(connection);
      }
      if (!connection.dropped) this.account(connection);
    });
    socket.on("timeout", () => {
      this.stats.stalled++;
      this.log(`closing connection from ${connection.from}: a frame it started has not progressed for ${this.limits.idleTimeoutMs} ms`);
      this.drop(connection);
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(connection.helloTimer);
      this.connections.delete(connection);
      this.release(connection);
      const waiting = this.waitingForBudget.indexOf(connection);
      if (waiting >= 0) this.waitingForBudget.splice(waiting, 1);
      this.grantWaiting();
    });
  }

  private onFrame(connection: Connection, chunk: Buffer, start: number, end: number): void {
    if (connection.dropped) return;
    if (connection.from === undefined) return this.hello(connection, chunk.subarray(start, end));
    if (connection.backlog)
      return this.defer(
        connection,
        connection.backlog.then(() => this.take(connection.from!, chunk, start, end)),
      );
    const pending = this.take(connection.from, chunk, start, end);
    if (pending) this.defer(connection, pending);
  }

  private hello(connection: Connection, payload: Buffer): void {
    connection.from = this.senders.get(readHello(payload) ?? "");
    if (connection.from === undefined) return this.refuse(connection, "its hello carries no credential of a sender wired to this port");
    clearTimeout(connection.helloTimer);
    connection.decoder.maxFrameBytes = this.limits.maxFrameBytes;
    this.updateFlow(connection);
  }

  private refuse(connection: Connection, why: string): void {
    this.stats.refused++;
    this.log(`refused connection #${this.stats.refused}: ${why}`);
    this.drop(connection);
  }

  private drop(connection: Connection): void {
    connection.dropped = true;
    connection.socket.destroy();
  }

  /** Decodes, validates and queues the message in `chunk[start, end)`; returns a promise only when the schema validates asynchronously. */
  private take(from: string, chunk: Buffer, start: number, end: number): Promise<void> | undefined {
    let decoded: unknown;
    try {
      decoded = this.codec.decodeRange ? this.codec.decodeRange(chunk, start, end) : this.codec.decode(chunk.subarray(start, end));
    } catch (error) {
      this.stats.badFrames++;
      this.log(`undecodable frame from ${from}: ${(error as Error).message}`);
      return;
    }
    const size = end - start;
    let result: ReturnType<StandardSchema<T>["~standard"]["validate"]>;
    try {
      result = this.schema["~standard"].validate(decoded);
    } catch (error) {
      this.settle(from, schemaThrew(error), size);
      return;
    }
    if (!(result instanceof Promise)) {
      if (result.issues) this.settle(from, validated(result), size);
      else this.queueMessage(from, result.value, size);
      return;
    }
    return result.then(
      (asynchronous) => this.settle(from, validated(asynchronous), size),
      (error: unknown) => this.settle(from, schemaThrew(error), size),
    );
  }

  /** Later messages of the connection wait behind `pending`, which keeps their order. */
  private defer(connection: Connection, pending: Promise<void>): void {
    const backlog: Promise<void> = pending.then(() => {
      if (connection.backlog === backlog) connection.backlog = undefined;
    });
    connection.backlog = backlog;
  }

  private settle(from: string, result: Validated<T>, size: number): void {
    if (result.ok) return this.queueMessage(from, result.value, size);
    this.stats.invalid++;
    this.log(`invalid message from ${from}: ${result.problem}`);
  }

  private queueMessage(from: string, data: T, size: number): void {
    this.stats.received++;
    this.queue.put({ from, data });
    this.queuedSizes.put(size);
    this.queuedBytes += size;
    if (!this.paused && (this.queue.size >= HIGH_WATER || this.queuedBytes >= this.limits.maxBufferedBytes)) this.setPaused(true);
    this.waiters.shift()?.();
  }

  /** After a chunk: the budget the connection's incomplete frame holds, and whether it may be read on. */
  private account(connection: Connection): void {
    const wanted = connection.decoder.pendingFrameBytes;
    if (!connection.waiting && wanted !== connection.reserved) {
      this.release(connection);
      if (wanted > 0 && !this.reserve(connection, wanted)) {
        connection.waiting = true;
        this.waitingForBudget.push(connection);
      }
      this.grantWaiting();
    }
    this.updateFlow(connection);
  }

  private reserve(connection: Connection, bytes: number): boolean {
    const fits = this.reservations === 0 || this.reservedBytes + this.queuedBytes + bytes <= this.limits.maxBufferedBytes;
    if (!fits) return false;
    connection.reserved = bytes;
    this.reservedBytes += bytes;
    this.reservations++;
    return true;
  }

  private release(connection: Connection): void {
    if (connection.reserved === 0) return;
    this.reservedBytes -= connection.reserved;
    this.reservations--;
    connection.reserved = 0;
  }

  private grantWaiting(): void {
    while (this.waitingForBudget.length > 0) {
      const next = this.waitingForBudget[0]!;
      const wanted = next.decoder.pendingFrameBytes;
      if (wanted > 0 && !this.reserve(next, wanted)) return;
      this.waitingForBudget.shift();
      next.waiting = false;
      this.updateFlow(next);
    }
  }

  /**
   * Reads a connection unless it waits for budget or (after its hello) the port is paused; the idle
   * timeout runs only while a frame is incomplete and the connection is being read.
   */
  private updateFlow(connection: Connection): void {
    const { socket } = connection;
    const reading = !connection.waiting && !(this.paused && connection.from !== undefined);
    if (reading === socket.isPaused()) reading ? socket.resume() : socket.pause();
    const idleTimerOn = reading && connection.from !== undefined && connection.decoder.bufferedBytes > 0;
    if (idleTimerOn !== connection.idleTimerOn) {
      connection.idleTimerOn = idleTimerOn;
      socket.setTimeout(idleTimerOn ? this.limits.idleTimeoutMs : 0);
    }
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    for (const connection of this.connections) this.updateFlow(connection);
  }

  [Symbol.asyncIterator](): AsyncIterator<Received<T>> {
    return this.iterator(() => this.dequeue(), false);
  }

  /**
   * The messages in batches: each step yields every message queued by then (at least one), in
   * order. For high message rates: one step of the loop per burst instead of per message.
   */
  batches(): AsyncIterable<Received<T>[]> {
    return {
      [Symbol.asyncIterator]: () =>
        this.iterator(() => {
          const batch: Received<T>[] = [];
          for (let message = this.dequeue(); message; message = this.dequeue()) batch.push(message);
          return batch.length > 0 ? batch : undefined;
        }, true),
    };
  }

  /**
   * An iterator whose steps `take` from the queue, waiting while it has nothing and the port is open.
   * `wholeChunks`: a woken step takes once the chunk being read is done (so a batch gets all of its
   * messages); a per-message step takes at once (no microtask per message on the hot path).
   */
  private iterator<V>(take: () => V | undefined, wholeChunks: boolean): AsyncIterator<V> {
    const step = (): IteratorResult<V> | undefined => {
      const value = take();
      if (value !== undefined) return { value, done: false };
      if (this.closed) return { value: undefined, done: true };
      return undefined;
    };
    return {
      next: () => {
        const now = step();
        if (now) return Promise.resolve(now);
        return new Promise((resolve) => {
          // Woken when a message is queued; another iterator may have taken it first: then it waits again.
          const attempt = () => {
            const result = step();
            if (result) resolve(result);
            else this.waiters.push(wake);
          };
          const wake = wholeChunks ? () => queueMicrotask(attempt) : attempt;
          this.waiters.push(wake);
        });
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  private dequeue(): Received<T> | undefined {
    const message = this.queue.take();
    if (!message) return undefined;
    this.queuedBytes -= this.queuedSizes.take()!;
    if (this.paused && this.queue.size < HIGH_WATER / 2 && this.queuedBytes < this.limits.maxBufferedBytes / 2) this.setPaused(false);
    if (this.waitingForBudget.length > 0) this.grantWaiting();
    return message;
  }

  /** Stops accepting; iteration ends once the queued messages are consumed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    for (const connection of this.connections) this.drop(connection);
    const server = this.server;
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
  }
}

const schemaThrew = (error: unknown): Validated<never> =>
  // A schema that throws (a transform, a refinement) is the message's fault, not the program's.
  ({ ok: false, problem: `the schema threw: ${(error as Error).message}` });

function withoutUndefined<O extends object>(options: O): Partial<O> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<O>;
}

/** The credential a hello frame carries, if it is one. */
function readHello(frame: Buffer): string | undefined {
  try {
    const hello = JSON.parse(frame.toString("utf8")) as { hydro?: unknown; token?: unknown };
    return hello.hydro === 1 && typeof hello.token === "string" ? hello.token : undefined;
  } catch {
    return undefined;
  }
}

/** The first frame of every connection: which sender this is, proven by the token the deployer gave it. */
export function helloFrame(token: string): Buffer {
  return Buffer.from(JSON.stringify({ hydro: 1, token }));
}
