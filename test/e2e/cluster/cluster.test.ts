import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { type Cluster, type ClusterDescription, type ClusterHost, startCluster } from "./cluster.js";
import { STATE_ROOT } from "./layout.js";
import { NOTHING_LEFT, leftovers } from "./leftovers.js";
import { sshArgs } from "./ssh-client.js";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

/** Runs `command` on the host through the OpenSSH client, from the root namespace. */
function ssh(host: ClusterHost, command: string) {
  return execa("ssh", [...sshArgs(host, ["ConnectTimeout=3"]), command], { reject: false });
}

/** A TCP connection to `address`:22 made from inside `from`; prints the SSH banner's first word. */
function connectToSshd(from: ClusterHost, address: string) {
  return from.exec(`timeout 3 bash -c 'exec 3<>/dev/tcp/${address}/22 && head -c 7 <&3'`);
}

describe("test cluster", { skip: notRoot, timeout: 180_000 }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ hosts: 3, withoutNode: ["host3"] });
  });
  after(() => cluster?.stop());

  it("lets the root namespace log into every host over SSH, pinned to the generated host keys", async () => {
    for (const host of cluster.hosts) {
      const result = await ssh(host, "hostname; ip -4 -o addr show dev eth0; ip route");
      assert.equal(result.exitCode, 0, result.stderr);
      const [hostname, address, ...routes] = result.stdout.split("\n");
      assert.equal(hostname, host.name);
      assert.match(address!, new RegExp(`inet ${host.address.replaceAll(".", "\\.")}/24 `));
      // Only the subnet itself: no default route, so nothing leaves it.
      assert.deepEqual(
        routes.map((route) => route.split(" ")[0]),
        [cluster.subnet],
      );
    }
  });

  it("gives each host its own home directory and its own processes", async () => {
    const [host1, host2] = cluster.hosts;
    assert.equal((await ssh(host1!, "mkdir -p ~/.hydro && echo one > ~/.hydro/mark")).exitCode, 0);
    assert.equal((await ssh(host1!, "cat ~/.hydro/mark")).stdout, "one");
    assert.notEqual((await ssh(host2!, "cat ~/.hydro/mark")).exitCode, 0);
    assert.ok(existsSync(join(host1!.homeDir, ".hydro", "mark")));
    // SFTP lands in the same home.
    const sftp = await execa("sftp", ["-b", "-", ...sshArgs(host2!)], { input: "put /etc/hostname sent\n" });
    assert.equal(sftp.exitCode, 0, sftp.stderr);
    assert.ok(existsSync(join(host2!.homeDir, "sent")));
    // Its init is pid 1 and nothing of the other hosts shows up.
    const processes = await host2!.exec("ps -eo pid=,args=");
    assert.match(processes.stdout, /^\s*1 bash -c/);
    assert.doesNotMatch(processes.stdout, /host1|host3/);
  });

  it("lets every host reach the others' sshd, so one host can SSH into another", async () => {
    const [host1, host2, host3] = cluster.hosts;
    assert.equal((await connectToSshd(host1!, host2!.address)).stdout, "SSH-2.0");
    assert.equal((await connectToSshd(host3!, host1!.address)).stdout, "SSH-2.0");
    const hop = await ssh(host1!, `ssh ${sshArgs(host2!).join(" ")} hostname`);
    assert.equal(hop.stdout, "host2", hop.stderr);
    const deployer = await host2!.exec(`ip route get ${cluster.deployerAddress}`);
    assert.equal(deployer.exitCode, 0, deployer.stderr);
  });

  it("has no route out of the subnet", async () => {
    for (const destination of ["8.8.8.8", "10.0.0.1", "192.168.1.1"]) {
      const result = await cluster.hosts[0]!.exec(`ip route get ${destination}`);
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr, /unreachable/i);
    }
  });

  it("finds node on the PATH of hosts with node only", async () => {
    const [host1, , host3] = cluster.hosts;
    assert.equal(host3!.hasNode, false);
    const withNode = await ssh(host1!, "command -v node && node -e 'console.log(1 + 1)'");
    assert.equal(withNode.exitCode, 0, withNode.stderr);
    assert.match(withNode.stdout, /node\n2$/);
    const withoutNode = await ssh(host3!, "command -v node; echo $?; node --version");
    assert.match(withoutNode.stdout, /^1$/m);
    assert.match(withoutNode.stderr, /node: (command )?not found/);
    // Not there by its full path either, while everything else is, and exec sees the same.
    assert.notEqual((await ssh(host3!, `test -e ${process.execPath}`)).exitCode, 0);
    assert.equal((await ssh(host3!, "command -v uname tar mkdir sh | wc -l")).stdout, "4");
    assert.notEqual((await host3!.exec("command -v node")).exitCode, 0);
    assert.equal((await host1!.exec("command -v node")).exitCode, 0);
  });

  it("stopSshd drops open connections and refuses new ones until startSshd", async () => {
    const host = cluster.hosts[1]!;
    const open = ssh(host, "echo connected; sleep 120");
    // The session is up once its output arrives (a pgrep for the sleep would also match pgrep's own shell).
    const connected = new Promise<void>((resolve) => open.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("connected") && resolve()));
    await Promise.race([connected, open.then((early) => assert.fail(`ssh ended before the session was up: ${early.stderr}`))]);
    await host.stopSshd();
    const dropped = await open;
    assert.equal(dropped.exitCode, 255);
    const refused = await ssh(host, "true");
    assert.equal(refused.exitCode, 255);
    assert.match(refused.stderr, /refused/);
    await host.startSshd();
    assert.equal((await ssh(host, "hostname")).stdout, host.name);
  });

  it("linkDown makes a host unreachable from the deployer and the other hosts until linkUp", async () => {
    const [host1, host2] = cluster.hosts;
    await host2!.linkDown();
    const fromDeployer = await ssh(host2!, "true");
    assert.equal(fromDeployer.exitCode, 255);
    assert.match(fromDeployer.stderr, /timed out|unreachable/i);
    assert.notEqual((await connectToSshd(host1!, host2!.address)).exitCode, 0);
    await host2!.linkUp();
    assert.equal((await ssh(host2!, "hostname")).stdout, host2!.name);
    assert.equal((await connectToSshd(host1!, host2!.address)).stdout, "SSH-2.0");
  });

  it("stop() removes every namespace, link, process and file of the cluster", async () => {
    const { id } = cluster;
    assert.notDeepEqual(await leftovers(id), NOTHING_LEFT);
    await cluster.stop();
    assert.deepEqual(await leftovers(id), NOTHING_LEFT);
    await cluster.stop();
  });
});

describe("cluster:up and cluster:down", { skip: notRoot, timeout: 180_000 }, () => {
  const cli = (...args: string[]) => execa(process.execPath, ["--import", "tsx", CLI, ...args]);

  it("keep a cluster up between commands, then remove it", async () => {
    const up = await cli("up", "2", "--without-node", "host2");
    // stdout is the manifest, as JSON; the summary for people is on stderr.
    const manifest = JSON.parse(up.stdout) as ClusterDescription;
    const id = manifest.id;
    assert.equal(/^cluster ([0-9a-f]{6}) up/.exec(up.stderr)?.[1], id, up.stderr);
    try {
      assert.deepEqual(JSON.parse(readFileSync(manifest.manifestPath, "utf8")), manifest);
      assert.deepEqual(
        manifest.hosts.map((host) => [host.name, host.hasNode]),
        [
          ["host1", true],
          ["host2", false],
        ],
      );
      // The printed ssh command works as printed.
      const command = /^ssh: +ssh (.*)$/m.exec(up.stderr)?.[1];
      assert.ok(command, up.stderr);
      assert.equal((await execa("ssh", command.split(" "))).stdout, "host1");
      assert.match(up.stderr, /host2 +10\.\d+\.\d+\.3 +root +no node/);
    } finally {
      const down = await cli("down", id);
      assert.match(down.stdout, /stopped 1 keepers/);
    }
    assert.deepEqual(await leftovers(id), NOTHING_LEFT);
  });

  it("cluster:down without an id removes nothing and asks for an id or --all", async () => {
    const down = await execa(process.execPath, ["--import", "tsx", CLI, "down"], { reject: false });
    assert.equal(down.exitCode, 2);
    assert.match(down.stderr, /^error: cluster:down needs the id of the cluster to remove, or --all/);
    assert.doesNotMatch(down.stdout, /stopped/);
  });

  it("cluster:down removes what a killed keeper left behind", async () => {
    const up = await cli("up", "1");
    const id = (JSON.parse(up.stdout) as ClusterDescription).id;
    const keeperPid = Number((await execa("cat", [join(STATE_ROOT, id, "keeper.pid")])).stdout);
    process.kill(keeperPid, "SIGKILL");
    await waitFor(async () => (await execa("kill", ["-0", String(keeperPid)], { reject: false })).exitCode !== 0);
    assert.notDeepEqual(await leftovers(id), NOTHING_LEFT);
    const down = await cli("down", id);
    assert.match(down.stdout, /stopped 0 keepers; removed what was left: 1 namespaces, 2 links/);
    assert.deepEqual(await leftovers(id), NOTHING_LEFT);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(50);
  }
}
