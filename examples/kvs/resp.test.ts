import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execa } from "execa";
import net from "node:net";
import fc from "fast-check";
import { converse, exchange, startReplica } from "./test-replica.js";
import { RequestReader } from "./resp.js";

const cmd = (...words: string[]) => `*${words.length}\r\n` + words.map((word) => `$${Buffer.byteLength(word, "latin1")}\r\n${word}\r\n`).join("");
const bytes = (text: string) => Buffer.from(text, "latin1");

describe("the Redis front door", () => {
  let replica: Awaited<ReturnType<typeof startReplica>>;
  before(async () => (replica = await startReplica({ limits: { maxRequestBytes: 1024 * 1024, maxInlineBytes: 1024 } })));
  after(() => replica.close());

  // What a client sends (in chunks) → the exact bytes it gets back, and whether it is hung up on.
  const table: Array<{ name: string; send: Array<string | Buffer>; reply: string; hangsUp?: boolean }> = [
    { name: "an array command", send: [cmd("PING")], reply: "+PONG\r\n" },
    { name: "a command split into single bytes", send: [...cmd("ECHO", "hello")], reply: "$5\r\nhello\r\n" },
    { name: "an inline command, telnet style", send: ["PING\r\n"], reply: "+PONG\r\n" },
    { name: "inline with quotes and escapes", send: ['ECHO "a b\\x41\\n"\n'], reply: "$5\r\na bA\n\r\n" },
    { name: "an inline line split across chunks", send: ["EC", "HO x\r", "\n"], reply: "$1\r\nx\r\n" },
    { name: "blank inline lines are skipped", send: ["\r\n\r\nPING\r\n"], reply: "+PONG\r\n" },
    {
      name: "an unknown command",
      send: [cmd("FLY", "to", "moon")],
      reply: "-ERR unknown command 'FLY', with args beginning with: 'to' 'moon' \r\n",
    },
    { name: "an unknown command with a line break in its name", send: [cmd("A\r\nB")], reply: "-ERR unknown command 'A  B', with args beginning with: \r\n" },
    { name: "wrong arity", send: [cmd("GET")], reply: "-ERR wrong number of arguments for 'get' command\r\n" },
    { name: "odd MSET", send: [cmd("MSET", "a", "1", "b")], reply: "-ERR wrong number of arguments for 'mset' command\r\n" },
    { name: "INCR of a non-integer", send: [cmd("SET", "word", "x"), cmd("INCR", "word")], reply: "+OK\r\n-ERR value is not an integer or out of range\r\n" },
    {
      name: "INCR past 2^63 - 1",
      send: [cmd("SET", "big", "9223372036854775807"), cmd("INCR", "big")],
      reply: "+OK\r\n-ERR increment or decrement would overflow\r\n",
    },
    {
      name: "SET with an expiry",
      send: [cmd("SET", "k", "v", "EX", "10")],
      reply: "-ERR expiry (EX, PX, EXAT, PXAT, KEEPTTL) is not supported by this store\r\n",
    },
    { name: "SET NX on an existing key", send: [cmd("SET", "nx", "1"), cmd("SET", "nx", "2", "NX"), cmd("GET", "nx")], reply: "+OK\r\n$-1\r\n$1\r\n1\r\n" },
    { name: "HELLO 4", send: [cmd("HELLO", "4")], reply: "-NOPROTO unsupported protocol version\r\n" },
    { name: "empty arrays are skipped", send: ["*0\r\n*-1\r\n", cmd("PING")], reply: "+PONG\r\n" },
    { name: "an integer inside a request", send: ["*1\r\n:5\r\n"], reply: "-ERR Protocol error: expected '$', got ':'\r\n", hangsUp: true },
    { name: "a nested array", send: ["*1\r\n*1\r\n$1\r\na\r\n"], reply: "-ERR Protocol error: expected '$', got '*'\r\n", hangsUp: true },
    { name: "a null bulk string inside a request", send: ["*2\r\n$3\r\nGET\r\n$-1\r\n"], reply: "-ERR Protocol error: invalid bulk length\r\n", hangsUp: true },
    { name: "an array too long to allocate", send: ["*4294967296\r\n"], reply: "-ERR Protocol error: invalid multibulk length\r\n", hangsUp: true },
    {
      name: "a bulk string over the size limit",
      send: ["*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n"],
      reply: "-ERR Protocol error: invalid bulk length\r\n",
      hangsUp: true,
    },
    {
      name: "a request whose words add up past the limit",
      send: ["*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$600000\r\n", "x".repeat(600_000) + "\r\n$1\r\nb\r\n$600000\r\n", "x".repeat(600_000)],
      reply: "-ERR Protocol error: request larger than 1048576 bytes\r\n",
      hangsUp: true,
    },
    {
      name: "a bulk string not ended by CRLF",
      send: ["*1\r\n$4\r\nPINGxx"],
      reply: "-ERR Protocol error: expected CRLF after a bulk string\r\n",
      hangsUp: true,
    },
    { name: "a non-numeric length", send: ["*x\r\n"], reply: "-ERR Protocol error: invalid multibulk length\r\n", hangsUp: true },
    { name: "a header line that never ends", send: ["*1" + "1".repeat(2000)], reply: "-ERR Protocol error: invalid multibulk length\r\n", hangsUp: true },
    {
      name: "an inline line between arrays in one chunk (redis-cli --pipe sends one)",
      send: [cmd("SET", "m", "1") + "\r\nPING\r\n" + cmd("GET", "m")],
      reply: "+OK\r\n+PONG\r\n$1\r\n1\r\n",
    },
    { name: "an inline line over the limit", send: ["x".repeat(2000)], reply: "-ERR Protocol error: too big inline request\r\n", hangsUp: true },
    { name: "unbalanced quotes", send: ['ECHO "abc\r\n'], reply: "-ERR Protocol error: unbalanced quotes in request\r\n", hangsUp: true },
    {
      name: "commands before a protocol error are answered first",
      send: [cmd("PING") + "*1\r\n:1\r\n"],
      reply: "+PONG\r\n-ERR Protocol error: expected '$', got ':'\r\n",
      hangsUp: true,
    },
    { name: "QUIT answers, then hangs up, ignoring what follows", send: [cmd("QUIT") + cmd("PING")], reply: "+OK\r\n", hangsUp: true },
  ];
  for (const { name, send, reply, hangsUp = false } of table) {
    test(`${name}: ${JSON.stringify(reply.slice(0, 60))}${hangsUp ? ", then hangs up" : ""}`, async () => {
      const answer = await exchange(replica.port, send, Buffer.byteLength(reply, "latin1"));
      assert.equal(answer.reply.toString("latin1"), reply);
      assert.equal(answer.closed, hangsUp);
    });
  }

  test("HELLO 3 switches the connection to RESP3 (a map, null), HELLO alone answers in it, HELLO 2 switches back", async () => {
    const info = (open: string, proto: number) =>
      `${open}$6\r\nserver\r\n$9\r\nhydro-kvs\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:${proto}\r\n` +
      "$2\r\nid\r\n:<id>\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
    const { reply } = await converse(
      replica.port,
      [cmd("HELLO", "3"), cmd("GET", "never-set"), cmd("HELLO"), cmd("HELLO", "2"), cmd("GET", "never-set")].join(""),
    );
    assert.equal(reply.replace(/(\$2\r\nid\r\n:)\d+/g, "$1<id>"), info("%7\r\n", 3) + "_\r\n" + info("%7\r\n", 3) + info("*14\r\n", 2) + "$-1\r\n");
  });

  test("the connection still serves after an error reply that is not a protocol error", async () => {
    const answer = await exchange(replica.port, [cmd("GET") + cmd("PING")], 60);
    assert.match(answer.reply.toString("latin1"), /^-ERR wrong number.*\r\n\+PONG\r\n$/);
    assert.equal(answer.closed, false);
  });

  test("a reply too large to build is an error reply, and the replica serves on", async () => {
    const value = "v".repeat(900_000); // under the test replica's 1 MiB request limit; 700 of them pass what a string can hold
    await exchange(replica.port, [cmd("SET", "mega", value)], 5);
    const answer = await exchange(replica.port, [cmd("MGET", ...Array(700).fill("mega"))], 200);
    assert.equal(answer.reply.toString("latin1"), "-ERR the reply would be too large: ask for fewer or smaller values\r\n");
    assert.equal((await exchange(replica.port, [cmd("PING")], 7)).reply.toString("latin1"), "+PONG\r\n");
  });

  test("a client that ends its side after sending still gets every reply, then the connection closes", async () => {
    const answer = await new Promise<{ reply: string; closed: boolean }>((resolve) => {
      const socket = net.connect(replica.port, "127.0.0.1", () => socket.end("PING\r\n" + cmd("ECHO", "half-open")));
      let reply = "";
      socket.on("data", (chunk) => (reply += chunk.toString("latin1")));
      socket.on("close", () => resolve({ reply, closed: true }));
    });
    assert.deepEqual(answer, { reply: "+PONG\r\n$9\r\nhalf-open\r\n", closed: true });
  });

  test("values are bytes: all 256 byte values round-trip", async () => {
    const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("latin1");
    const answer = await exchange(replica.port, [bytes(cmd("SET", "binary", value) + cmd("GET", "binary"))], 5 + 8 + 256);
    assert.deepEqual(answer.reply, bytes(`+OK\r\n$256\r\n${value}\r\n`));
  });

  test("10,000 pipelined commands in one write are answered in order", async () => {
    const n = 10_000;
    const requests = Array.from({ length: n }, (_, i) => (i % 2 ? cmd("GET", `p${i - 1}`) : cmd("SET", `p${i}`, String(i)))).join("");
    const expected = Array.from({ length: n }, (_, i) => (i % 2 ? `$${String(i - 1).length}\r\n${i - 1}\r\n` : "+OK\r\n")).join("");
    const answer = await exchange(replica.port, [requests], expected.length);
    assert.equal(answer.reply.toString("latin1"), expected);
  });

  test("a client that sends but never reads is paused: replies waiting for it stay bounded", async () => {
    const value = "v".repeat(100_000);
    await exchange(replica.port, [cmd("SET", "big", value)], 5);
    // 3000 GETs are 300 MB of replies; reading stops once 16 MiB of them wait (plus socket buffers).
    const socket = net.connect(replica.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.pause();
    const before = process.memoryUsage().rss;
    const requests = cmd("GET", "big").repeat(3000);
    socket.write(requests);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const grown = process.memoryUsage().rss - before;
    socket.destroy();
    assert.ok(grown < 100 * 1024 * 1024, `memory grew by ${Math.round(grown / 1024 / 1024)} MiB`);
  });

  test("redis-cli: SET, GET, MGET, DEL, EXISTS, INCR, DBSIZE, FLUSHALL", async () => {
    const cli = async (...args: string[]) => (await execa("redis-cli", ["-p", String(replica.port), ...args])).stdout;
    assert.equal(await cli("FLUSHALL"), "OK");
    assert.equal(await cli("SET", "a", "1"), "OK");
    assert.equal(await cli("MSET", "b", "2", "c", "3"), "OK");
    assert.equal(await cli("MGET", "a", "b", "nope"), "1\n2\n");
    assert.equal(await cli("INCR", "a"), "2");
    assert.equal(await cli("EXISTS", "a", "a", "nope"), "2");
    assert.equal(await cli("DEL", "a", "nope"), "1");
    assert.equal(await cli("DBSIZE"), "2");
    assert.equal(await cli("FLUSHALL"), "OK");
    assert.equal(await cli("DBSIZE"), "0");
    assert.equal(await cli("GET", "b"), "");
  });

  test("redis-cli --pipe: 20,000 raw commands, no errors", async () => {
    const input = Array.from({ length: 20_000 }, (_, i) => cmd("SET", `pipe:${i}`, "v".repeat(i % 100))).join("");
    const { stdout } = await execa("redis-cli", ["-p", String(replica.port), "--pipe"], { input });
    assert.match(stdout, /errors: 0, replies: 20000/);
    assert.equal((await execa("redis-cli", ["-p", String(replica.port), "GET", "pipe:199"])).stdout, "v".repeat(99));
  });

  test("redis-benchmark starts against it and measures every command it is asked for", async () => {
    const { stdout } = await execa("redis-benchmark", ["-p", String(replica.port), "-n", "2000", "-c", "4", "-t", "ping,set,get,incr,mset", "--csv"]);
    const rows = stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => JSON.parse(`[${line}]`) as [string, string]);
    assert.deepEqual(
      rows.map(([test]) => test),
      ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"],
    );
    for (const [test, rps] of rows) assert.ok(Number(rps) > 0, `${test}: ${rps} requests per second`);
  });
});

describe("RequestReader", () => {
  const word = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code)), maxLength: 40 });
  const arrayCommand = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => ({ words, bytes: cmd(...words) }));
  const inlineCommand = fc
    .array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 4 })
    .map((words) => ({ words, bytes: words.join(" ") + "\r\n" }));

  test("any stream of commands, cut anywhere into chunks, reads as the same commands", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(arrayCommand, inlineCommand), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (commands, cuts) => {
        const stream = bytes(commands.map((command) => command.bytes).join(""));
        const points = [...new Set(cuts.map((cut) => cut % stream.length))].sort((a, b) => a - b);
        const reader = new RequestReader();
        const read: string[][] = [];
        let from = 0;
        for (const point of [...points, stream.length]) {
          read.push(...reader.read(stream.subarray(from, point)));
          from = point;
        }
        assert.equal(reader.failure, undefined);
        assert.deepEqual(
          read,
          commands.map((command) => command.words),
        );
      }),
      { numRuns: 500 },
    );
  });
});
