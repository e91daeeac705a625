// The EC2 boot agent: an instance launched in moto with the deployer's boot script becomes a real
// namespace host of the test cluster, reached with the real OpenSSH client at its private address
// under the pinned host key, and its dead-man switch terminates it in moto. README §EC2 boot agent.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeInstancesCommand, type EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { execa } from "execa";
import { bootScript } from "../../../deploy/cloud/boot-script.js";
import { type KeyPair, generateKeyPair } from "../../../deploy/cloud/keys.js";
import { eventually, tempDir } from "../../helpers.js";
import { type BootedHost, bootHost } from "../../e2e/cluster/boot.js";
import { type Cluster, startCluster } from "../../e2e/cluster/cluster.js";
import { NOTHING_LEFT, bootedHostLeft, leftovers } from "../../e2e/cluster/leftovers.js";
import { sshArgs } from "../../e2e/cluster/ssh-client.js";
import { subnet } from "../../e2e/cluster/subnet.js";
import { pinHostKey, sshPinned } from "../boot-agent/booted-ssh.js";
import { type Ec2BootAgent, startEc2BootAgent } from "./ec2-boot-agent.js";
import { createClusterSubnet } from "./ec2-cluster-subnet.js";
import { motoEc2Client } from "./moto-ec2-client.js";
import { type Moto, motoMissing, startMoto } from "./moto.js";

const REGION = "us-east-1";
// One of moto's bundled AMIs.
const IMAGE_ID = "ami-12c6146b";
const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

// Idle limits for the dead-man switch: one no test outlives, 3 s, and 6 s (so a heartbeat each
// second, an SSH login each, stays well inside it on a busy machine).
const NEVER_IDLE_MINUTES = 60;
const SHORT_IDLE_MINUTES = 0.05;
const KEPT_ALIVE_IDLE_MINUTES = 0.1;
const BOOT_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;

function launchRequest(subnetId: string, userData?: string) {
  return new RunInstancesCommand({
    ImageId: IMAGE_ID,
    MinCount: 1,
    MaxCount: 1,
    InstanceType: "t3.micro",
    SubnetId: subnetId,
    InstanceInitiatedShutdownBehavior: "terminate",
    ...(userData === undefined ? {} : { UserData: Buffer.from(userData).toString("base64") }),
  });
}

describe("moto's private addresses in a cluster's subnet", { skip: motoMissing() }, () => {
  it("are neither the bridge's nor a static host's", async () => {
    const moto = await startMoto();
    try {
      const ec2 = motoEc2Client(moto.url, REGION);
      // A 5-host cluster's addresses, no cluster needed: moto alone decides what it hands out.
      const net = subnet(213, 7);
      const cluster = { subnet: net.cidr, deployerAddress: net.bridgeAddress, hosts: [1, 2, 3, 4, 5].map((i) => ({ address: net.hostAddress(i) })) };
      const { subnetId } = await createClusterSubnet(ec2, cluster);
      const addresses = [];
      for (let i = 0; i < 3; i++) addresses.push((await ec2.send(launchRequest(subnetId))).Instances?.[0]?.PrivateIpAddress);
      // .1–.6 are the bridge and host1–host5; without the reservations moto would start at .4.
      assert.deepEqual(addresses, ["10.213.7.7", "10.213.7.8", "10.213.7.9"]);
    } finally {
      await moto.stop();
    }
  });
});

describe("EC2 boot agent: moto instances become namespace SSH hosts", { skip: notRoot || motoMissing(), timeout: 300_000 }, () => {
  let cluster: Cluster;
  let moto: Moto;
  let ec2: EC2Client;
  let subnetId: string;
  let agent: Ec2BootAgent;
  let clientKey: KeyPair;
  const files = tempDir("hydro-boot-agent-");
  const clientKeyPath = join(files, "client_key");
  /** Launched first, with a dead-man switch that never fires here. */
  let longLived: Launched;

  interface Launched {
    readonly instanceId: string;
    readonly host: BootedHost;
    readonly hostKey: KeyPair;
    /** known_hosts with only this host's pinned key. */
    readonly knownHostsPath: string;
    /** From RunInstances to a listening sshd. */
    readonly bootMs: number;
  }

  /** Launches an instance with the deployer's boot script and waits until the agent has booted it. */
  async function launch(idleShutdownMinutes: number): Promise<Launched> {
    const hostKey = await generateKeyPair("hydro-test host");
    const userData = bootScript({ hostKey, authorizedKey: clientKey.publicKey, user: "root", idleShutdownMinutes });
    const launchedAt = Date.now();
    const instanceId = (await ec2.send(launchRequest(subnetId, userData))).Instances?.[0]?.InstanceId;
    assert.ok(instanceId, "RunInstances answered without an instance id");
    await eventually(() => agent.booted().has(instanceId) || agent.errors.length > 0, BOOT_TIMEOUT_MS, `the agent to boot ${instanceId}`);
    assert.deepEqual(agent.errors, []);
    const host = agent.booted().get(instanceId)!;
    const { knownHostsPath } = await pinHostKey(files, instanceId, host.address, hostKey.publicKey);
    return { instanceId, host, hostKey, knownHostsPath, bootMs: Date.now() - launchedAt };
  }

  function ssh(target: { host: BootedHost; knownHostsPath: string }, command: string, privateKeyPath = clientKeyPath) {
    return sshPinned({ address: target.host.address, knownHostsPath: target.knownHostsPath }, privateKeyPath, command);
  }

  async function instanceState(instanceId: string): Promise<string | undefined> {
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return described.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  const hostRemains = (name: string) => bootedHostLeft(cluster, name);

  before(async () => {
    cluster = await startCluster({ hosts: 1 });
    moto = await startMoto();
    ec2 = motoEc2Client(moto.url, REGION);
    ({ subnetId } = await createClusterSubnet(ec2, cluster));
    agent = startEc2BootAgent({ motoUrl: moto.url, region: REGION, cluster });
    clientKey = await generateKeyPair("hydro-test client");
    await writeFile(clientKeyPath, clientKey.privateKey, { mode: 0o600 });
    longLived = await launch(NEVER_IDLE_MINUTES);
  });
  after(async () => {
    await agent?.stop();
    await moto?.stop();
    await cluster?.stop();
  });

  it("boots a running instance at its private address, where sshd answers with the pinned host key to the client key", async (t) => {
    t.diagnostic(`RunInstances to a listening sshd: ${longLived.bootMs} ms`);
    const { host, instanceId } = longLived;
    const [described] = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances ?? [];
    assert.equal(host.address, described?.PrivateIpAddress);
    assert.notEqual(host.address, cluster.hosts[0]!.address);
    const loggedIn = await ssh(longLived, "hostname; id -un");
    assert.equal(loggedIn.exitCode, 0, loggedIn.stderr);
    assert.equal(loggedIn.stdout, `${instanceId}\nroot`);
  });

  it("keeps what the boot script writes inside the host: the machine's /etc/ssh and /root stay untouched", async () => {
    const installed = await longLived.host.exec("cat /root/.ssh/authorized_keys");
    assert.equal(installed.stdout, clientKey.publicKey);
    const machineFiles = await Promise.all(
      ["/etc/ssh/ssh_host_ed25519_key.pub", "/root/.ssh/authorized_keys"].map((file) => readFile(file, "utf8").catch(() => "")),
    );
    assert.ok(!machineFiles[0]!.includes(longLived.hostKey.publicKey.split(" ")[1]!), "the host key landed in the machine's /etc/ssh");
    assert.ok(!machineFiles[1]!.includes(clientKey.publicKey.split(" ")[1]!), "the client key landed in the machine's /root");
  });

  it("refuses the login when the pinned host key is another", async () => {
    const other = await generateKeyPair("not the host");
    const { knownHostsPath } = await pinHostKey(files, "wrong", longLived.host.address, other.publicKey);
    const refused = await ssh({ host: longLived.host, knownHostsPath }, "hostname");
    assert.equal(refused.exitCode, 255);
    assert.match(refused.stderr, /Host key verification failed/);
  });

  it("refuses a client key the boot script did not authorize", async () => {
    const stranger = await generateKeyPair("stranger");
    const strangerKeyPath = join(files, "stranger_key");
    await writeFile(strangerKeyPath, stranger.privateKey, { mode: 0o600 });
    const refused = await ssh(longLived, "hostname", strangerKeyPath);
    assert.equal(refused.exitCode, 255);
    assert.match(refused.stderr, /Permission denied \(publickey\)/);
  });

  it("terminates the instance in moto and removes its host once nobody touched the alive file for the idle time", async (t) => {
    const launched = await launch(SHORT_IDLE_MINUTES);
    const bootedAt = Date.now();
    await eventually(async () => (await instanceState(launched.instanceId)) === "terminated", SHUTDOWN_TIMEOUT_MS, `${launched.instanceId} to be terminated`);
    const idleMs = Date.now() - bootedAt;
    t.diagnostic(`terminated ${idleMs} ms after its boot, with an idle limit of ${SHORT_IDLE_MINUTES * 60} s`);
    // The switch compares whole seconds, so it may fire up to a second early.
    assert.ok(idleMs >= SHORT_IDLE_MINUTES * 60_000 - 1_000 - launched.bootMs, `terminated after ${idleMs} ms`);
    await eventually(async () => !(await hostRemains(launched.instanceId)), SHUTDOWN_TIMEOUT_MS, `the host of ${launched.instanceId} to be removed`);
    assert.ok(!agent.booted().has(launched.instanceId));
    // The other hosts are untouched.
    assert.equal((await ssh(longLived, "hostname")).stdout, longLived.instanceId);
    assert.equal((await execa("ssh", [...sshArgs(cluster.hosts[0]!), "hostname"], { reject: false, timeout: 30_000 })).stdout, "host1");
    assert.deepEqual(agent.errors, []);
  });

  it("bootHost removes a host whose user data fails, and refuses the address of a static host", async () => {
    // Far above the addresses moto hands out here (from .4 up, one per launch).
    const address = cluster.subnet.replace(/0\/24$/, "250");
    await assert.rejects(
      bootHost(cluster, { name: "broken", address, userData: "echo no host key for you >&2; exit 3" }),
      /user data failed \(exit 3\): no host key for you/,
    );
    assert.ok(!(await hostRemains("broken")));
    await assert.rejects(bootHost(cluster, { name: "squatter", address: cluster.hosts[0]!.address, userData: "true" }), /static hosts/);
    assert.equal((await ssh(longLived, "hostname")).stdout, longLived.instanceId);
  });

  it("keeps an instance whose alive file is touched every second up past its idle time, and powers it off once the touching stops", async () => {
    const launched = await launch(KEPT_ALIVE_IDLE_MINUTES);
    const keepUntil = Date.now() + 2.5 * KEPT_ALIVE_IDLE_MINUTES * 60_000;
    let lastTouch = Date.now();
    while (Date.now() < keepUntil) {
      const touched = await ssh(launched, "touch ~/.hydro/alive");
      assert.equal(touched.exitCode, 0, touched.stderr);
      lastTouch = Date.now();
      await sleep(1_000);
    }
    assert.equal(await instanceState(launched.instanceId), "running");
    assert.ok(agent.booted().has(launched.instanceId) && !launched.host.poweredOff());
    assert.equal((await ssh(launched, "hostname")).stdout, launched.instanceId);
    await eventually(async () => (await instanceState(launched.instanceId)) === "terminated", SHUTDOWN_TIMEOUT_MS, `${launched.instanceId} to be terminated`);
    assert.ok(Date.now() - lastTouch >= KEPT_ALIVE_IDLE_MINUTES * 60_000 - 1_000, "powered off before the idle time since the last touch");
    await eventually(async () => !(await hostRemains(launched.instanceId)), SHUTDOWN_TIMEOUT_MS, `the host of ${launched.instanceId} to be removed`);
    assert.deepEqual(agent.errors, []);
  });

  it("cluster.stop() also removes booted hosts, leaving no namespace, link or process of the cluster", async () => {
    assert.ok(await hostRemains(longLived.instanceId), "the long-lived host should still be up");
    await cluster.stop();
    assert.deepEqual(await leftovers(cluster.id), NOTHING_LEFT);
    // The agent removing what is already gone is not an error.
    await agent.stop();
    assert.deepEqual(agent.errors, []);
  });
});
