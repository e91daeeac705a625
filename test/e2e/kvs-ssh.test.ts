import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { execa } from "execa";
import { startCluster, type Cluster } from "./cluster/cluster.js";
import { cli, repoRoot, tempDir, waitForLine } from "../helpers.js";

const kvs = path.join(repoRoot, "examples", "kvs", "kvs.hydro.ts");
// Network namespaces and sshd need root; CI runs as root, so there these tests always run.
const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";
let cluster: Cluster;

before(async () => {
  if (!notRoot) cluster = await startCluster({ hosts: 2 });
});
after(async () => {
  await cluster?.stop();
});

describe("examples/kvs on SSH hosts (--hosts cluster.json)", { skip: notRoot }, () => {
  const run = (args: string[]) =>
    execa("node", [cli, "run", kvs, "--", "--hosts", cluster.manifestPath, ...args], {
      cwd: tempDir(),
      reject: false,
      env: { NO_COLOR: "1" },
      timeout: 120_000,
    });

  test("3 replicas over 2 hosts converge: the workload exits 0", async () => {
    const result = await run(["--replicas", "3", "--resp-port", "7400", "--gossip-ms", "50"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /converged: 101 keys on 3 replicas/);
    const [host1, host2] = cluster.hosts;
    assert.match(result.stdout, new RegExp(`replica\\.0: redis-cli -h ${host1!.address} -p 7400`));
    assert.match(result.stdout, new RegExp(`replica\\.1: redis-cli -h ${host2!.address} -p 7401`));
  });

  test("served: redis-cli from this machine writes on host1 and reads on host2; Ctrl-C stops the replicas on both", async () => {
    const child = run(["--replicas", "2", "--resp-port", "7500", "--gossip-ms", "100", "--serve"]);
    const [host1, host2] = cluster.hosts;
    try {
      await waitForLine(child, "serving until Ctrl-C");
      assert.equal((await execa("redis-cli", ["-h", host1!.address, "-p", "7500", "SET", "k", "across hosts"])).stdout, "OK");
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await execa("redis-cli", ["-h", host2!.address, "-p", "7501", "GET", "k"])).stdout, "across hosts");
    } finally {
      child.kill("SIGINT");
    }
    assert.equal((await child).exitCode, 130);
    for (const host of [host1!, host2!])
      assert.equal((await host.exec("pgrep -f '[r]esp-port 750' || true")).stdout.trim(), "", `${host.name}: no replica left`);
  });
});
