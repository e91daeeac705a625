import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { createClient } from "redis";
import { Redis } from "ioredis";
import { cli, processesMatching, repoRoot, tempDir, waitForLine } from "../helpers.js";
import { freePorts } from "../../examples/kvs/free-ports.js";
import { converse } from "../../examples/kvs/test-replica.js";

// The KVS driven by the Redis clients people use, each at its defaults and in each protocol it
// speaks: node-redis and ioredis open with HELLO 3; Debian's redis-py and redis-cli -2 speak RESP2.

const kvs = path.join(repoRoot, "examples", "kvs", "kvs.hydro.ts");
/** Every client call gets this long: a client that retries forever fails the test instead of hanging it. */
const CALL_MS = 5_000;
/** Debian's Python, where apt's python3-redis is (a python3 earlier on PATH may not have it). */
const DEBIAN_PYTHON = "/usr/bin/python3";

async function within<T>(what: string, promise: Promise<T>, explain: () => string = () => ""): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what}: no answer within ${CALL_MS} ms${explain()}` })), CALL_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const cmd = (...words: string[]) => `*${words.length}\r\n` + words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join("");

describe("examples/kvs with real Redis clients, in RESP2 and RESP3", () => {
  let base: number;
  let child: ResultPromise;
  before(async () => {
    base = await freePorts(2);
    child = execa("node", [cli, "run", kvs, "--", "--replicas", "2", "--resp-port", String(base), "--gossip-ms", "50", "--serve"], {
      cwd: tempDir(),
      reject: false,
      env: { NO_COLOR: "1" },
      timeout: 300_000,
    });
    await waitForLine(child, "serving until Ctrl-C");
  });
  after(async () => {
    child.kill("SIGINT");
    const result = await child;
    assert.equal(result.exitCode, 130, String(result.stderr));
    assert.deepEqual(processesMatching(`--resp-port ${base}`), [], "no replica left");
  });

  test("on the wire: HELLO 3 answers a map, then nulls are RESP3's; another connection still speaks RESP2", async () => {
    const resp3 = await converse(base, cmd("HELLO", "3") + cmd("GET", "wire:missing") + cmd("MGET", "wire:missing"));
    assert.match(resp3.reply, /^%7\r\n\$6\r\nserver\r\n\$9\r\nhydro-kvs\r\n[\s\S]*\$5\r\nproto\r\n:3\r\n[\s\S]*_\r\n\*1\r\n_\r\n$/);
    const resp2 = await converse(base, cmd("GET", "wire:missing") + cmd("HELLO"));
    assert.match(resp2.reply, /^\$-1\r\n\*14\r\n[\s\S]*\$5\r\nproto\r\n:2\r\n/);
  });

  test("node-redis at its defaults (RESP3): connects, and replies arrive as their RESP3 types", async () => {
    const errors: string[] = [];
    const client = createClient({ url: `redis://127.0.0.1:${base}` });
    client.on("error", (error: Error) => errors.push(error.message));
    const seen = () => (errors.length > 0 ? `; it saw: ${[...new Set(errors)].join(" | ")}` : "");
    try {
      await within("node-redis at its defaults connecting (it opens with HELLO 3)", client.connect(), seen);
      const call = <T>(what: string, promise: Promise<T>) => within(`node-redis ${what}`, promise, seen);
      // A map, so an object (strictly equal: not an array of pairs).
      assert.deepEqual(await call("HELLO", client.sendCommand<Record<string, unknown>>(["HELLO"])), {
        server: "hydro-kvs",
        version: "7.0.0",
        proto: 3,
        id: (await call("CLIENT ID", client.clientId())) as number,
        mode: "standalone",
        role: "master",
        modules: [],
      });
      assert.equal(await call("SET", client.set("node:k", "v")), "OK");
      assert.equal(await call("GET", client.get("node:k")), "v");
      assert.equal(await call("GET of a missing key", client.get("node:missing")), null);
      assert.deepEqual(await call("MGET", client.mGet(["node:k", "node:missing"])), ["v", null]);
      assert.equal(await call("SET NX of a held key", client.set("node:k", "w", { condition: "NX" })), null);
      assert.equal(await call("INCR", client.incr("node:n")), 1);
      assert.equal(await call("EXISTS", client.exists(["node:k", "node:n", "node:missing"])), 2);
      assert.equal(await call("DEL", client.del(["node:k", "node:missing"])), 1);
      await assert.rejects(
        call("INCR with an extra argument", client.sendCommand(["INCR", "node:n", "extra"])),
        /ERR wrong number of arguments for 'incr' command/,
      );
      await call("SET", client.set("node:word", "abc"));
      await assert.rejects(call("INCR of a word", client.incr("node:word")), /^.*ERR value is not an integer or out of range/);
      assert.deepEqual(await call("CONFIG GET", client.sendCommand(["CONFIG", "GET", "save"])), { save: "" }, "a map");
      assert.match(await call("INFO", client.info()), /^# Server\r\nredis_version:7\.0\.0\r\n/);
    } finally {
      client.destroy();
    }
  });

  test("node-redis with a name: HELLO 3 SETNAME names the connection", async () => {
    const client = createClient({ url: `redis://127.0.0.1:${base}`, name: "node-named" });
    client.on("error", () => {});
    try {
      await within("node-redis connecting with a name", client.connect());
      assert.equal(await within("CLIENT GETNAME", client.clientGetName()), "node-named");
    } finally {
      client.destroy();
    }
  });

  for (const { protocol, replyMapping } of [
    { protocol: undefined, replyMapping: undefined },
    { protocol: 3, replyMapping: "resp3" },
    { protocol: 2, replyMapping: undefined },
  ] as const) {
    const options = protocol === undefined ? "at its defaults (RESP3)" : `with protocol ${protocol}${replyMapping ? `, replyMapping ${replyMapping}` : ""}`;
    test(`ioredis ${options}`, async () => {
      const client = new Redis({ host: "127.0.0.1", port: base + 1, lazyConnect: true, retryStrategy: () => null, protocol, replyMapping });
      const errors: string[] = [];
      client.on("error", (error: Error) => errors.push(error.message));
      const call = <T>(what: string, promise: Promise<T>) => within(`ioredis ${what}`, promise, () => (errors.length ? `; it saw: ${errors.join(" | ")}` : ""));
      try {
        await call("connecting", client.connect());
        const expectedProtocol = protocol ?? 3;
        const hello = await call("HELLO", client.call("HELLO"));
        if (replyMapping === "resp3") assert.deepEqual((hello as Record<string, unknown>).proto, 3, "HELLO's map is an object");
        else assert.deepEqual((hello as unknown[]).slice(4, 6), ["proto", expectedProtocol], "HELLO's map, flattened");
        const key = `ioredis:${expectedProtocol}:${replyMapping ?? "legacy"}`;
        assert.equal(await call("SET", client.set(key, "v")), "OK");
        assert.equal(await call("GET", client.get(key)), "v");
        assert.equal(await call("GET of a missing key", client.get(`${key}:missing`)), null);
        assert.deepEqual(await call("MGET", client.mget(key, `${key}:missing`)), ["v", null]);
        assert.equal(await call("INCR", client.incr(`${key}:n`)), 1);
        assert.equal(await call("EXISTS", client.exists(key, `${key}:missing`)), 1);
        assert.equal(await call("DEL", client.del(key)), 1);
        await assert.rejects(
          call(
            "INCR of a word",
            client.set(`${key}:word`, "x").then(() => client.incr(`${key}:word`)),
          ),
          /ERR value is not an integer or out of range/,
        );
        const config = await call("CONFIG GET", client.call("CONFIG", "GET", "save"));
        assert.deepEqual(config, replyMapping === "resp3" ? { save: "" } : ["save", ""]);
        assert.match(await call("INFO", client.info()), /^# Server\r\nredis_version:7\.0\.0\r\n/);
      } finally {
        client.disconnect();
      }
    });
  }

  test("a RESP3 client's writes are read by a RESP2 client on the other replica", async () => {
    const writer = createClient({ url: `redis://127.0.0.1:${base}` });
    writer.on("error", () => {});
    const reader = new Redis({ host: "127.0.0.1", port: base + 1, lazyConnect: true, retryStrategy: () => null, protocol: 2 });
    try {
      await within("node-redis connecting", writer.connect());
      await within("ioredis connecting", reader.connect());
      await within("node-redis MSET", writer.mSet({ "across:a": "1", "across:b": "2" }));
      const deadline = Date.now() + CALL_MS;
      let seen: (string | null)[] = [];
      while (Date.now() < deadline && (seen = await within("ioredis MGET", reader.mget("across:a", "across:b")))[1] !== "2")
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(seen, ["1", "2"]);
    } finally {
      writer.destroy();
      reader.disconnect();
    }
  });

  // redis-py takes protocol=3 from version 5; Debian bookworm's python3-redis is 4.3.4, which speaks
  // RESP2 only. Where the installed one takes it, the same calls run in RESP3 too.
  const pythonScript = `
import inspect, json, sys
import redis

def run(**options):
    r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=5, socket_connect_timeout=5, **options)
    out = {}
    p = "py:%s:" % options.get("protocol", "default")
    out["set"] = r.set(p + "k", "v")
    out["get"] = r.get(p + "k").decode()
    out["missing"] = r.get(p + "missing")
    out["mget"] = [v and v.decode() for v in r.mget(p + "k", p + "missing")]
    out["incr"] = r.incr(p + "n")
    out["exists"] = r.exists(p + "k", p + "missing")
    out["delete"] = r.delete(p + "k", p + "missing")
    r.set(p + "word", "x")
    try:
        r.incr(p + "word")
    except redis.ResponseError as e:
        out["error"] = str(e)
    hello = r.execute_command("HELLO")
    out["hello"] = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v) for k, v in (hello.items() if isinstance(hello, dict) else zip(hello[::2], hello[1::2]))}
    out["config"] = r.config_get("save")
    out["info"] = r.info()["redis_version"]
    out["named"] = r.client_setname("py-client")
    out["name"] = r.client_getname()
    out["types"] = {k: type(v).__name__ for k, v in out.items()}
    return out

takes_protocol = "protocol" in inspect.signature(redis.Redis.__init__).parameters
print(json.dumps({"version": redis.__version__, "default": run(), "resp3": run(protocol=3) if takes_protocol else None}, default=str))
`;
  test("redis-py (Debian's python3-redis) at its defaults, and with protocol=3 where it has it", async () => {
    const { stdout, stderr, exitCode } = await execa(DEBIAN_PYTHON, ["-c", pythonScript, String(base)], { reject: false, timeout: 4 * CALL_MS });
    assert.equal(exitCode, 0, stderr);
    const result = JSON.parse(stdout) as { version: string; default: Record<string, unknown>; resp3: Record<string, unknown> | null };
    const expected = (protocol: number) => ({
      set: true,
      get: "v",
      missing: null,
      mget: ["v", null],
      incr: 1,
      exists: 1,
      delete: 1,
      error: "value is not an integer or out of range",
      hello: {
        server: "hydro-kvs",
        version: "7.0.0",
        proto: protocol,
        id: (result.default.hello as { id: number }).id,
        mode: "standalone",
        role: "master",
        modules: [],
      },
      config: { save: "" },
      info: "7.0.0",
      named: true,
      name: "py-client",
    });
    const { types, ...replies } = result.default;
    assert.deepEqual(replies, expected(2));
    assert.deepEqual(types, {
      set: "bool",
      get: "str",
      missing: "NoneType",
      mget: "list",
      incr: "int",
      exists: "int",
      delete: "int",
      error: "str",
      hello: "dict",
      config: "dict",
      info: "str",
      named: "bool",
      name: "str",
    });
    if (result.resp3 === null) assert.match(result.version, /^[1-4]\./, `redis-py ${result.version} should take protocol=3`);
    else {
      const { types: _, hello, ...resp3 } = result.resp3;
      const { hello: __, ...expected3 } = expected(3);
      assert.deepEqual(resp3, expected3);
      assert.equal((hello as { proto: number }).proto, 3);
    }
  });

  for (const protocol of ["-2", "-3"]) {
    test(`redis-cli ${protocol}: replies shown as their types`, async () => {
      const redisCli = async (...args: string[]) =>
        (await execa("redis-cli", ["-p", String(base), protocol, "--no-raw", ...args], { timeout: CALL_MS })).stdout;
      const key = `cli${protocol}:`;
      assert.equal(await redisCli("SET", `${key}k`, "v"), "OK");
      assert.equal(await redisCli("GET", `${key}k`), '"v"');
      assert.equal(await redisCli("GET", `${key}missing`), "(nil)");
      assert.equal(await redisCli("MGET", `${key}k`, `${key}missing`), '1) "v"\n2) (nil)');
      assert.equal(await redisCli("INCR", `${key}n`), "(integer) 1");
      assert.equal(await redisCli("EXISTS", `${key}k`, `${key}missing`), "(integer) 1");
      assert.equal(await redisCli("DEL", `${key}k`), "(integer) 1");
      assert.equal(await redisCli("INCR", `${key}n`, "extra"), "(error) ERR wrong number of arguments for 'incr' command");
      if (protocol === "-3") {
        assert.equal(await redisCli("CONFIG", "GET", "save"), '1# "save" => ""');
        assert.match(await redisCli("HELLO"), /^1# "server" => "hydro-kvs"\n2# "version" => "7\.0\.0"\n3# "proto" => \(integer\) 3\n/);
      } else {
        assert.equal(await redisCli("CONFIG", "GET", "save"), '1) "save"\n2) ""');
        assert.match(await redisCli("HELLO"), /^ 1\) "server"\n 2\) "hydro-kvs"\n 3\) "version"\n 4\) "7\.0\.0"\n 5\) "proto"\n 6\) \(integer\) 2\n/);
      }
      assert.match(await redisCli("INFO"), /^# Server\r\nredis_version:7\.0\.0\r\n/, "RESP3: a verbatim string shown without its txt: prefix");
    });
  }
});
