/**
 * RESP, the Redis protocol: RESP2, and RESP3 for a connection that asked for it with HELLO 3.
 * Replies are encoded as latin1 strings (one char per byte, so a bulk string's length is its byte
 * count).
 */
export const OK = "+OK\r\n";
export const NIL = "$-1\r\n";
export const EMPTY_ARRAY = "*0\r\n";

export const simple = (text: string): string => `+${text}\r\n`;
export const integer = (n: number): string => `:${n}\r\n`;
export const bulk = (value: string): string => `$${value.length}\r\n${value}\r\n`;
export const array = (encoded: readonly string[]): string => `*${encoded.length}\r\n${encoded.join("")}`;
/** An error reply; a line break inside one would end it early, so each CR and LF becomes a space (as Redis does). */
export const error = (message: string): string => `-${message.replace(/[\r\n]/g, " ")}\r\n`;

/** What differs between RESP2 and RESP3 in the replies this store sends (errors, integers, arrays do not). */
export interface Protocol {
  readonly version: 2 | 3;
  /** No value (GET of a missing key): RESP2's null bulk string, RESP3's null. */
  readonly null: string;
  /** The header of a map of `pairs` key-value pairs: RESP2 sends a map as a flat array. */
  mapHeader(pairs: number): string;
  /** Text for people (INFO): RESP3 sends it as a verbatim string, so clients can show it as is. */
  text(text: string): string;
}

export const RESP2: Protocol = { version: 2, null: NIL, mapHeader: (pairs) => `*${2 * pairs}\r\n`, text: bulk };
export const RESP3: Protocol = {
  version: 3,
  null: "_\r\n",
  mapHeader: (pairs) => `%${pairs}\r\n`,
  text: (text) => `=${text.length + 4}\r\ntxt:${text}\r\n`,
};

/** A bulk string, or the protocol's null. */
export const bulkOrNull = (value: string | null, protocol: Protocol): string => (value === null ? protocol.null : `$${value.length}\r\n${value}\r\n`);
/** A map from already encoded keys and values, alternating. */
export const map = (encodedPairs: readonly string[], protocol: Protocol): string => protocol.mapHeader(encodedPairs.length / 2) + encodedPairs.join("");

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

/** Digits a length may have: more than any request could hold. */
const MAX_LENGTH_DIGITS = 15;
/** Words one command may have (Redis allows INT_MAX; a million keeps a bogus header cheap). */
const MAX_WORDS = 1024 * 1024;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Turns a client's bytes into commands (arrays of latin1 strings), in order: arrays of bulk
 * strings, as clients send, and inline lines, as typed in telnet (redis-cli --pipe puts a bare
 * CRLF between them). Memory is bounded: a request larger than the limits is a ProtocolError.
 * Not redis-parser: that parses replies, and cannot resume on an inline line inside a chunk.
 */
export class RequestReader {
  private commands: string[][] = [];
  private broken: ProtocolError | undefined;
  /** Bytes received but not yet parsed, and how many bytes must be there before parsing again. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  private need = 0;
  /** The array command being read: its words so far, how many are still to come, its bytes so far. */
  private words: string[] | undefined;
  private wordsLeft = 0;
  private commandBytes = 0;
  /** What lengthLine read last. */
  private length = 0;

  constructor(private readonly limits: RequestLimits = DEFAULT_LIMITS) {}

  /**
   * The commands completed by `chunk`, in order. Once the client breaks the protocol, `failure`
   * says how, and the commands before that point are still returned (Redis runs them too).
   */
  read(chunk: Buffer): string[][] {
    this.commands = [];
    if (this.broken) return this.commands;
    this.parts.push(chunk);
    this.partsLength += chunk.length;
    if (this.partsLength < this.need) {
      if (this.partsLength > this.limits.maxRequestBytes) this.fail(`request larger than ${this.limits.maxRequestBytes} bytes`);
      return this.commands;
    }
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLength);
    const offset = this.parse(data);
    this.parts = offset < data.length && !this.broken ? [data.subarray(offset)] : [];
    this.partsLength = data.length - offset;
    return this.commands;
  }

  get failure(): ProtocolError | undefined {
    return this.broken;
  }

  /** Parses from the start of `data`; returns where the unparsed rest begins, and sets `need`. */
  private parse(data: Buffer): number {
    let offset = 0;
    this.need = 0;
    while (offset < data.length && !this.broken) {
      if (this.words === undefined) {
        const next = data[offset] === 0x2a ? this.readArrayHeader(data, offset) : this.readInline(data, offset);
        if (next === undefined) return offset;
        offset = next;
        continue;
      }
      const next = this.readBulk(data, offset);
      if (next === undefined) return offset;
      offset = next;
    }
    return offset;
  }

  /** `*<n>\r\n`: starts a command of n words. */
  private readArrayHeader(data: Buffer, offset: number): number | undefined {
    const next = this.lengthLine(data, offset, "multibulk length");
    if (next === undefined) return undefined;
    const count = this.length;
    if (count > MAX_WORDS) return this.fail("invalid multibulk length");
    if (count > 0) {
      this.words = [];
      this.wordsLeft = count;
      this.commandBytes = next - offset;
    }
    return next;
  }

  /** `$<n>\r\n<n bytes>\r\n`: the next word of the command being read. */
  private readBulk(data: Buffer, offset: number): number | undefined {
    if (data[offset] !== 0x24) return this.fail(`expected '$', got '${String.fromCharCode(data[offset]!)}'`);
    const start = this.lengthLine(data, offset, "bulk length");
    if (start === undefined) return undefined;
    const length = this.length;
    if (length < 0 || length > this.limits.maxRequestBytes) return this.fail("invalid bulk length");
    const end = start + length;
    this.commandBytes += end + 2 - offset;
    if (this.commandBytes > this.limits.maxRequestBytes) return this.fail(`request larger than ${this.limits.maxRequestBytes} bytes`);
    if (end + 2 > data.length) {
      this.commandBytes -= end + 2 - offset;
      this.need = end + 2 - offset;
      return undefined;
    }
    if (data[end] !== CR || data[end + 1] !== LF) return this.fail("expected CRLF after a bulk string");
    this.words!.push(latin1(data, start, end));
    if (--this.wordsLeft === 0) {
      this.commands.push(this.words!);
      this.words = undefined;
    }
    return end + 2;
  }

  /**
   * The `<integer>\r\n` after the type byte at `offset`, scanned here rather than with indexOf and
   * Number(): a call into C++ per header cost more than the rest of reading a short command.
   * Sets `length` and returns where the line ends; undefined while it is incomplete.
   */
  private lengthLine(data: Buffer, offset: number, what: string): number | undefined {
    let i = offset + 1;
    const negative = data[i] === 0x2d;
    if (negative) i++;
    const first = i;
    let value = 0;
    for (; i < data.length && data[i] !== CR; i++) {
      const digit = data[i]! - 0x30;
      if (digit < 0 || digit > 9 || i - first >= MAX_LENGTH_DIGITS) return this.fail(`invalid ${what}`);
      value = value * 10 + digit;
    }
    if (i + 1 >= data.length) return undefined;
    if (i === first || data[i + 1] !== LF) return this.fail(`invalid ${what}`);
    this.length = negative ? -value : value;
    return i + 2;
  }

  /** An inline command line, ended by LF (a CR before it is dropped); empty lines are skipped. */
  private readInline(data: Buffer, offset: number): number | undefined {
    const newline = data.indexOf(LF, offset);
    if (newline === -1) {
      if (data.length - offset > this.limits.maxInlineBytes) this.fail("too big inline request");
      return undefined;
    }
    if (newline - offset > this.limits.maxInlineBytes) return this.fail("too big inline request");
    const end = newline > offset && data[newline - 1] === CR ? newline - 1 : newline;
    const words = splitInline(data.toString("latin1", offset, end));
    if (words === undefined) return this.fail("unbalanced quotes in request");
    if (words.length > 0) this.commands.push(words);
    return newline + 1;
  }

  private fail(reason: string): undefined {
    this.broken ??= new ProtocolError(reason);
    return undefined;
  }
}

/**
 * `data.toString("latin1", start, end)`, cheaper: short words (command names, keys, small values)
 * are built here, longer ones by latin1Slice without toString's argument checks.
 */
function latin1(data: Buffer, start: number, end: number): string {
  if (end - start > SHORT_WORD) return (data as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);
  let word = "";
  for (let i = start; i < end; i++) word += String.fromCharCode(data[i]!);
  return word;
}

const SHORT_WORD = 8;

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
