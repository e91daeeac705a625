import net from "node:net";
import fs from "node:fs";
import type { Address, Sender } from "./protocol.js";
import { FrameDecoder, DEFAULT_MAX_FRAME_BYTES } from "./framing.js";
import { json, type Codec } from "./codec.js";
import { validate, type StandardSchema } from "./schema.js";
import { rateLimitedLog } from "./log.js";

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
  /** Connections closed because their hello carried no credential the deployer gave this port. */
  refused: number;
}

export interface InboundOptions {
  codec?: Codec;
  maxFrameBytes?: number;
}

/** Above this many undelivered messages the port stops reading from its senders (TCP backpressure). */
const HIGH_WATER = 4096;

/**
 * A server port: binds an address, accepts any number of senders (a merge is just several),
 * validates every message, and yields them in arrival order to whoever iterates it.
 */
export class Inbound<T> implements AsyncIterable<Received<T>> {
  readonly stats: InboundStats = { received: 0, invalid: 0, badFrames: 0, refused: 0 };
  private readonly queue: Received<T>[] = [];
  private readonly waiters: Array<(result: IteratorResult<Received<T>>) => void> = [];
  private readonly sockets = new Set<net.Socket>();
  /** Credential → the sender's name: only connections that present one are served. */
  private readonly senders = new Map<string, string>();
  private server: net.Server | undefined;
  private closed = false;
  private paused = false;
  private readonly log: (message: string) => void;
  /** Keeps message order per connection although validation may be async. */
  private readonly codec: Codec;
  private readonly maxFrameBytes: number;

  constructor(
    readonly name: string,
    private readonly schema: StandardSchema<T>,
    options: InboundOptions = {},
  ) {
    this.codec = options.codec ?? json;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.log = rateLimitedLog(`port '${name}'`);
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
    this.sockets.add(socket);
    if (this.paused) socket.pause();
    const decoder = new FrameDecoder(this.maxFrameBytes);
    let from: string | undefined;
    // Validation may be async (a schema's choice), so each connection's messages are chained to keep their order.
    let chain: Promise<void> = Promise.resolve();
    socket.on("data", (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (error) {
        this.stats.badFrames++;
        this.log(`dropping connection from ${from ?? "an unnamed sender"}: ${(error as Error).message}`);
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (from === undefined) {
          from = this.senders.get(readHello(frame) ?? "");
          if (from === undefined) {
            this.stats.refused++;
            this.log(`refused connection #${this.stats.refused}: its hello carries no credential of a sender wired to this port`);
            socket.destroy();
            return;
          }
          continue;
        }
        const sender = from;
        chain = chain.then(() => this.deliver(sender, frame));
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => this.sockets.delete(socket));
  }

  private async deliver(from: string, frame: Buffer): Promise<void> {
    let decoded: unknown;
    try {
      decoded = this.codec.decode(frame);
    } catch (error) {
      this.stats.badFrames++;
      this.log(`undecodable frame from ${from}: ${(error as Error).message}`);
      return;
    }
    let result: Awaited<ReturnType<typeof validate<T>>>;
    try {
      result = await validate(this.schema, decoded);
    } catch (error) {
      // A schema that throws (a transform, a refinement) is the message's fault, not the program's.
      result = { ok: false, problem: `the schema threw: ${(error as Error).message}` };
    }
    if (!result.ok) {
      this.stats.invalid++;
      this.log(`invalid message from ${from}: ${result.problem}`);
      return;
    }
    this.stats.received++;
    const message = { from, data: result.value };
    const waiter = this.waiters.shift();
    if (waiter) return waiter({ value: message, done: false });
    this.queue.push(message);
    if (this.queue.length >= HIGH_WATER && !this.paused) this.setPaused(true);
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    for (const socket of this.sockets) paused ? socket.pause() : socket.resume();
  }

  [Symbol.asyncIterator](): AsyncIterator<Received<T>> {
    return {
      next: () => {
        const message = this.queue.shift();
        if (message) {
          if (this.paused && this.queue.length < HIGH_WATER / 2) this.setPaused(false);
          return Promise.resolve({ value: message, done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  /** Stops accepting; iteration ends once the queued messages are consumed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
  }
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
