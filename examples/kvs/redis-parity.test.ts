import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { converse, startRedisServer, startReplica } from "./test-replica.js";

const cmd = (...words: string[]) => `*${words.length}\r\n` + words.map((word) => `$${Buffer.byteLength(word, "latin1")}\r\n${word}\r\n`).join("");

/** What may differ from redis-server by design: the server's name and version, and client ids. */
const serverAndIds = (reply: string) =>
  reply
    .replace(/\$6\r\nserver\r\n\$\d+\r\n[^\r]*\r\n\$7\r\nversion\r\n\$\d+\r\n[^\r]*\r\n/g, "<server, version>")
    .replace(/\$2\r\nid\r\n:\d+\r\n/g, "$2\r\nid\r\n:<id>\r\n");
/** Every integer reply (COMMAND COUNT, CLIENT ID): their values differ, their type must not. */
const integers = (reply: string) => reply.replace(/^:\d+\r\n/gm, ":<n>\r\n");
/** The last reply, a bulk or verbatim string (INFO): its text differs, its type and verbatim format must not. */
function lastText(reply: string): string {
  for (const match of reply.matchAll(/(?<=^|\n)([$=])(\d+)\r\n/g)) {
    const [header, type, length] = match;
    if (match.index + header.length + Number(length) + 2 !== reply.length) continue;
    const format = type === "=" ? reply.slice(match.index + header.length, match.index + header.length + 4) : "";
    return `${reply.slice(0, match.index)}${type}${format}<text>`;
  }
  return reply;
}

interface Row {
  name: string;
  commands: string[][];
  normalise?: (reply: string) => string;
  /** Must be in the store's RESP3 replies: guards against both servers agreeing on nothing. */
  resp3Has?: string;
}

// Each row runs on a fresh connection after FLUSHALL, as is (RESP2) and after HELLO 3 (RESP3).
const rows: Row[] = [
  { name: "PING, PING with a message, ECHO", commands: [["PING"], ["PING", "hi"], ["ECHO", "a b"]] },
  {
    name: "SET, GET, GET of a missing key",
    commands: [
      ["SET", "k", "v"],
      ["GET", "k"],
      ["GET", "missing"],
    ],
    resp3Has: "$1\r\nv\r\n_\r\n",
  },
  {
    name: "MGET with missing keys",
    commands: [
      ["SET", "a", "1"],
      ["MGET", "a", "missing", "a"],
    ],
    resp3Has: "*3\r\n$1\r\n1\r\n_\r\n$1\r\n1\r\n",
  },
  {
    name: "SET NX/XX refused, SET GET, bad options",
    commands: [
      ["SET", "k", "1"],
      ["SET", "k", "2", "NX"],
      ["SET", "other", "1", "XX"],
      ["SET", "k", "3", "GET"],
      ["SET", "fresh", "1", "GET"],
      ["SET", "fresh", "2", "nx", "GET"],
      ["GET", "k"],
      ["SET", "k", "1", "NX", "XX"],
      ["SET", "k", "1", "BOGUS"],
    ],
  },
  {
    name: "EXISTS and DEL with a key named twice",
    commands: [
      ["MSET", "a", "1", "b", "2"],
      ["EXISTS", "a", "b", "missing", "a"],
      ["DEL", "a", "a", "missing"],
      ["EXISTS", "a"],
    ],
  },
  {
    name: "INCR, DECR, INCRBY, DECRBY and their errors",
    commands: [
      ["INCR", "n"],
      ["INCRBY", "n", "10"],
      ["DECR", "n"],
      ["DECRBY", "n", "3"],
      ["INCRBY", "n", "-20"],
      ["SET", "s", "abc"],
      ["INCR", "s"],
      ["INCRBY", "n", "x"],
      ["INCRBY", "n", "-0"],
      ["INCRBY", "n", "007"],
      ["INCRBY", "n", "9223372036854775808"],
      ["DECRBY", "n", "-9223372036854775808"],
      ["SET", "big", "9223372036854775807"],
      ["INCR", "big"],
      ["SET", "small", "-9223372036854775808"],
      ["DECR", "small"],
      ["SET", "minus-zero", "-0"],
      ["INCR", "minus-zero"],
      ["SET", "huge", "99999999999999999999"],
      ["INCR", "huge"],
    ],
  },
  { name: "MSET, odd MSET, DBSIZE", commands: [["MSET", "a", "1", "b", "2", "c", "3"], ["DBSIZE"], ["MSET", "a"], ["MSET", "a", "1", "b"], ["DBSIZE"]] },
  {
    name: "FLUSHDB, FLUSHALL and their options",
    commands: [["SET", "a", "1"], ["FLUSHDB", "ASYNC"], ["DBSIZE"], ["FLUSHALL", "SYNC"], ["FLUSHALL", "nope"], ["FLUSHALL", "a", "b"]],
  },
  {
    name: "SELECT",
    commands: [
      ["SELECT", "0"],
      ["SELECT", "1"],
      ["SELECT", "x"],
    ],
  },
  {
    name: "CONFIG GET of one parameter, of an unknown one",
    commands: [
      ["CONFIG", "GET", "save"],
      ["CONFIG", "GET", "APPENDONLY"],
      ["CONFIG", "GET", "databases"],
      ["CONFIG", "GET", "nosuch"],
    ],
    resp3Has: "%1\r\n$4\r\nsave\r\n$0\r\n\r\n",
  },
  {
    name: "CLIENT SETNAME and GETNAME, bad names, unknown subcommands",
    commands: [
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", "conn-1"],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", "a b"],
      ["CLIENT", "SETNAME", "new\nline"],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME", ""],
      ["CLIENT", "GETNAME"],
      ["CLIENT", "SETNAME"],
      ["CLIENT", "GETNAME", "extra"],
      ["CLIENT", "NOSUCH", "x"],
      ["CLIENT", "MAINT_NOTIFICATIONS", "ON"],
      ["CLIENT"],
    ],
  },
  {
    name: "CLIENT ID",
    commands: [
      ["CLIENT", "ID"],
      ["CLIENT", "ID", "x"],
    ],
    normalise: integers,
  },
  { name: "HELLO with no version: the current protocol", commands: [["HELLO"]], resp3Has: "%7\r\n" },
  {
    name: "HELLO 2 and HELLO 3 switch",
    commands: [
      ["HELLO", "2"],
      ["GET", "missing"],
      ["HELLO", "3"],
      ["GET", "missing"],
      ["HELLO", "2"],
    ],
  },
  {
    name: "HELLO with a bad version",
    commands: [
      ["HELLO", "4"],
      ["HELLO", "1"],
      ["HELLO", "0"],
      ["HELLO", "-1"],
      ["HELLO", "x"],
      ["HELLO", "03"],
      ["HELLO", "-0"],
      ["HELLO", "3.0"],
      ["HELLO", ""],
    ],
  },
  {
    name: "HELLO with a version past 64 bits",
    commands: [
      ["HELLO", "9223372036854775807"],
      ["HELLO", "9223372036854775808"],
    ],
  },
  {
    name: "HELLO with bad options, which change nothing",
    commands: [
      ["HELLO", "2", "AUTH"],
      ["HELLO", "2", "AUTH", "default"],
      ["HELLO", "2", "SETNAME"],
      ["HELLO", "2", "SETNAME", "a b"],
      ["HELLO", "2", "SETNAME", "a\r\nb"],
      ["HELLO", "2", "NOSUCH"],
      ["HELLO", "2", "SETNAME", "x", "NOSUCH"],
      ["HELLO", "2", "NOSUCH", "SETNAME", "a b"],
      ["HELLO", "2", "SETNAME", "a b", "NOSUCH"],
      ["HELLO", "2", "SETNAME", "x", "AUTH", "someone", "secret"],
      ["CLIENT", "GETNAME"],
      ["GET", "missing"],
    ],
  },
  {
    name: "HELLO 3 with a bad option does not switch",
    commands: [
      ["HELLO", "3", "AUTH"],
      ["HELLO", "3", "AUTH", "default"],
      ["HELLO", "3", "AUTH", "someone", "secret"],
      ["HELLO", "3", "SETNAME", "a b"],
      ["HELLO", "3", "SETNAME"],
      ["HELLO", "3", "NOSUCH"],
      ["GET", "missing"],
    ],
  },
  {
    name: "HELLO 3 AUTH as the default user (no password is set) with SETNAME, options in any case",
    commands: [
      ["hello", "3", "auth", "default", "anything", "setname", "named"],
      ["CLIENT", "GETNAME"],
      ["HELLO", "3", "SETNAME", "one", "SETNAME", "two"],
      ["CLIENT", "GETNAME"],
    ],
  },
  {
    name: "HELLO AUTH as a user that does not exist",
    commands: [
      ["HELLO", "3", "AUTH", "someone", "secret"],
      ["HELLO", "3", "AUTH", "someone", "x", "AUTH", "default", "y"],
    ],
  },
  {
    name: "AUTH without a password set",
    commands: [["AUTH", "secret"], ["AUTH", "default", "secret"], ["AUTH", "someone", "secret"], ["AUTH", "a", "b", "c"], ["AUTH"]],
  },
  { name: "INFO", commands: [["INFO"]], normalise: lastText, resp3Has: "=" },
  { name: "COMMAND COUNT", commands: [["COMMAND", "COUNT"]], normalise: integers },
  { name: "COMMAND DOCS of an unknown command", commands: [["COMMAND", "DOCS", "nosuch"]], resp3Has: "%0\r\n" },
  {
    name: "unknown commands, wrong argument counts",
    commands: [
      ["NOSUCH"],
      ["NOSUCH", "a", "b"],
      ["NOSUCH", "a".repeat(100), "b".repeat(100), "c"],
      ["n".repeat(200)],
      ["A\r\nB", "x\ny"],
      ["GET"],
      ["GET", "a", "b"],
      ["PING", "a", "b"],
      ["ECHO"],
    ],
  },
  { name: "QUIT", commands: [["QUIT"], ["PING"]] },
];

describe("replies byte for byte as redis-server's, in RESP2 and RESP3", () => {
  let replica: Awaited<ReturnType<typeof startReplica>>;
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  before(async () => ([replica, redis] = await Promise.all([startReplica(), startRedisServer()])));
  after(async () => Promise.all([replica?.close(), redis?.close()]));

  for (const protocol of [2, 3] as const) {
    for (const { name, commands, normalise = (reply: string) => reply, resp3Has } of rows) {
      test(`RESP${protocol}: ${name}`, async () => {
        const requests = cmd("FLUSHALL") + (protocol === 3 ? cmd("HELLO", "3") : "") + commands.map((words) => cmd(...words)).join("");
        const [ours, theirs] = await Promise.all([converse(replica.port, requests), converse(redis.socketPath, requests)]);
        assert.equal(ours.closed, theirs.closed, "hangs up as redis-server does");
        assert.match(ours.reply, /^\+OK\r\n/, "FLUSHALL answered");
        assert.equal(normalise(serverAndIds(ours.reply)), normalise(serverAndIds(theirs.reply)));
        if (protocol === 3 && resp3Has) assert.ok(ours.reply.includes(resp3Has), `has ${JSON.stringify(resp3Has)}`);
      });
    }
  }
});
