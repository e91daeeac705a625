import net from "node:net";
import { resolve, type Resolved } from "./commands.js";
import { error, RequestReader, type RequestLimits, DEFAULT_LIMITS } from "./resp.js";

/** One command of one client, as it travels through the replica's dataflow. */
export interface Request {
  client: Client;
  /** Its place among the client's requests: replies go out in this order. */
  slot: number;
  words: string[];
  command: Resolved;
  /** Hang up once this is answered (QUIT, a protocol error). */
  last: boolean;
}

/** Replies waiting for the socket beyond this pause reading from the client (it is not reading). */
const MAX_UNSENT_BYTES = 16 * 1024 * 1024;

/**
 * A client connection: turns its bytes into Requests and writes their replies back in request
 * order, one write per tick however many replies the tick made.
 */
export class Client {
  private readonly reader: RequestReader;
  private nextSlot = 0;
  /** The slot whose reply goes out next, and replies that arrived before it. */
  private head = 0;
  private readonly early = new Map<number, string>();
  private out = "";
  private flushing = false;
  private hangUp = false;
  /** A QUIT or a protocol error was read: nothing after it is. */
  private closing = false;

  constructor(
    private readonly socket: net.Socket,
    limits: RequestLimits,
    private readonly submit: (request: Request) => void,
  ) {
    this.reader = new RequestReader(limits);
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.read(chunk));
    socket.on("drain", () => this.closing || socket.resume());
    socket.on("error", () => socket.destroy());
  }

  reply(slot: number, encoded: string, last: boolean): void {
    if (slot !== this.head) {
      this.early.set(slot, encoded);
      return;
    }
    this.out += encoded;
    this.head++;
    if (last) this.hangUp = true;
    for (let next = this.early.get(this.head); next !== undefined; next = this.early.get(this.head)) {
      this.early.delete(this.head);
      this.out += next;
      this.head++;
    }
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(() => this.flush());
    }
  }

  private read(chunk: Buffer): void {
    if (this.closing) return;
    for (const words of this.reader.read(chunk)) {
      const command = resolve(words);
      const last = command.hangsUp === true;
      this.enqueue(words, command, last);
      if (last) return this.close();
    }
    const failure = this.reader.failure;
    if (failure) {
      this.enqueue([], { kind: "meta", run: () => error(`ERR Protocol error: ${failure.message}`) }, true);
      this.close();
    }
  }

  private close(): void {
    this.closing = true;
    this.socket.pause();
  }

  private enqueue(words: string[], command: Resolved, last: boolean): void {
    this.submit({ client: this, slot: this.nextSlot++, words, command, last });
  }

  private flush(): void {
    this.flushing = false;
    if (this.socket.destroyed) return;
    const out = this.out;
    this.out = "";
    if (this.hangUp) return void this.socket.end(out, "latin1");
    if (!this.socket.write(out, "latin1") && this.socket.writableLength > MAX_UNSENT_BYTES) this.socket.pause();
  }
}

export interface RespServerOptions {
  host: string;
  port: number;
  limits?: RequestLimits;
  /** Called for every request of every client, in each client's order. */
  submit: (request: Request) => void;
}

/** Listens for Redis clients; resolves once listening, or rejects naming the address. */
export async function listenResp(options: RespServerOptions): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    new Client(socket, options.limits ?? DEFAULT_LIMITS, options.submit);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", (cause: NodeJS.ErrnoException) =>
      reject(
        new Error(`cannot listen for Redis clients on ${options.host}:${options.port}: ${cause.code === "EADDRINUSE" ? "the port is in use" : cause.message}`),
      ),
    );
    server.listen(options.port, options.host, () => resolveListen());
  });
  const { address, port } = server.address() as net.AddressInfo;
  return {
    address: `${address.includes(":") ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
