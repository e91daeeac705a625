// A sweep on SSH hosts of the namespace test cluster whose hosts are kept across its points (a
// HostPool): one SSH login per host for the whole sweep, where hosts declared per point log in at
// every point; a host lost between points is launched again, and one that stays gone fails the
// point naming it. test/fixtures/ssh-sweep.hydro.ts is the config.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { startCluster, type Cluster } from "./cluster/cluster.js";
import { cli, eventually, fixture, tempDir } from "../helpers.js";

const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

describe("sweep() on SSH hosts kept across its points", { skip: notRoot, timeout: 600_000 }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ hosts: 2 });
  });
  after(async () => {
    await cluster?.stop();
  });

  const logins = () => Promise.all(cluster.hosts.map((host) => host.logins()));
  const sweep = (mode: "kept" | "fresh", cwd: string, ...wait: string[]) =>
    execa("node", [cli, "run", fixture("ssh-sweep.hydro.ts"), "--", cluster.manifestPath, "4", mode, "out", ...wait], {
      cwd,
      reject: false,
      env: { NO_COLOR: "1" },
      timeout: 300_000,
    });
  /** A kept sweep whose `point` waits for the file `go`, and what it has printed so far (stdout and stderr). */
  const waitingAt = (point: string, cwd: string, go: string) => {
    const child = sweep("kept", cwd, point, go);
    let seen = "";
    for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    return { child, seen: () => seen };
  };
  const echoes = async () =>
    (await Promise.all(cluster.hosts.map(async (host) => (await host.exec("pgrep -f '[e]cho_(server|client)' || true")).stdout.trim()))).filter(Boolean);
  /** What the hosts still hold of the run: run directories and echo processes. */
  const leftovers = async () =>
    (
      await Promise.all(cluster.hosts.map(async (host) => (await host.exec("ls -A ~/.hydro/run; pgrep -f '[e]cho_(server|client)' || true")).stdout.trim()))
    ).filter(Boolean);

  test("4 points on 2 kept hosts log in once per host; declared per point, at every point", async () => {
    for (const [mode, perHost] of [
      ["kept", 1],
      ["fresh", 4],
    ] as const) {
      const before = await logins();
      const cwd = tempDir();
      const result = await sweep(mode, cwd);
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      const rows = fs
        .readFileSync(path.join(cwd, "out", "results.csv"), "utf8")
        .trim()
        .split(/\r?\n/);
      assert.deepEqual(rows.slice(1), ["1,1", "2,2", "3,3", "4,4"]);
      const after = await logins();
      assert.deepEqual(
        after.map((n, i) => n - before[i]!),
        [perHost, perHost],
        `${mode}: logins per host`,
      );
      assert.deepEqual(await leftovers(), [], `${mode}: left on the hosts`);
    }
  });

  test("a host lost between points is launched again for the next point", async () => {
    const cwd = tempDir();
    const go = path.join(cwd, "go");
    const before = await logins();
    const { child, seen } = waitingAt("3", cwd, go);
    try {
      await eventually(() => seen().includes("point 3 waits"), 120_000, "point 3 to wait");
      await cluster.hosts[1]!.stopSshd();
      await eventually(() => /host "host2" of .* the next deployment launches it again/.test(seen()), 30_000, "the loss to be noticed");
      await cluster.hosts[1]!.startSshd();
      fs.writeFileSync(go, "");
      const result = await child;
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    } finally {
      await cluster.hosts[1]!.startSshd().catch(() => {});
      child.kill("SIGKILL");
    }
    const after = await logins();
    assert.deepEqual(
      after.map((n, i) => n - before[i]!),
      [1, 2],
    );
    assert.deepEqual(await leftovers(), []);
  });

  test("a host gone for good fails the next point, naming it; the rest is released", async () => {
    const cwd = tempDir();
    const go = path.join(cwd, "go");
    const { child, seen } = waitingAt("2", cwd, go);
    try {
      await eventually(() => seen().includes("point 2 waits"), 120_000, "point 2 to wait");
      await cluster.hosts[1]!.stopSshd();
      fs.writeFileSync(go, "");
      const result = await child;
      assert.equal(result.exitCode, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /point 2\/4 count=2 failed: .*host2/);
    } finally {
      await cluster.hosts[1]!.startSshd();
      child.kill("SIGKILL");
    }
    // host2's run directory stays until the next launch there sweeps it (its deployer is gone); no program runs.
    assert.deepEqual(await echoes(), []);
  });
});
