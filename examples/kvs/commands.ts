import type { Store } from "./store.js";
import { array, bulk, bulkOrNull, EMPTY_ARRAY, error, integer, map, OK, RESP2, RESP3, simple, type Protocol } from "./resp.js";

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
  run(store: Store, words: readonly string[], session: Session): string;
}

/**
 * What a command may read or change of the connection it came on: the protocol its replies are
 * encoded in (HELLO switches it) and its name (CLIENT SETNAME). One per client (resp-server.ts).
 */
export interface Session {
  /** The client's id, as CLIENT ID and HELLO report it: unique per connection. */
  readonly id: number;
  protocol: Protocol;
  name: string | null;
}

/** A request forwarded from another partition names keys, so it needs nothing of a session but the protocol. */
export const forwardedSession = (protocol: 2 | 3): Session => ({ id: 0, protocol: protocol === 3 ? RESP3 : RESP2, name: null });

const SERVER = "hydro-kvs";
const VERSION = "7.0.0";
const INTEGER = /^(0|-?[1-9][0-9]{0,18})$/;
const NOT_INTEGER = error("ERR value is not an integer or out of range");

/** A 64-bit signed integer written as Redis reads one (no sign on 0, no leading zeros), or undefined. */
function int64(word: string): bigint | undefined {
  if (!INTEGER.test(word)) return undefined;
  const value = BigInt(word);
  return value > 9223372036854775807n || value < -9223372036854775808n ? undefined : value;
}

function incrementBy(store: Store, key: string, by: bigint): string {
  const current = int64(store.get(key) ?? "0");
  if (current === undefined) return NOT_INTEGER;
  const next = current + by;
  if (next > 9223372036854775807n || next < -9223372036854775808n) return error("ERR increment or decrement would overflow");
  store.write(key, next.toString());
  return `:${next}\r\n`;
}

function set(store: Store, words: readonly string[], { protocol }: Session): string {
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
  if (returnOld) return bulkOrNull(old, protocol);
  return allowed ? OK : protocol.null;
}

const configValues: Record<string, string> = { save: "", appendonly: "no", databases: "1" };

/** CONFIG GET: the named parameters this store knows, each once, as given (Redis does not lower-case them). */
function configGet(words: readonly string[], protocol: Protocol): string {
  const seen = new Set<string>();
  const pairs: string[] = [];
  for (const name of words.slice(2)) {
    const known = name.toLowerCase();
    if (!Object.hasOwn(configValues, known) || seen.has(known)) continue;
    seen.add(known);
    pairs.push(bulk(name), bulk(configValues[known]!));
  }
  return map(pairs, protocol);
}

/** As Redis's validateClientName: a name is printable ASCII without spaces. */
const BAD_CLIENT_NAME = error("ERR Client names cannot contain spaces, newlines or special characters.");
const validClientName = (name: string): boolean => /^[!-~]*$/.test(name);
/** Without a password set, the default user takes any password, and no other user exists (Redis's defaults). */
const WRONGPASS = error("WRONGPASS invalid username-password pair or user is disabled.");

/**
 * HELLO [protover [AUTH username password] [SETNAME clientname]], as Redis 7.0 runs it: the version
 * is checked first, then each option in turn, taking effect at once (a name set before a bad
 * option stays set); the protocol switches only once all of them passed. The reply is the
 * server's description, in the protocol now in use.
 */
function hello(words: readonly string[], session: Session): string {
  let protocol = session.protocol;
  if (words.length >= 2) {
    const version = int64(words[1]!);
    if (version === undefined) return error("ERR Protocol version is not an integer or out of range");
    if (version !== 2n && version !== 3n) return error("NOPROTO unsupported protocol version");
    protocol = version === 3n ? RESP3 : RESP2;
  }
  for (let i = 2; i < words.length; i++) {
    const option = words[i]!;
    const more = words.length - 1 - i;
    const upper = option.toUpperCase();
    if (upper === "AUTH" && more >= 2) {
      if (words[i + 1] !== "default") return WRONGPASS;
      i += 2;
    } else if (upper === "SETNAME" && more >= 1) {
      const problem = setName(session, words[++i]!);
      if (problem) return problem;
    } else return error(`ERR Syntax error in HELLO option '${option}'`);
  }
  session.protocol = protocol;
  const info: Array<[string, string]> = [
    ["server", bulk(SERVER)],
    ["version", bulk(VERSION)],
    ["proto", integer(protocol.version)],
    ["id", integer(session.id)],
    ["mode", bulk("standalone")],
    ["role", bulk("master")],
    ["modules", EMPTY_ARRAY],
  ];
  return map(
    info.flatMap(([key, value]) => [bulk(key), value]),
    protocol,
  );
}

/** Names the connection (an empty name removes it); the error reply if the name is not allowed. */
function setName(session: Session, name: string): string | undefined {
  if (!validClientName(name)) return BAD_CLIENT_NAME;
  session.name = name === "" ? null : name;
  return undefined;
}

/** CLIENT ID, GETNAME, SETNAME; other subcommands are unknown, as to Redis 7.0 (clients ignore that for SETINFO). */
function client(words: readonly string[], session: Session): string {
  const subcommand = words[1]!.toLowerCase();
  const arity = ({ id: 2, getname: 2, setname: 3 } as Record<string, number>)[subcommand];
  if (arity === undefined) return error(`ERR unknown subcommand '${words[1]!.slice(0, 128)}'. Try CLIENT HELP.`);
  if (words.length !== arity) return wrongArity(`client|${subcommand}`);
  if (subcommand === "id") return integer(session.id);
  if (subcommand === "getname") return bulkOrNull(session.name, session.protocol);
  return setName(session, words[2]!) ?? OK;
}

/** AUTH [username] password, answered as a Redis without a password answers it. */
function auth(words: readonly string[]): string {
  if (words.length > 3) return error("ERR syntax error");
  if (words.length === 2)
    return error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
  return words[1] === "default" ? OK : WRONGPASS;
}

const INFO = `# Server\r\nredis_version:${VERSION}\r\nredis_mode:standalone\r\n`;

const commands: Record<string, Command> = {
  ping: { kind: "meta", arity: -1, run: (_, w) => (w.length > 2 ? wrongArity("ping") : w.length === 2 ? bulk(w[1]!) : simple("PONG")) },
  echo: { kind: "meta", arity: 2, run: (_, w) => bulk(w[1]!) },
  get: { keys: "first", kind: "read", arity: 2, run: (store, w, session) => bulkOrNull(store.get(w[1]!), session.protocol) },
  mget: { keys: "all", kind: "read", arity: -2, run: (store, w, { protocol }) => array(w.slice(1).map((key) => bulkOrNull(store.get(key), protocol))) },
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
  incrby: { keys: "first", kind: "write", arity: 3, run: (store, w) => withIncrement(w[2]!, (by) => incrementBy(store, w[1]!, by)) },
  decrby: {
    keys: "first",
    kind: "write",
    arity: 3,
    // -(-2^63) does not fit: Redis refuses it before looking at the value.
    run: (store, w) => withIncrement(w[2]!, (by) => (by === -9223372036854775808n ? error("ERR decrement would overflow") : incrementBy(store, w[1]!, -by))),
  },
  flushall: { kind: "write", arity: -1, run: flush },
  flushdb: { kind: "write", arity: -1, run: flush },
  // What redis-cli, redis-benchmark and client libraries ask while they start. No command has docs
  // here: COMMAND DOCS is a map (empty) like Redis's, the rest of COMMAND an empty array.
  command: {
    kind: "meta",
    arity: -1,
    run: (_, w, { protocol }) => {
      const subcommand = w[1]?.toLowerCase();
      return subcommand === "count" ? integer(Object.keys(commands).length) : subcommand === "docs" ? map([], protocol) : EMPTY_ARRAY;
    },
  },
  config: {
    kind: "meta",
    arity: -2,
    run: (_, w, { protocol }) =>
      w[1]!.toLowerCase() === "get" ? configGet(w, protocol) : error(`ERR CONFIG ${w[1]!.toUpperCase()} is not supported by this store`),
  },
  hello: { kind: "meta", arity: -1, run: (_, w, session) => hello(w, session) },
  auth: { kind: "meta", arity: -2, run: (_, w) => auth(w) },
  client: { kind: "meta", arity: -2, run: (_, w, session) => client(w, session) },
  select: { kind: "meta", arity: 2, run: (_, w) => (w[1] === "0" ? OK : int64(w[1]!) === undefined ? NOT_INTEGER : error("ERR DB index is out of range")) },
  info: { kind: "meta", arity: -1, run: (_, __, { protocol }) => protocol.text(INFO) },
  quit: { kind: "meta", arity: 1, hangsUp: true, run: () => OK },
};

function withIncrement(word: string, apply: (by: bigint) => string): string {
  const by = int64(word);
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
  run(store: Store, words: readonly string[], session: Session): string;
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
    // As Redis words it: the arguments quoted, until about 128 characters of them.
    let args = "";
    for (let i = 1; i < words.length && args.length < 128; i++) args += `'${words[i]!.slice(0, 128 - args.length)}' `;
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
export function execute(command: Resolved, store: Store, words: readonly string[], session: Session): string {
  try {
    return command.run(store, words, session);
  } catch (thrown) {
    return error(thrown instanceof RangeError ? "ERR the reply would be too large: ask for fewer or smaller values" : `ERR ${(thrown as Error).message}`);
  }
}
