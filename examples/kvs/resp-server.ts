import net from "node:net";
import { resolve, type Resolved, type Session } from "./commands.js";
import { error, RequestReader, RESP2, type RequestLimits, DEFAULT_LIMITS } from "./resp.js";

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

/** Replies waiting for the socket beyond this hold back further requests (the client is not reading). */
const MAX_UNSENT_BYTES = 16 * 1024 * 1024;
/** Replies collected beyond this are written at once, not at the end of the tick. */
const FLUSH_BYTES = 1024 * 1024;
/** Requests of one client in the dataflow at once: bounds the replies one burst can make. */
const MAX_IN_FLIGHT = 128;
/** Parsed requests waiting their turn beyond this stop the reading of the socket. */
const MAX_WAITING = 4096;

/** Client ids, as CLIENT ID reports them: unique among this process's connections, as in Redis. */
let lastClientId = 0;

interface Parsed {
  words: string[];
  command: Resolved;
  last: boolean;
}

/**
 * A client connection: turns its bytes into Requests and writes their replies back in request
 * order, one write per tick however many replies the tick made. Memory stays bounded when the
 * client sends without reading: at most MAX_IN_FLIGHT requests are in the dataflow, more go in
 * only while less than MAX_UNSENT_BYTES of replies wait for the socket, and the socket is not
 * read while MAX_WAITING parsed requests wait.
 */
export class Client {
  /** RESP2 until the client sends HELLO 3; changed by the commands, which run in request order. */
  readonly session: Session = { id: ++lastClientId, protocol: RESP2, name: null };
  private readonly reader: RequestReader;
  private waiting: Parsed[] = [];
  private nextSlot = 0;
  /** The slot whose reply goes out next, and replies that arrived before it. */
  private head = 0;
  private readonly early = new Map<number, string>();
  private out = "";
  private flushing = false;
  private hangUp = false;
  /** A QUIT or a protocol error was read: nothing after it is. */
  private closing = false;
  /** The client ended its side (`printf … | nc -N`): it still gets every reply. */
  private clientDone = false;

  constructor(
    private readonly socket: net.Socket,
    limits: RequestLimits,
    private readonly submit: (request: Request) => void,
  ) {
    this.reader = new RequestReader(limits);
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.read(chunk));
    socket.on("end", () => {
      this.clientDone = true;
      if (!this.flushing) this.flush();
    });
    socket.on("drain", () => this.pump());
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
    // Big replies go out at once rather than into one string that could outgrow what a string can hold.
    if (this.out.length >= FLUSH_BYTES) this.flush();
    else if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(() => this.flush());
    }
  }

  private read(chunk: Buffer): void {
    if (this.closing) return;
    for (const words of this.reader.read(chunk)) {
      const command = resolve(words);
      const last = command.hangsUp === true;
      // Nothing waiting and room in the dataflow (the usual case): straight in, without queueing.
      if (this.waiting.length === 0 && this.room() > 0) this.enter({ words, command, last });
      else this.waiting.push({ words, command, last });
      if (last) {
        this.closing = true;
        break;
      }
    }
    const failure = this.reader.failure;
    if (failure && !this.closing) {
      this.waiting.push({ words: [], command: { kind: "meta", run: () => error(`ERR Protocol error: ${failure.message}`) }, last: true });
      this.closing = true;
    }
    this.pump();
  }

  /** Hands waiting requests to the dataflow as far as the bounds allow; reads on while few wait. */
  private pump(): void {
    const room = this.room();
    const next = room >= this.waiting.length ? this.waiting : this.waiting.slice(0, Math.max(0, room));
    this.waiting = next === this.waiting ? [] : this.waiting.slice(next.length);
    for (const parsed of next) this.enter(parsed);
    if (this.closing || this.waiting.length >= MAX_WAITING) this.socket.pause();
    else this.socket.resume();
  }

  /** How many more requests may enter the dataflow now: none while replies pile up unsent. */
  private room(): number {
    return this.socket.writableLength > MAX_UNSENT_BYTES ? 0 : MAX_IN_FLIGHT - (this.nextSlot - this.head);
  }

  private enter({ words, command, last }: Parsed): void {
    this.submit({ client: this, slot: this.nextSlot++, words, command, last });
  }

  private flush(): void {
    this.flushing = false;
    if (this.socket.destroyed) return;
    const out = this.out;
    this.out = "";
    // Hang up after QUIT or a protocol error, or once a client that finished sending has every reply.
    if (this.hangUp || (this.clientDone && this.waiting.length === 0 && this.nextSlot === this.head)) return void this.socket.end(out, "latin1");
    if (out.length > 0) this.socket.write(out, "latin1");
    if (this.waiting.length > 0) this.pump();
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
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
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
