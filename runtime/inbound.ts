/**
 * A receiving port: binds an address, accepts its senders' connections, checks each one's hello,
 * and reads their frames as far as its byte budget allows. What a frame becomes is
 * message-decoder.ts's; what the port may hold, byte-budget.ts's; delivery, message-queue.ts's.
 */
import net from "node:net";
import fs from "node:fs";
import type { Address, Sender } from "./protocol.js";
import { FrameDecoder, FrameTooLargeError, DEFAULT_MAX_FRAME_BYTES, HEADER_BYTES } from "./framing.js";
import { json, type Codec } from "./codec.js";
import type { StandardSchema } from "./schema.js";
import { rateLimitedLog } from "./log.js";
import { MAX_HELLO_BYTES, readHello } from "./hello.js";
import { MessageDecoder, type MessageSink } from "./message-decoder.js";
import { ByteBudget, Holding } from "./byte-budget.js";
import { MessageQueue, type Received } from "./message-queue.js";

export type { Received } from "./message-queue.js";

export interface InboundStats {
  received: number;
  /** The frames of the messages received, 4-byte headers included. */
  bytes: number;
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
   * all its connections (every byte it has read counts, a waiting frame's first bytes too). A frame
   * that does not fit waits (its sender is not read) until others are consumed; once the port holds
   * this much, it reads nothing but the rest of frames already let in, until half of it is free.
   * When nothing else is held, one frame is let through, so a frame up to maxFrameBytes never stalls.
   */
  maxBufferedBytes?: number;
  /** A connection that has not sent a valid hello after being read this long is refused. */
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

/** One sender's connection, and what the port holds for it. */
interface Connection<T> {
  readonly socket: net.Socket;
  readonly frames: FrameDecoder;
  /** Its messages, once its hello carried a credential this port was given. */
  messages: MessageDecoder<T> | undefined;
  readonly holding: Holding;
  /** Runs only while the port reads it: a sender is not refused for the time the port was too full to read its hello. */
  readonly helloDeadline: Countdown;
  idleTimerOn: boolean;
  /** Closed, by either side: nothing more of it is decoded, counted or held. */
  ended: boolean;
}

/**
 * A server port: binds an address, accepts any number of senders (a merge is just several),
 * validates every message, and yields them in arrival order to whoever iterates it.
 */
export class Inbound<T> implements AsyncIterable<Received<T>> {
  readonly stats: InboundStats = { received: 0, bytes: 0, invalid: 0, badFrames: 0, refused: 0, stalled: 0 };
  private readonly budget: ByteBudget;
  private readonly queue: MessageQueue<T>;
  private readonly connections = new Set<Connection<T>>();
  /** Credential → the sender's name: only connections that present one are served. */
  private readonly senders = new Map<string, string>();
  private server: net.Server | undefined;
  private readonly log: (message: string) => void;
  private readonly codec: Codec;
  private readonly limits: Required<Omit<InboundOptions, "codec">>;
  private readonly sink: MessageSink<T> = {
    accept: (from, data, bytes) => {
      this.stats.received++;
      this.stats.bytes += HEADER_BYTES + bytes;
      this.queue.put({ from, data }, bytes);
    },
    reject: (from, problem, why, bytes) => {
      this.budget.released(bytes);
      if (problem === "invalid") {
        this.stats.invalid++;
        this.log(`invalid message from ${from}: ${why}`);
      } else {
        this.stats.badFrames++;
        this.log(`undecodable frame from ${from}: ${why}`);
      }
    },
  };

  constructor(
    readonly name: string,
    private readonly schema: StandardSchema<T>,
    options: InboundOptions = {},
  ) {
    this.codec = options.codec ?? json;
    this.limits = { ...INBOUND_DEFAULTS, ...withoutUndefined(options) };
    this.log = rateLimitedLog(`port '${name}'`);
    this.budget = new ByteBudget(this.limits.maxBufferedBytes, () => {
      for (const connection of this.connections) this.updateFlow(connection);
    });
    this.queue = new MessageQueue((bytes, count) => this.budget.released(bytes, count));
  }

  /** Bytes the port holds now: of frames still arriving (a paused socket's read-ahead included) and of messages not consumed yet. */
  get bufferedBytes(): number {
    let held = this.budget.heldInMessages;
    for (const { frames, socket } of this.connections) held += frames.bufferedBytes + socket.readableLength;
    return held;
  }

  /**
   * Binds and resolves with the real address (a TCP port 0 becomes the port the kernel chose).
   * Only `senders` are served: a connection whose hello carries none of their tokens is refused.
   */
  async listen(address: Address, senders: Sender[]): Promise<Address> {
    for (const { from, token } of senders) this.senders.set(token, from);
    // Paused on connect: a connection is not read (not even its first chunk) until the budget allows it.
    const server = net.createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
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
    const connection: Connection<T> = {
      socket,
      frames: new FrameDecoder((chunk, start, end) => this.onFrame(connection, chunk, start, end), MAX_HELLO_BYTES),
      messages: undefined,
      holding: new Holding(() => this.updateFlow(connection)),
      helloDeadline: new Countdown(this.limits.helloTimeoutMs, () => this.refuse(connection, `no hello within ${this.limits.helloTimeoutMs} ms`)),
      idleTimerOn: false,
      ended: false,
    };
    this.connections.add(connection);
    socket.on("data", (chunk: Buffer) => this.onData(connection, chunk));
    socket.on("timeout", () => {
      this.stats.stalled++;
      this.log(`closing connection from ${connection.messages?.from}: a frame it started has not progressed for ${this.limits.idleTimeoutMs} ms`);
      this.end(connection);
    });
    socket.on("error", () => {});
    socket.on("close", () => this.end(connection));
    this.updateFlow(connection);
  }

  private onData(connection: Connection<T>, chunk: Buffer): void {
    const { frames } = connection;
    try {
      frames.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      if (!connection.messages) return this.refuse(connection, `its first frame (${error.size} bytes) is too large for a hello`);
      this.stats.badFrames++;
      this.log(`dropping connection from ${connection.messages.from}: ${error.message}`);
      return this.end(connection);
    }
    // Refused by a frame of this chunk: the frames after it were not decoded, and nothing is held.
    if (connection.ended) return;
    const pending = frames.pendingFrameBytes;
    this.budget.hold(connection.holding, frames.bufferedBytes, pending > 0 ? HEADER_BYTES + pending : 0);
    this.updateFlow(connection);
  }

  private onFrame(connection: Connection<T>, chunk: Buffer, start: number, end: number): void {
    if (!connection.messages) return this.hello(connection, chunk.subarray(start, end));
    // Charged from now until delivered or rejected: a schema may validate asynchronously.
    this.budget.message(connection.holding, end - start);
    connection.messages.read(chunk, start, end);
  }

  private hello(connection: Connection<T>, payload: Buffer): void {
    if (connection.holding.granted) this.budget.finished(connection.holding);
    const from = this.senders.get(readHello(payload) ?? "");
    if (from === undefined) return this.refuse(connection, "its hello carries no credential of a sender wired to this port");
    connection.helloDeadline.stop();
    connection.messages = new MessageDecoder(from, this.codec, this.schema, this.sink);
    connection.frames.maxFrameBytes = this.limits.maxFrameBytes;
  }

  private refuse(connection: Connection<T>, why: string): void {
    this.stats.refused++;
    this.log(`refused connection #${this.stats.refused}: ${why}`);
    this.end(connection);
  }

  /** Closes the connection (if the peer has not) and frees what the port held for it; once, whoever closes it first. */
  private end(connection: Connection<T>): void {
    if (connection.ended) return;
    connection.ended = true;
    // Out of the set first: freeing its budget may resume the others, and must not touch it.
    this.connections.delete(connection);
    connection.frames.stop();
    connection.helloDeadline.stop();
    this.budget.leave(connection.holding);
    connection.socket.destroy();
  }

  /**
   * Reads a connection while the budget allows it; the hello deadline runs only while it is read,
   * and the idle timeout only while a frame is incomplete and the connection is read.
   */
  private updateFlow(connection: Connection<T>): void {
    const { socket } = connection;
    const reading = this.budget.mayRead(connection.holding);
    if (reading === socket.isPaused()) reading ? socket.resume() : socket.pause();
    if (!connection.messages) reading ? connection.helloDeadline.run() : connection.helloDeadline.stop();
    const idleTimerOn = reading && connection.messages !== undefined && connection.frames.bufferedBytes > 0;
    if (idleTimerOn !== connection.idleTimerOn) {
      connection.idleTimerOn = idleTimerOn;
      socket.setTimeout(idleTimerOn ? this.limits.idleTimeoutMs : 0);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Received<T>> {
    return this.queue[Symbol.asyncIterator]();
  }

  /**
   * The messages in batches: each step yields every message queued by then (at least one), in
   * order. For high message rates: one step of the loop per burst instead of per message.
   */
  batches(): AsyncIterable<Received<T>[]> {
    return this.queue.batches();
  }

  /** Stops accepting; iteration ends once the queued messages are consumed. */
  async close(): Promise<void> {
    this.queue.close();
    for (const connection of this.connections) this.end(connection);
    const server = this.server;
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
  }
}

/** A timeout that counts down only while it runs: `stop` keeps the time left for the next `run`. */
class Countdown {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    private leftMs: number,
    private readonly onExpired: () => void,
  ) {}

  run(): void {
    if (this.timer) return;
    this.startedAt = performance.now();
    this.timer = setTimeout(this.onExpired, this.leftMs).unref();
  }

  stop(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.leftMs -= performance.now() - this.startedAt;
  }
}

function withoutUndefined<O extends object>(options: O): Partial<O> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<O>;
}
