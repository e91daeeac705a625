import type { Store } from "./store.js";
import { array, bulk, EMPTY_ARRAY, error, integer, NIL, OK, simple } from "./resp.js";

/**
 * Which part of the replica's dataflow a command goes to: `read`s look the table up, `write`s
 * change it (and so feed gossip), `meta` commands never touch it.
 */
export type CommandKind = "read" | "write" | "meta";

/** Where a command's keys are among its words: the partition that owns them must run it. */
export type KeyPositions = "first" | "all" | "pairs";

interface Command {
  kind: CommandKind;
  keys?: KeyPositions;
  /** The connection is closed once this is answered (QUIT). */
  hangsUp?: boolean;
  /** As in Redis: n means exactly n words (the name included), -n at least n. */
  arity: number;
  run(store: Store, words: readonly string[]): string;
}

const SERVER_INFO = { server: "hydro-kvs", version: "7.0.0", proto: 2, mode: "standalone" } as const;
const INTEGER = /^-?(0|[1-9][0-9]{0,18})$/;
const NOT_INTEGER = error("ERR value is not an integer or out of range");

function incrementBy(store: Store, key: string, by: bigint): string {
  const current = store.get(key) ?? "0";
  if (!INTEGER.test(current)) return NOT_INTEGER;
  const next = BigInt(current) + by;
  if (next > 9223372036854775807n || next < -9223372036854775808n) return error("ERR increment or decrement would overflow");
  store.write(key, next.toString());
  return `:${next}\r\n`;
}

function parsedIncrement(word: string | undefined): bigint | undefined {
  return word !== undefined && INTEGER.test(word) ? BigInt(word) : undefined;
}

function set(store: Store, words: readonly string[]): string {
  if (words.length === 3) {
    store.write(words[1]!, words[2]!);
    return OK;
  }
  let onlyIfMissing = false;
  let onlyIfPresent = false;
  let returnOld = false;
  for (const option of words.slice(3)) {
    const upper = option.toUpperCase();
    if (upper === "NX") onlyIfMissing = true;
    else if (upper === "XX") onlyIfPresent = true;
    else if (upper === "GET") returnOld = true;
    else if (["EX", "PX", "EXAT", "PXAT", "KEEPTTL"].includes(upper)) return error("ERR expiry (EX, PX, EXAT, PXAT, KEEPTTL) is not supported by this store");
    else return error("ERR syntax error");
  }
  if (onlyIfMissing && onlyIfPresent) return error("ERR syntax error");
  const key = words[1]!;
  const old = store.get(key);
  const allowed = !(onlyIfMissing && old !== null) && !(onlyIfPresent && old === null);
  if (allowed) store.write(key, words[2]!);
  if (returnOld) return bulk(old);
  return allowed ? OK : NIL;
}

const configValues: Record<string, string> = { save: "", appendonly: "no", databases: "1" };

const commands: Record<string, Command> = {
  ping: { kind: "meta", arity: -1, run: (_, w) => (w.length > 2 ? wrongArity("ping") : w.length === 2 ? bulk(w[1]!) : simple("PONG")) },
  echo: { kind: "meta", arity: 2, run: (_, w) => bulk(w[1]!) },
  get: { keys: "first", kind: "read", arity: 2, run: (store, w) => bulk(store.get(w[1]!)) },
  mget: { keys: "all", kind: "read", arity: -2, run: (store, w) => array(w.slice(1).map((key) => bulk(store.get(key)))) },
  exists: { keys: "all", kind: "read", arity: -2, run: (store, w) => integer(w.slice(1).filter((key) => store.get(key) !== null).length) },
  dbsize: { kind: "read", arity: 1, run: (store) => integer(store.size) },
  set: { keys: "first", kind: "write", arity: -3, run: set },
  mset: {
    keys: "pairs",
    kind: "write",
    arity: -3,
    run: (store, w) => {
      if (w.length % 2 === 0) return wrongArity("mset");
      for (let i = 1; i < w.length; i += 2) store.write(w[i]!, w[i + 1]!);
      return OK;
    },
  },
  del: {
    keys: "all",
    kind: "write",
    arity: -2,
    run: (store, w) => {
      let deleted = 0;
      for (const key of new Set(w.slice(1))) {
        if (store.get(key) === null) continue;
        store.write(key, null);
        deleted++;
      }
      return integer(deleted);
    },
  },
  incr: { keys: "first", kind: "write", arity: 2, run: (store, w) => incrementBy(store, w[1]!, 1n) },
  decr: { keys: "first", kind: "write", arity: 2, run: (store, w) => incrementBy(store, w[1]!, -1n) },
  incrby: { keys: "first", kind: "write", arity: 3, run: (store, w) => withIncrement(w[2], (by) => incrementBy(store, w[1]!, by)) },
  decrby: { keys: "first", kind: "write", arity: 3, run: (store, w) => withIncrement(w[2], (by) => incrementBy(store, w[1]!, -by)) },
  flushall: { kind: "write", arity: -1, run: flush },
  flushdb: { kind: "write", arity: -1, run: flush },
  // What redis-cli, redis-benchmark and client libraries ask while they start.
  command: { kind: "meta", arity: -1, run: (_, w) => (w[1]?.toLowerCase() === "count" ? integer(Object.keys(commands).length) : EMPTY_ARRAY) },
  config: {
    kind: "meta",
    arity: -2,
    run: (_, w) => {
      if (w[1]!.toLowerCase() !== "get") return error(`ERR CONFIG ${w[1]!.toUpperCase()} is not supported by this store`);
      const pairs = w
        .slice(2)
        .flatMap((name) => (name.toLowerCase() in configValues ? [bulk(name.toLowerCase()), bulk(configValues[name.toLowerCase()]!)] : []));
      return array(pairs);
    },
  },
  hello: {
    kind: "meta",
    arity: -1,
    run: (_, w) => {
      if (w[1] !== undefined && w[1] !== "2")
        return error(INTEGER.test(w[1]) ? "NOPROTO this server speaks only RESP2" : "ERR Protocol version is not an integer or out of range");
      return array(Object.entries(SERVER_INFO).flatMap(([key, value]) => [bulk(key), typeof value === "number" ? integer(value) : bulk(value)]));
    },
  },
  client: { kind: "meta", arity: -2, run: (_, w) => (w[1]!.toLowerCase() === "getname" ? NIL : w[1]!.toLowerCase() === "id" ? integer(1) : OK) },
  select: { kind: "meta", arity: 2, run: (_, w) => (w[1] === "0" ? OK : error("ERR DB index is out of range")) },
  info: { kind: "meta", arity: -1, run: () => bulk(`# Server\r\nredis_version:${SERVER_INFO.version}\r\nredis_mode:standalone\r\n`) },
  quit: { kind: "meta", arity: 1, hangsUp: true, run: () => OK },
};

function withIncrement(word: string | undefined, apply: (by: bigint) => string): string {
  const by = parsedIncrement(word);
  return by === undefined ? NOT_INTEGER : apply(by);
}

function flush(store: Store, words: readonly string[]): string {
  if (words.length > 2 || (words[1] !== undefined && !["async", "sync"].includes(words[1].toLowerCase()))) return error("ERR syntax error");
  for (const key of [...store.liveKeys()]) store.write(key, null);
  return OK;
}

function wrongArity(name: string): string {
  return error(`ERR wrong number of arguments for '${name}' command`);
}

/** A parsed request: the command, or the error to answer instead (unknown name, wrong arity). */
export interface Resolved {
  kind: CommandKind;
  keys?: KeyPositions;
  hangsUp?: boolean;
  run(store: Store, words: readonly string[]): string;
}

/** Commands by the spelling clients use (`SET`, `set`, …): no lower-casing per request. */
const bySpelling = new Map<string, Command>();

function lookUp(spelling: string): Command | undefined {
  let command = bySpelling.get(spelling);
  if (command === undefined) {
    const name = spelling.toLowerCase();
    command = Object.hasOwn(commands, name) ? commands[name]! : undefined;
    // Only real names are remembered, so that made-up ones cannot grow the map.
    if (command !== undefined && bySpelling.size < 1024) bySpelling.set(spelling, command);
  }
  return command;
}

/** Looks the command up and checks its arity; anything wrong becomes a `meta` that answers `-ERR`. */
export function resolve(words: readonly string[]): Resolved {
  const command = lookUp(words[0]!);
  if (command === undefined) {
    const args = words
      .slice(1, 21)
      .map((word) => `'${word.slice(0, 128)}'`)
      .join(" ");
    return answer(error(`ERR unknown command '${words[0]!.slice(0, 128)}', with args beginning with: ${args}`));
  }
  const { arity } = command;
  if (arity > 0 ? words.length !== arity : words.length < -arity) return answer(wrongArity(words[0]!.toLowerCase()));
  return command;
}

function answer(reply: string): Resolved {
  return { kind: "meta", run: () => reply };
}

/** The keys a request names, by its command's key positions. */
export function keysOf(command: Resolved, words: readonly string[]): string[] {
  if (command.keys === undefined) return [];
  if (command.keys === "first") return [words[1]!];
  if (command.keys === "all") return words.slice(1);
  return words.filter((_, i) => i % 2 === 1);
}

/**
 * Runs a command; what it throws becomes its error reply rather than the replica's end. A reply
 * larger than a string can be (an MGET of many big values) is the one a client can provoke.
 */
export function execute(command: Resolved, store: Store, words: readonly string[]): string {
  try {
    return command.run(store, words);
  } catch (thrown) {
    return error(thrown instanceof RangeError ? "ERR the reply would be too large: ask for fewer or smaller values" : `ERR ${(thrown as Error).message}`);
  }
}
