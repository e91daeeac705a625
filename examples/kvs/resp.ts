import Parser from "redis-parser";

/**
 * RESP2, the Redis protocol: replies are encoded as latin1 strings (one char per byte, so a
 * bulk string's length is its byte count), requests are parsed by `redis-parser`.
 */
export const OK = "+OK\r\n";
export const NIL = "$-1\r\n";
export const EMPTY_ARRAY = "*0\r\n";

export const simple = (text: string): string => `+${text}\r\n`;
export const integer = (n: number): string => `:${n}\r\n`;
export const bulk = (value: string | null): string => (value === null ? NIL : `$${value.length}\r\n${value}\r\n`);
export const array = (encoded: readonly string[]): string => `*${encoded.length}\r\n${encoded.join("")}`;
/** An error reply; a line break inside one would end it early, so they become spaces (as Redis does). */
export const error = (message: string): string => `-${message.replace(/[\r\n]+/g, " ")}\r\n`;

export interface RequestLimits {
  /** Bytes one request may hold, arguments included (Redis: proto-max-bulk-len, 512 MB). */
  maxRequestBytes: number;
  /** Bytes of one inline (telnet-style) command line (Redis: 64 KiB). */
  maxInlineBytes: number;
}

export const DEFAULT_LIMITS: RequestLimits = { maxRequestBytes: 64 * 1024 * 1024, maxInlineBytes: 64 * 1024 };

/** Why a connection must be closed: Redis answers `-ERR Protocol error: …` and hangs up. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

/**
 * Turns a client's bytes into commands (arrays of latin1 strings), in order. Arrays of bulk strings
 * go to `redis-parser`; a line that starts with anything else is an inline command, as typed in
 * telnet. Memory is bounded: a request larger than the limits is a ProtocolError, not a buffer.
 */
export class RequestReader {
  private readonly parser: Parser;
  private commands: string[][] = [];
  private broken: ProtocolError | undefined;
  /** Bytes given to the parser since it last completed a request. */
  private pendingBytes = 0;
  /** An inline command line not yet ended. */
  private inline = "";

  constructor(private readonly limits: RequestLimits = DEFAULT_LIMITS) {
    this.parser = new Parser({
      returnBuffers: true,
      returnReply: (reply: unknown) => this.accept(reply),
      returnError: () => this.fail("expected '*', got '-'"),
      returnFatalError: (fatal: Error) => this.fail(fatal.message.replace(/^Protocol error, got (.+) as reply type byte$/, "expected '*', got $1")),
    });
  }

  /**
   * The commands completed by `chunk`, in order. Once the client breaks the protocol, `failure`
   * says how, and the commands before that point are still returned (Redis runs them too).
   */
  read(chunk: Buffer): string[][] {
    this.commands = [];
    let offset = 0;
    while (offset < chunk.length && this.broken === undefined) {
      if (this.parserIdle() && (this.inline !== "" || chunk[offset] !== 0x2a)) offset = this.readInline(chunk, offset);
      else offset = this.feed(chunk, offset);
    }
    return this.commands;
  }

  get failure(): ProtocolError | undefined {
    return this.broken;
  }

  private parserIdle(): boolean {
    return (this.parser as unknown as { buffer: Buffer | null }).buffer === null;
  }

  /** Feeds the parser up to the end of the chunk. */
  private feed(chunk: Buffer, offset: number): number {
    this.pendingBytes += chunk.length - offset;
    if (this.pendingBytes > this.limits.maxRequestBytes) this.fail(`request larger than ${this.limits.maxRequestBytes} bytes`);
    else {
      try {
        this.parser.execute(offset === 0 ? chunk : chunk.subarray(offset));
      } catch (thrown) {
        // A length redis-parser cannot allocate (`*4294967296`), or arrays nested past the stack.
        this.fail(`unparseable request (${(thrown as Error).message})`);
      }
    }
    return chunk.length;
  }

  /** Reads one inline line (or what there is of it) from `offset`; returns where it stopped. */
  private readInline(chunk: Buffer, offset: number): number {
    const newline = chunk.indexOf(0x0a, offset);
    const end = newline === -1 ? chunk.length : newline;
    this.inline += chunk.toString("latin1", offset, end);
    if (this.inline.length > this.limits.maxInlineBytes) {
      this.fail("too big inline request");
      return chunk.length;
    }
    if (newline === -1) return chunk.length;
    const line = this.inline.endsWith("\r") ? this.inline.slice(0, -1) : this.inline;
    this.inline = "";
    const words = splitInline(line);
    if (words === undefined) this.fail("unbalanced quotes in request");
    else if (words.length > 0) this.commands.push(words);
    return newline + 1;
  }

  private accept(reply: unknown): void {
    this.pendingBytes = 0;
    if (this.broken) return;
    if (!Array.isArray(reply)) return this.fail(`expected '*', got '${typeof reply === "number" ? ":" : "$"}'`);
    if (reply.length === 0) return;
    const words = new Array<string>(reply.length);
    for (let i = 0; i < reply.length; i++) {
      const word = reply[i] as unknown;
      if (!Buffer.isBuffer(word))
        return this.fail("expected '$' inside a request, got " + (word === null ? "a null bulk string" : Array.isArray(word) ? "'*'" : "':'"));
      words[i] = word.toString("latin1");
    }
    this.commands.push(words);
  }

  private fail(reason: string): void {
    this.broken ??= new ProtocolError(reason);
  }
}

/** Splits an inline command as redis-cli and Redis do: spaces separate, quotes group (with escapes in "…"). */
function splitInline(line: string): string[] | undefined {
  const words: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"']+))(?=\s|$)/y;
  let index = 0;
  while (index < line.length) {
    if (/^\s*$/.test(line.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(line);
    if (!match) return undefined;
    words.push(match[1] !== undefined ? unescapeDouble(match[1]) : match[2] !== undefined ? match[2].replace(/\\'/g, "'") : match[3]!);
    index = pattern.lastIndex;
  }
  return words;
}

function unescapeDouble(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, escape: string) => {
    if (escape.length === 3) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return ({ n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" } as Record<string, string>)[escape] ?? escape;
  });
}
