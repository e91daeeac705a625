import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execa } from "execa";
import { Deployment } from "../../deploy/deployment.js";
import { startCluster, type Cluster, type ClusterHost } from "./cluster/cluster.js";
import { cli, fixture, tempDir, uniqueTag } from "../helpers.js";

// Exits, teardown and leftovers on real SSH hosts, driven in-process through the Deployment API.
let cluster: Cluster;

const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

before(async () => {
  if (!notRoot) cluster = await startCluster({ hosts: 8 });
});
after(async () => {
  await cluster?.stop();
});

/** `hydro run` of a scenario of test/fixtures/cluster.hydro.ts, piped, in a fresh working directory. */
function hydro(scenario: string, tag = uniqueTag()) {
  return execa("node", [cli, "run", fixture("cluster.hydro.ts"), "--", cluster.manifestPath, scenario, tag], {
    cwd: tempDir(),
    reject: false,
    env: { NO_COLOR: "1" },
    timeout: 90_000,
  });
}

/** An ssh() host of `d` for a cluster host, its key pinned (nothing is written to .hydro/known_hosts). */
function sshHost(d: Deployment, host: ClusterHost) {
  return d.ssh({ host: host.address, user: host.user, privateKeyPath: cluster.privateKeyPath, hostKey: host.hostPublicKey, name: host.name });
}

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]);
}

describe("exits on SSH hosts", { skip: notRoot }, () => {
  test("echo_many on 8 hosts succeeds every time (20 runs)", async () => {
    for (let run = 1; run <= 20; run++) {
      const result = await hydro("echo-many-all");
      assert.equal(result.exitCode, 0, `run ${run}: ${result.stderr}`);
    }
  });

  test("24 instantly exiting commands on each of 3 hosts all report their own exit code", async () => {
    const d = new Deployment();
    const commands = cluster.hosts.slice(0, 3).flatMap((host, h) => {
      const on = sshHost(d, host);
      return Array.from({ length: 24 }, (_, i) => {
        const code = (i * 11 + h) % 256;
        return { code, node: d.process({ name: `${host.name}-${i}`, command: `exit ${code}`, on }) };
      });
    });
    try {
      await d.deploy();
      const codes = await within(Promise.all(commands.map(({ node }) => node.exitCode())), 30_000, "exitCode()");
      assert.deepEqual(
        codes,
        commands.map(({ code }) => code),
      );
    } finally {
      await d.teardown();
    }
  });
});
