import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa, execaSync } from "execa";
import { startCluster, type Cluster, type ClusterHost } from "./cluster/cluster.js";
import { cli, fixture, tempDir, eventually, uniqueTag, waitForLine } from "../helpers.js";

const config = fixture("cluster.hydro.ts");
let cluster: Cluster;

// Network namespaces and sshd need root; CI runs as root, so there these tests always run.
const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

before(async () => {
  if (!notRoot) cluster = await startCluster({ hosts: 5, withoutNode: ["host5"] });
});
after(async () => {
  await cluster?.stop();
});

/** The CLI on a scenario of test/fixtures/cluster.hydro.ts, piped, in a fresh working directory unless given one. */
function hydro(args: string[], options: { cwd?: string; hosts?: string[]; json?: boolean } = {}) {
  let manifest = cluster.manifestPath;
  if (options.hosts) {
    // The same cluster with its hosts in another order: scenarios use them by position.
    const description = JSON.parse(fs.readFileSync(manifest, "utf8")) as { hosts: Array<{ name: string }> };
    description.hosts = options.hosts.map((name) => description.hosts.find((host) => host.name === name)!);
    manifest = path.join(tempDir(), "cluster.json");
    fs.writeFileSync(manifest, JSON.stringify(description));
  }
  const [scenario, ...rest] = args;
  return execa("node", [cli, "run", ...(options.json ? ["--json"] : []), config, "--", manifest, scenario!, ...rest], {
    cwd: options.cwd ?? tempDir(),
    reject: false,
    env: { NO_COLOR: "1" },
    timeout: 90_000,
  });
}

/** Pids of processes on any cluster host whose command line contains `text`. */
async function remoteProcesses(text: string): Promise<string[]> {
  // "[h]ydro-…" matches the text but not the shell that runs this pgrep.
  const pattern = `[${text[0]}]${text.slice(1)}`;
  const found = await Promise.all(cluster.hosts.map(async (host) => (await host.exec(`pgrep -f -- '${pattern}' || true`)).stdout.trim()));
  return found.flatMap((pids, i) => (pids ? [`${cluster.hosts[i]!.name}: ${pids.replace(/\n/g, " ")}`] : []));
}

/** Polls until no process carries `text` or `ms` have passed; returns what is left. */
async function remoteProcessesAfter(text: string, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = await remoteProcesses(text);
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = await remoteProcesses(text);
  }
  return left;
}

describe("deploying to SSH hosts", { skip: notRoot }, () => {
  test("echo across two hosts", async () => {
    const result = await hydro(["echo", uniqueTag()]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^\[client\] done: 3 echoes/m);
    assert.match(result.stdout, /^\[server\] client says: hello 2$/m);
  });

  test("echo across two hosts on different networks goes through the deployer", async () => {
    const result = await hydro(["echo-across-networks", uniqueTag()]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^\[client\] done: 3 echoes/m);
  });

  test("echo_many across four hosts: three clients merge into a server on the fourth", async () => {
    const result = await hydro(["echo-many", uniqueTag()]);
    assert.equal(result.exitCode, 0, result.stderr);
    for (const client of ["client-1", "client-2", "client-3"]) {
      assert.match(result.stdout, new RegExp(`^\\[${client}\\] done: 3 echoes`, "m"));
      assert.match(result.stdout, new RegExp(`^\\[server\\] ${client} says: hello 2$`, "m"));
    }
  });

  test("the config script talks to a remote service through SSH tunnels, both ways", async () => {
    const result = await hydro(["external", uniqueTag()]);
    assert.equal(result.exitCode, 0, result.stderr);
    for (const n of [1, 2, 3]) assert.match(result.stdout, new RegExp(`^reply from relay: \\{"n":${n},"from":"script"\\}$`, "m"));
  });

  test("a host behind a jump host is reached through it", async () => {
    const result = await hydro(["jump", uniqueTag()]);
    assert.equal(result.exitCode, 0, result.stderr);
    // host2's sshd sees the connection come from host1, not from the deployer.
    assert.match(result.stdout, new RegExp(`^\\[whoami\\] ssh client: ${cluster.host("host1").address.replaceAll(".", "\\.")} `, "m"));
    assert.match(result.stdout, /^through the jump host: \{"n":42,"from":"script"\}$/m);
  });

  test("a remote service killed and restarted: the new run's port connects again, and nothing of either run is left", async () => {
    const tag = uniqueTag();
    const result = await hydro(["restart", tag]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^killed: exit 137$/m);
    assert.match(result.stdout, /^restarted 1 time\(s\): ticks come from a new run$/m);
    assert.deepEqual(await remoteProcessesAfter(tag, 5_000), []);
  });

  test("a remote service and process paused for longer than the heartbeat run on when resumed", async () => {
    const result = await hydro(["pause", uniqueTag()]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^after 7 s paused and 4 s resumed: running; ticks from the same run: true$/m);
  });

  test("a cluster over several hosts: every member reaches every member, and the script reaches one by id", async () => {
    const result = await hydro(["cluster", uniqueTag()]);
    assert.equal(result.exitCode, 0, result.stderr);
    const count = cluster.hosts.length + 1;
    assert.match(
      result.stdout,
      new RegExp(`^cluster: ${count * count} greetings heard, answered by member\\.3 \\(3 of ${count}\\), the last member on ${cluster.hosts[0]!.name}$`, "m"),
    );
  });

  test("a command on the deployer reaches a remote process's port through a tunnel", async () => {
    const result = await hydro(["process-tunnel", uniqueTag()]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^\[fetcher\] hello from host1$/m);
  });

  test("a redeploy skips uploads that are already on the hosts", async () => {
    for (const host of cluster.hosts) fs.rmSync(path.join(host.homeDir, ".hydro", "cache"), { recursive: true, force: true });
    const cwd = tempDir();
    const uploads = async () => {
      const result = await hydro(["echo", uniqueTag()], { cwd, json: true });
      assert.equal(result.exitCode, 0, result.stderr);
      return result.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; path?: string[]; status?: string })
        .filter((event) => event.type === "step" && event.path?.[3]?.startsWith("upload") && event.status !== "running")
        .map((event) => `${event.path![2]} ${event.path![3]}: ${event.status}`)
        .sort();
    };
    assert.deepEqual(await uploads(), ["client upload to host2: done", "server upload to host1: done"]);
    assert.deepEqual(await uploads(), ["client upload to host2: skipped", "server upload to host1: skipped"]);
  });

  test("a host without node gets this machine's node uploaded", async () => {
    const bare = cluster.host("host5");
    assert.equal((await bare.exec("command -v node || echo missing")).stdout.trim(), "missing");
    const result = await hydro(["no-node", uniqueTag()], { hosts: ["host5", "host2"] });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^\[server\] client says: hello 2$/m);
    const uploaded = fs.readdirSync(path.join(bare.homeDir, ".hydro", "node"));
    assert.equal(uploaded.length, 1);
    assert.equal(fs.statSync(path.join(bare.homeDir, ".hydro", "node", uploaded[0]!, "node")).size, fs.statSync(fs.realpathSync(process.execPath)).size);
  });
});

describe("SSH failures", { skip: notRoot }, () => {
  const faults = [
    // A killed sshd closes the connection at once.
    { what: "sshd dies", host: "host2", cause: (host: ClusterHost) => host.stopSshd(), heal: (host: ClusterHost) => host.startSshd() },
    // A link taken down closes nothing: keepalive notices it, and the host's program ends itself once
    // the deployer's pings stop (heartbeatMs: 3 s).
    { what: "link goes down", host: "host3", cause: (host: ClusterHost) => host.linkDown(), heal: (host: ClusterHost) => host.linkUp() },
  ];
  for (const { what, host, cause, heal } of faults) {
    test(`a host whose ${what} mid-run is named within 10 s, and nothing is left running anywhere`, async () => {
      const tag = uniqueTag();
      const child = hydro(["forever", tag]);
      await waitForLine(child, "deployed");
      assert.equal((await remoteProcesses(tag)).length, 3);
      const started = Date.now();
      await cause(cluster.host(host));
      try {
        const result = await child;
        assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
        assert.equal(result.exitCode, 1);
        assert.match(result.stderr, new RegExp(`error: host "${host}" `));
        assert.deepEqual(await remoteProcessesAfter(tag, 5_000), []);
      } finally {
        await heal(cluster.host(host));
      }
    });
  }

  test("kill -9 of the CLI ends every remote service within 5 s", async () => {
    const tag = uniqueTag();
    const child = hydro(["forever", tag]);
    await waitForLine(child, "deployed");
    assert.equal((await remoteProcesses(tag)).length, 3);
    child.kill("SIGKILL");
    await child;
    assert.deepEqual(await remoteProcessesAfter(tag, 5_000), []);
  });

  test("Ctrl-C during the upload of node leaves no half-written file and no process", async () => {
    const bare = cluster.host("host5");
    const nodeDir = path.join(bare.homeDir, ".hydro", "node");
    fs.rmSync(nodeDir, { recursive: true, force: true });
    const tag = uniqueTag();
    const child = hydro(["no-node", tag], { hosts: ["host5", "host2"] });
    const uploading = () =>
      fs.existsSync(nodeDir) && fs.readdirSync(nodeDir).some((dir) => fs.readdirSync(path.join(nodeDir, dir)).some((file) => file.endsWith(".tmp")));
    await eventually(uploading, 30_000, "the upload of node to start");
    child.kill("SIGINT");
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    for (const dir of fs.readdirSync(nodeDir)) {
      for (const file of fs.readdirSync(path.join(nodeDir, dir))) {
        assert.ok(!file.endsWith(".tmp"), `a temporary upload was left: ${file}`);
        assert.equal(fs.statSync(path.join(nodeDir, dir, file)).size, fs.statSync(fs.realpathSync(process.execPath)).size, "a half-written node is visible");
      }
    }
    // A service that was starting when the connection closed exits on its stdin's EOF.
    assert.deepEqual(await remoteProcessesAfter(tag, 5_000), []);
  });

  test("a host key pinned on first use and changed since is refused, naming both fingerprints", async () => {
    const cwd = tempDir();
    const first = await hydro(["login", "{}"], { cwd });
    assert.equal(first.exitCode, 0, first.stderr);
    const knownHosts = path.join(cwd, ".hydro", "known_hosts");
    const host1 = cluster.host("host1").address;
    const [line] = fs
      .readFileSync(knownHosts, "utf8")
      .split("\n")
      .filter((entry) => entry.startsWith(`[${host1}]:22 `));
    const pinned = line!.split(" ")[1]!;
    // As if host1 had been reinstalled: the file now remembers another key for it.
    fs.writeFileSync(knownHosts, `[${host1}]:22 SHA256:${"A".repeat(43)}\n`);
    const second = await hydro(["login", "{}"], { cwd });
    assert.equal(second.exitCode, 1);
    assert.match(second.stderr, new RegExp(`expected SHA256:A{43} \\(from .*known_hosts\\), got ${pinned.replace(/[+/]/g, "\\$&")}`));
  });

  const logins: Array<{ name: string; overrides: () => Record<string, unknown>; message: RegExp }> = [
    {
      name: "a wrong key",
      overrides: () => ({ privateKeyPath: wrongKey() }),
      message: /^error: cannot connect to ssh host "host1" \(root@[\d.]+:22\): authentication failed for user "root" with key .*wrong_key$/m,
    },
    {
      name: "a wrong user",
      overrides: () => ({ user: "nobody" }),
      message: /^error: cannot connect to ssh host "host1" \(nobody@[\d.]+:22\): authentication failed for user "nobody" with key /m,
    },
    {
      name: "a closed port",
      overrides: () => ({ port: 2222 }),
      message:
        /^error: cannot connect to ssh host "host1" \(root@[\d.]+:2222\) after 2 attempts: connection refused on port 2222 \(is sshd running there\?\)$/m,
    },
    {
      name: "a changed host key",
      overrides: () => ({ hostKey: cluster.host("host2").hostPublicKey }),
      message:
        /^error: cannot connect to ssh host "host1" .*: host key of \[[\d.]+\]:22 does not match: expected SHA256:\S+ \(from the hostKey option\), got SHA256:\S+/m,
    },
  ];
  for (const { name, overrides, message } of logins) {
    test(`${name} gets a one-line error that says which`, async () => {
      const result = await hydro(["login", JSON.stringify(overrides())]);
      assert.equal(result.exitCode, 1);
      assert.match(result.stderr, message);
    });
  }
});

/** A valid key that no host authorizes. */
function wrongKey(): string {
  const key = path.join(tempDir(), "wrong_key");
  execaSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  return key;
}
