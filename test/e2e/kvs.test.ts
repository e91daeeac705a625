import { describe, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import path from "node:path";
import { execa } from "execa";
import { cli, eventually, processesMatching, repoRoot, tempDir, waitForLine } from "../helpers.js";

const kvs = path.join(repoRoot, "examples", "kvs", "kvs.hydro.ts");
const GOSSIP_MS = 250;

/** A base port with `count` free ports after it, on loopback. */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => canListen(base + i)));
    if (free.every(Boolean)) return base;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const run = (args: string[]) => execa("node", [cli, "run", kvs, "--", ...args], { cwd: tempDir(), reject: false, env: { NO_COLOR: "1" }, timeout: 120_000 });
const redis = async (port: number, ...args: string[]) => (await execa("redis-cli", ["-p", String(port), ...args])).stdout;

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
      await eventually(async () => (await redis(base + 1, "EXISTS", "key:__rand_int__")) === "1", 10 * GOSSIP_MS, "the benchmark's key on replica-1");
    } finally {
      child.kill("SIGINT");
    }
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stdout, new RegExp(`replica-2: redis-cli -h 127\\.0\\.0\\.1 -p ${base + 2}`));
    assert.deepEqual(processesMatching(`--resp-port ${base}`), []);
    assert.deepEqual(await Promise.all([0, 1, 2].map((i) => canListen(base + i))), [true, true, true], "every RESP port is closed");
  });

  test("without --serve: the built-in workload converges and the run exits 0", async () => {
    const base = await freePorts(2);
    const result = await run(["--replicas", "2", "--resp-port", String(base), "--gossip-ms", "50"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /converged: 101 keys on 2 replicas in \d+ ms; 'contended' = replica-[01] everywhere/);
    assert.deepEqual(processesMatching(`--resp-port ${base}`), []);
  });

  test("a RESP port already in use fails the run naming the replica and the address, and nothing is left", async () => {
    const base = await freePorts(2);
    const squatter = net.createServer().listen(base + 1, "127.0.0.1");
    try {
      const result = await run(["--replicas", "2", "--resp-port", String(base)]);
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr, new RegExp(`replica-1.*cannot listen for Redis clients on 127\\.0\\.0\\.1:${base + 1}: the port is in use`));
      assert.deepEqual(processesMatching(`--resp-port ${base}`), []);
      assert.equal(await canListen(base), true, "replica-0's port is closed again");
    } finally {
      squatter.close();
    }
  });

  for (const [args, message] of [
    [["--replicas", "0"], "kvs: --replicas must be an integer from 1 to 1024, got '0'"],
    [["--resp-port", "http"], "kvs: --resp-port must be an integer from 1 to 65533, got 'http'"],
    [["--gossip-ms", "1.5"], "kvs: --gossip-ms must be an integer from 1 to 3600000, got '1.5'"],
    [["--replica", "2"], "Unknown option '--replica'"],
  ] as const) {
    test(`bad option ${args.join(" ")}: one line saying what is wrong`, async () => {
      const result = await run([...args]);
      assert.equal(result.exitCode, 1);
      assert.ok(result.stderr.includes(message), result.stderr);
    });
  }
});
