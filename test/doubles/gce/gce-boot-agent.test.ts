// The GCE boot agent: an instance created through the real @google-cloud/compute client with the
// deployer's boot script as its startup-script becomes a real namespace host of the test cluster,
// reached with the real OpenSSH client at its networkIP under the pinned host key; deleting it
// removes the host, and its dead-man switch leaves it TERMINATED. README §GCE boot agent.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InstancesClient, ZoneOperationsClient } from "@google-cloud/compute";
import { OAuth2Client } from "google-auth-library";
import { bootScript } from "../../../deploy/cloud/boot-script.js";
import { type KeyPair, generateKeyPair } from "../../../deploy/cloud/keys.js";
import { eventually, tempDir } from "../../helpers.js";
import type { BootedHost } from "../../e2e/cluster/boot.js";
import { staticAddresses } from "../../e2e/cluster/booted-addresses.js";
import { type Cluster, startCluster } from "../../e2e/cluster/cluster.js";
import { NOTHING_LEFT, bootedHostLeft, leftovers } from "../../e2e/cluster/leftovers.js";
import { subnet } from "../../e2e/cluster/subnet.js";
import { type PinnedHost, pinHostKey, sshPinned } from "../boot-agent/booted-ssh.js";
import { OperationRejected } from "./collection.js";
import type { Json } from "./store.js";
import { type GceWithBootAgent, instanceKey, startGceWithBootAgent } from "./gce-boot-agent.js";
import { clusterAddressAllocator } from "./gce-cluster-addresses.js";

type ClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";
const ZONE = "us-central1-a";
const OTHER_ZONE = "us-central1-b";
// Idle limits for the dead-man switch: one no test outlives, and 3 s.
const NEVER_IDLE_MINUTES = 60;
const SHORT_IDLE_MINUTES = 0.05;
const BOOT_TIMEOUT_MS = 20_000;
const SHUTDOWN_TIMEOUT_MS = 20_000;

describe("the GCE boot agent's address allocator", () => {
  // A 1-host cluster's addresses, no cluster needed; its id names no link on this machine.
  const net = subnet(213, 7);
  const cluster = { id: "a110c8", subnet: net.cidr, deployerAddress: net.bridgeAddress, hosts: [{ address: net.hostAddress(1) }] };
  const request = { project: "p", zone: ZONE, instance: "vm", subnetwork: "projects/p/regions/us-central1/subnetworks/default", ipCidrRange: "10.128.0.0/20" };
  const holding = (...addresses: string[]): Json => ({ networkInterfaces: addresses.map((networkIP) => ({ networkIP })) });
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it("hands out the highest address no instance holds, also within one turn, and prefers one never handed out to one just freed", async () => {
    const instances: Json[] = [];
    const allocate = clusterAddressAllocator(cluster, () => instances);
    assert.equal(allocate(request), "10.213.7.254");
    // Not stored yet (a second network interface of the same insert): not handed out twice.
    assert.equal(allocate(request), "10.213.7.253");
    await nextTurn();
    instances.push(holding("10.213.7.254"));
    // .253 is free (its insert never stored it), but was handed out already: a fresh one first.
    assert.equal(allocate(request), "10.213.7.252");
    await nextTurn();
    instances.length = 0;
    // .254 is free again, but stale in the neighbours' ARP caches for a while: a fresh one first.
    assert.equal(allocate(request), "10.213.7.251");
  });

  it("never hands out the bridge's or a static host's address: the insert fails with IP_SPACE_EXHAUSTED instead", () => {
    const all = Array.from({ length: 252 }, (_, i) => `10.213.7.${i + 3}`);
    const allocate = clusterAddressAllocator(cluster, () => [holding(...all.slice(1))]);
    assert.equal(allocate(request), "10.213.7.3");
    assert.throws(
      () => allocate(request),
      (error) => error instanceof OperationRejected && error.failure.code === "IP_SPACE_EXHAUSTED",
    );
  });
});

describe("GCE boot agent: instances made through @google-cloud/compute become namespace SSH hosts", { skip: notRoot, timeout: 120_000 }, () => {
  let cluster: Cluster;
  let agent: GceWithBootAgent;
  let instances: InstancesClient;
  let zoneOperations: ZoneOperationsClient;
  let clientKey: KeyPair;
  const files = tempDir("hydro-gce-boot-agent-");
  const clientKeyPath = join(files, "client_key");
  /** Created first, with a dead-man switch that never fires here. */
  let longLived: Created;

  interface Created extends PinnedHost {
    readonly zone: string;
    readonly name: string;
    readonly host: BootedHost;
    /** From the insert call to a listening sshd. */
    readonly bootMs: number;
  }

  type Operation = { name?: string | null; status?: unknown };

  /** Waits for a zone operation as the deployer does: `wait` answers early now and then. */
  async function done(zone: string, operation: Operation): Promise<void> {
    for (let current = operation; current.status !== "DONE";) {
      [current] = await zoneOperations.wait({ project: agent.gce.project, zone, operation: current.name! });
    }
  }

  /** Creates an instance with the deployer's boot script as its startup-script and waits until the agent booted it. */
  async function create(zone: string, name: string, idleShutdownMinutes: number): Promise<Created> {
    const hostKey = await generateKeyPair("hydro-test host");
    const startupScript = bootScript({ hostKey, authorizedKey: clientKey.publicKey, user: "root", idleShutdownMinutes });
    const startedAt = Date.now();
    const [operation] = await instances.insert({
      project: agent.gce.project,
      zone,
      instanceResource: {
        name,
        machineType: `zones/${zone}/machineTypes/e2-micro`,
        disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: "projects/debian-cloud/global/images/family/debian-12" } }],
        networkInterfaces: [{ network: "global/networks/default", accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT" }] }],
        metadata: { items: [{ key: "startup-script", value: startupScript }] },
      },
    });
    await done(zone, operation.latestResponse as Operation);
    const key = instanceKey(zone, name);
    await eventually(() => agent.booted().has(key) || agent.errors.length > 0, BOOT_TIMEOUT_MS, `the agent to boot ${key}`);
    assert.deepEqual(agent.errors, []);
    const host = agent.booted().get(key)!;
    const pinned = await pinHostKey(files, `${zone}-${name}`, host.address, hostKey.publicKey);
    return { ...pinned, zone, name, host, bootMs: Date.now() - startedAt };
  }

  async function remove(zone: string, name: string): Promise<void> {
    const [operation] = await instances.delete({ project: agent.gce.project, zone, instance: name });
    await done(zone, operation.latestResponse as Operation);
  }

  const get = async (zone: string, name: string) => (await instances.get({ project: agent.gce.project, zone, instance: name }))[0];
  const ssh = (host: PinnedHost, command: string) => sshPinned(host, clientKeyPath, command);

  before(async () => {
    cluster = await startCluster({ hosts: 1 });
    agent = await startGceWithBootAgent({ cluster, bootStepMs: 20, operationDelayMs: 10 });
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: "fake" });
    const options: ClientOptions = {
      apiEndpoint: "127.0.0.1",
      port: Number(new URL(agent.gce.url).port),
      protocol: "http",
      // google-gax has its own copy of google-auth-library (10.5 beside our 10.9): the same class, another type.
      authClient: authClient as unknown as ClientOptions["authClient"],
    };
    instances = new InstancesClient(options);
    zoneOperations = new ZoneOperationsClient(options);
    clientKey = await generateKeyPair("hydro-test client");
    await writeFile(clientKeyPath, clientKey.privateKey, { mode: 0o600 });
    longLived = await create(ZONE, "vm1", NEVER_IDLE_MINUTES);
  });
  after(async () => {
    await agent?.stop();
    await Promise.all([instances?.close(), zoneOperations?.close()]);
    await cluster?.stop();
  });

  it("boots a RUNNING instance at its networkIP, where sshd answers to the client key under the pinned host key", async (t) => {
    t.diagnostic(`insert to a listening sshd: ${longLived.bootMs} ms`);
    const vm = await get(ZONE, "vm1");
    assert.equal(vm.status, "RUNNING");
    const nic = vm.networkInterfaces?.[0];
    assert.equal(nic?.networkIP, longLived.address);
    assert.ok(!staticAddresses(cluster).includes(longLived.address), `${longLived.address} is the bridge's or a static host's`);
    // The public address only looks real: 203.0.113.0/24 never routes, and nothing connects to it.
    assert.match(nic?.accessConfigs?.[0]?.natIP ?? "", /^203\.0\.113\./);
    const loggedIn = await ssh(longLived, "hostname; id -un");
    assert.equal(loggedIn.exitCode, 0, loggedIn.stderr);
    assert.equal(loggedIn.stdout, "vm1\nroot");
  });

  it("refuses the login when the pinned host key is another", async () => {
    const other = await generateKeyPair("not the host");
    const refused = await ssh(await pinHostKey(files, "wrong", longLived.address, other.publicKey), "hostname");
    assert.equal(refused.exitCode, 255);
    assert.match(refused.stderr, /Host key verification failed/);
  });

  it("gives an instance named like one in another zone, or like a static host, a host name and address of its own", async () => {
    const twin = await create(OTHER_ZONE, "vm1", NEVER_IDLE_MINUTES);
    const namesake = await create(ZONE, "host1", NEVER_IDLE_MINUTES);
    assert.deepEqual([twin.host.name, namesake.host.name], ["vm1-2", "host1-2"]);
    assert.equal(new Set([longLived.address, twin.address, namesake.address, ...staticAddresses(cluster)]).size, 5);
    for (const created of [longLived, twin, namesake]) assert.equal((await ssh(created, "hostname")).stdout, created.host.name);
  });

  it("removes the host of a deleted instance by the time the delete is DONE; the next instance boots at a fresh address", async () => {
    const doomed = await create(ZONE, "doomed", NEVER_IDLE_MINUTES);
    await remove(ZONE, "doomed");
    assert.ok(!agent.booted().has(instanceKey(ZONE, "doomed")));
    assert.ok(!(await bootedHostLeft(cluster, "doomed")), "the host of a deleted instance is still there");
    await assert.rejects(get(ZONE, "doomed"), /was not found/);
    const successor = await create(ZONE, "successor", NEVER_IDLE_MINUTES);
    assert.notEqual(successor.address, doomed.address);
    assert.equal((await ssh(successor, "hostname")).stdout, "successor");
    await remove(ZONE, "successor");
  });

  it("leaves an instance whose guest's dead-man switch fired TERMINATED, keeping its networkIP, with its host removed; deleting it then is no error", async (t) => {
    const created = await create(ZONE, "idle", SHORT_IDLE_MINUTES);
    const bootedAt = Date.now();
    await eventually(async () => (await get(ZONE, "idle")).status === "TERMINATED", SHUTDOWN_TIMEOUT_MS, "idle to be TERMINATED");
    t.diagnostic(`TERMINATED ${Date.now() - bootedAt} ms after its boot, with an idle limit of ${SHORT_IDLE_MINUTES * 60} s`);
    const vm = await get(ZONE, "idle");
    assert.equal(vm.networkInterfaces?.[0]?.networkIP, created.address);
    assert.equal(vm.networkInterfaces?.[0]?.accessConfigs?.[0]?.natIP ?? undefined, undefined);
    await eventually(async () => !(await bootedHostLeft(cluster, "idle")), SHUTDOWN_TIMEOUT_MS, "the host of idle to be removed");
    assert.ok(!agent.booted().has(instanceKey(ZONE, "idle")));
    await remove(ZONE, "idle");
    await assert.rejects(get(ZONE, "idle"), /was not found/);
    // The other hosts are untouched.
    assert.equal((await ssh(longLived, "hostname")).stdout, "vm1");
    assert.deepEqual(agent.errors, []);
  });

  it("cluster.stop() also removes booted hosts, leaving nothing of the cluster, and the agent saw no error", async () => {
    assert.ok(await bootedHostLeft(cluster, "vm1"), "the long-lived host should still be up");
    await cluster.stop();
    assert.deepEqual(await leftovers(cluster.id), NOTHING_LEFT);
    // The agent removing what is already gone is not an error.
    await agent.stop();
    assert.deepEqual(agent.errors, []);
  });
});
