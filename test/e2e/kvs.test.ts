import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { execa } from "execa";
import { cli, eventually, processesMatching, repoRoot, tempDir, waitForLine } from "../helpers.js";
import { canListen, freePorts } from "../../examples/kvs/free-ports.js";
import { RespClient } from "../../examples/kvs/resp-client.js";
import { converse } from "../../examples/kvs/test-replica.js";
import { partitionOfKey } from "../../examples/kvs/partitioning.js";

const kvs = path.join(repoRoot, "examples", "kvs", "kvs.hydro.ts");
const GOSSIP_MS = 250;

const run = (args: string[]) => execa("node", [cli, "run", kvs, "--", ...args], { cwd: tempDir(), reject: false, env: { NO_COLOR: "1" }, timeout: 120_000 });
const redis = async (port: number, ...args: string[]) => (await execa("redis-cli", ["-p", String(port), ...args])).stdout;

/** The process of the store's member `replica.<id>`: every member has the same arguments, and the runtime tells it its id by environment. */
function replicaProcess(base: number, id: number): number[] {
  return processesMatching(`--resp-port ${base}`).filter((pid) => {
    try {
      const env = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      return env.includes("HYDRO_CLUSTER=replica") && env.includes(`HYDRO_CLUSTER_ID=${id}`);
    } catch {
      return false;
    }
  });
}

describe("examples/kvs", () => {
  test("served, 3 replicas: redis-cli SET on one is read on every other within 2 gossip periods; Ctrl-C leaves nothing", async () => {
    const base = await freePorts(3);
    const child = run(["--replicas", "3", "--resp-port", String(base), "--gossip-ms", String(GOSSIP_MS), "--serve"]);
    try {
      await waitForLine(child, "serving until Ctrl-C");
      assert.equal(await redis(base, "SET", "k", "v"), "OK");
      await new Promise((resolve) => setTimeout(resolve, 2 * GOSSIP_MS));
      assert.equal(await redis(base + 1, "GET", "k"), "v");
      assert.equal(await redis(base + 2, "GET", "k"), "v");

      // The same key written on every replica at once: one winner, the same everywhere.
      await Promise.all([0, 1, 2].map((i) => redis(base + i, "SET", "contended", `from-${i}`)));
      await eventually(
        async () => new Set(await Promise.all([0, 1, 2].map((i) => redis(base + i, "GET", "contended")))).size === 1,
        10 * GOSSIP_MS,
        "one value of 'contended' everywhere",
      );
      assert.match(await redis(base + 2, "GET", "contended"), /^from-[012]$/);

      // redis-benchmark, the real load generator, against one replica; its writes reach the others.
      const { stdout } = await execa("redis-benchmark", ["-p", String(base), "-n", "5000", "-c", "10", "-t", "set,get", "--csv"]);
      assert.match(stdout, /^"SET","[0-9.]+"/m);
      assert.match(stdout, /^"GET","[0-9.]+"/m);
      await eventually(async () => (await redis(base + 1, "EXISTS", "key:__rand_int__")) === "1", 10 * GOSSIP_MS, "the benchmark's key on replica.1");
    } finally {
      child.kill("SIGINT");
    }
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stdout, new RegExp(`replica\\.2: redis-cli -h 127\\.0\\.0\\.1 -p ${base + 2}`));
    assert.deepEqual(processesMatching(`--resp-port ${base}`), []);
    assert.deepEqual(await Promise.all([0, 1, 2].map((i) => canListen(base + i))), [true, true, true], "every RESP port is closed");
  });

  test("partitioned, 2 × 2: a key lives only on its partition's copies, any replica serves it, keys of two partitions are refused", async () => {
    const base = await freePorts(4);
    const child = run(["--partitions", "2", "--replication", "2", "--resp-port", String(base), "--gossip-ms", String(GOSSIP_MS), "--serve"]);
    try {
      await waitForLine(child, "serving until Ctrl-C");
      // All written through replica.0 (partition 0): partition 1's keys are forwarded to replica.2.
      const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
      for (const key of keys) assert.equal(await redis(base, "SET", key, `v-${key}`), "OK");
      await new Promise((resolve) => setTimeout(resolve, 2 * GOSSIP_MS));
      // Every key is readable on every replica, forwarded when another partition owns it.
      for (const port of [base, base + 1, base + 2, base + 3])
        for (const key of keys) assert.equal(await redis(port, "GET", key), `v-${key}`, `${key} on port ${port}`);
      // Each partition's copies hold its share only; the shares add up to all keys.
      const sizes = await Promise.all([0, 1, 2, 3].map(async (i) => Number(await redis(base + i, "DBSIZE"))));
      assert.equal(sizes[0], sizes[1], "copies of partition 0 agree");
      assert.equal(sizes[2], sizes[3], "copies of partition 1 agree");
      assert.equal(sizes[0]! + sizes[2]!, keys.length);
      assert.ok(sizes[0]! > 0 && sizes[2]! > 0, `both partitions hold keys: ${sizes}`);
      const mget = await redis(base, "MGET", ...keys);
      assert.match(mget, /CROSSSLOT Keys in request don't hash to the same partition/);
      const { stdout } = await execa("redis-benchmark", ["-p", String(base + 1), "-n", "3000", "-c", "10", "-r", "1000", "-t", "set,get", "--csv"]);
      assert.match(stdout, /^"GET","[0-9.]+"/m);

      // replica.2 frozen: replica.0's forwards to partition 1 get an error after the timeout, not silence.
      const frozen = replicaProcess(base, 2);
      assert.equal(frozen.length, 1, "replica.2's process");
      const partition1Keys: string[] = [];
      for (const key of keys) if ((await redis(base + 2, "EXISTS", key)) === "1") partition1Keys.push(key);

      // A forwarded request is answered in the asking client's protocol: RESP3's null after HELLO 3.
      const layout = { partitions: 2, replication: 2 };
      const missing = Array.from({ length: 100 }, (_, i) => `missing-${i}`).find((key) => partitionOfKey(key, layout) === 1)!;
      const held = partition1Keys[0]!;
      const cmd = (...words: string[]) => `*${words.length}\r\n` + words.map((word) => `$${word.length}\r\n${word}\r\n`).join("");
      const resp3 = await converse(base, cmd("HELLO", "3") + cmd("GET", missing) + cmd("MGET", missing, missing) + cmd("GET", held));
      assert.match(resp3.reply, new RegExp(`^%7\r\n[^]*\r\n_\r\n\\*2\r\n_\r\n_\r\n\\$${held.length + 2}\r\nv-${held}\r\n$`));
      assert.equal((await converse(base, cmd("GET", missing) + cmd("MGET", missing))).reply, "$-1\r\n*1\r\n$-1\r\n");
      process.kill(frozen[0]!, "SIGSTOP");
      try {
        const started = Date.now();
        assert.equal((await redis(base, "GET", partition1Keys[0]!)).trim(), "ERR partition 1 did not answer within 5000 ms");
        assert.ok(Date.now() - started >= 4_900);
      } finally {
        process.kill(frozen[0]!, "SIGCONT");
      }
      assert.equal(await redis(base, "GET", partition1Keys[0]!), `v-${partition1Keys[0]}`, "served again once replica.2 runs");
    } finally {
      child.kill("SIGINT");
    }
    assert.equal((await child).exitCode, 130);
    assert.deepEqual(processesMatching(`--resp-port ${base}`), []);
  });

  test("a value whose gossip is larger than a default frame (3 MiB of zero bytes, 18 MiB as JSON) reaches the other replica", async () => {
    const base = await freePorts(2);
    const child = run(["--replicas", "2", "--resp-port", String(base), "--gossip-ms", "100", "--serve"]);
    try {
      await waitForLine(child, "serving until Ctrl-C");
      const zeros = Buffer.alloc(3 * 1024 * 1024);
      assert.equal((await execa("redis-cli", ["-p", String(base), "-x", "SET", "zeros"], { input: zeros })).stdout, "OK");
      assert.equal(await redis(base, "SET", "after", "small"), "OK");
      await eventually(async () => (await redis(base + 1, "GET", "after")) === "small", 20_000, "the small write after the big one on replica.1");
      const client = await RespClient.connect(`127.0.0.1:${base + 1}`);
      try {
        assert.equal(((await client.command("GET", "zeros")) as string).length, zeros.length);
      } finally {
        client.close();
      }
    } finally {
      child.kill("SIGINT");
    }
    assert.equal((await child).exitCode, 130);
  });

  test("without --serve: the built-in workload converges and the run exits 0", async () => {
    const base = await freePorts(2);
    const result = await run(["--replicas", "2", "--resp-port", String(base), "--gossip-ms", "50"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /converged: 101 keys on 2 replicas in \d+ ms; 'contended' = replica\.[01] everywhere/);
    assert.deepEqual(processesMatching(`--resp-port ${base}`), []);
  });

  for (const [args, count] of [
    [["--replicas", "1"], 1],
    [["--partitions", "2", "--replication", "1"], 2],
  ] as const) {
    test(`without --serve, ${args.join(" ")}: a replica that is its partition's only copy (no one to gossip with) serves and converges`, async () => {
      const base = await freePorts(count);
      const result = await run([...args, "--resp-port", String(base), "--gossip-ms", "50"]);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`converged: 101 keys on ${count} replicas? in \\d+ ms`));
      assert.match(result.stdout, new RegExp(`replica\\.${count - 1}: redis-cli -h 127\\.0\\.0\\.1 -p ${base + count - 1}`));
      assert.deepEqual(processesMatching(`--resp-port ${base}`), []);
    });
  }

  test("a RESP port already in use fails the run naming the replica and the address, and nothing is left", async () => {
    const base = await freePorts(2);
    const squatter = net.createServer().listen(base + 1, "127.0.0.1");
    try {
      const result = await run(["--replicas", "2", "--resp-port", String(base)]);
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr, new RegExp(`replica\\.1.*cannot listen for Redis clients on 127\\.0\\.0\\.1:${base + 1}: the port is in use`));
      assert.deepEqual(processesMatching(`--resp-port ${base}`), []);
      assert.equal(await canListen(base), true, "replica.0's port is closed again");
    } finally {
      squatter.close();
    }
  });

  for (const [args, message] of [
    [["--replicas", "0"], "kvs: --replicas must be an integer from 1 to 1024, got '0'"],
    [["--resp-port", "http"], "kvs: --resp-port must be an integer from 1 to 65533, got 'http'"],
    [["--gossip-ms", "1.5"], "kvs: --gossip-ms must be an integer from 1 to 3600000, got '1.5'"],
    [["--replica", "2"], "Unknown option '--replica'"],
    [["--replicas", "3", "--partitions", "2"], "kvs: give --replicas N, or --partitions P with --replication R, not both"],
    [["--partitions", "64", "--replication", "32"], "kvs: --partitions × --replication must be at most 1024, got 2048"],
  ] as const) {
    test(`bad option ${args.join(" ")}: one line saying what is wrong`, async () => {
      const result = await run([...args]);
      assert.equal(result.exitCode, 1);
      assert.ok(result.stderr.includes(message), result.stderr);
    });
  }
});
