// `hydro run` with d.gcp() hosts on the GCE double (and, mixed, with an EC2 VM on moto and
// localhost), each VM booted as a namespace host of the test cluster: echo_many on three GCE VMs;
// one deployment across EC2, GCE and localhost whose cross-cloud edges go through the deployer;
// nothing left afterwards. test/doubles/README.md §GCE boot agent, §EC2 boot agent.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { execa } from "execa";
import { DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { cli, eventually, fixture, tempDir } from "../../helpers.js";
import { type Cluster, startCluster } from "../cluster/cluster.js";
import { NOTHING_LEFT, leftovers } from "../cluster/leftovers.js";
import { type Ec2BootAgent, startEc2BootAgent } from "../../doubles/ec2/ec2-boot-agent.js";
import { createClusterSubnet } from "../../doubles/ec2/ec2-cluster-subnet.js";
import { motoEc2Client } from "../../doubles/ec2/moto-ec2-client.js";
import { type Moto, motoMissing, startMoto } from "../../doubles/ec2/moto.js";
import { startGceWithBootAgent } from "../../doubles/gce/gce-boot-agent.js";
import { interruptionMatrix } from "./interruptions.js";

const REGION = "us-east-1";
const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

describe("hydro run on GCE VMs, and across EC2, GCE and localhost", { skip: notRoot || motoMissing(), timeout: 900_000 }, () => {
  let cluster: Cluster;
  let moto: Moto;
  let ec2Agent: Ec2BootAgent;
  let gceAgent: Awaited<ReturnType<typeof startGceWithBootAgent>>;
  let ec2: EC2Client;
  let subnetId: string;
  let env: Record<string, string>;

  before(async () => {
    [cluster, moto] = await Promise.all([startCluster({ hosts: 1 }), startMoto()]);
    ec2 = motoEc2Client(moto.url, REGION);
    ({ subnetId } = await createClusterSubnet(ec2, cluster));
    ec2Agent = startEc2BootAgent({ motoUrl: moto.url, region: REGION, cluster });
    gceAgent = await startGceWithBootAgent({ cluster, bootStepMs: 20, operationDelayMs: 10 });
    env = {
      AWS_ENDPOINT_URL_EC2: moto.url,
      AWS_ACCESS_KEY_ID: "AKIDHYDROTEST",
      AWS_SECRET_ACCESS_KEY: "hydro-test",
      AWS_EC2_METADATA_DISABLED: "true",
      CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: gceAgent.gce.endpoint,
      CLOUDSDK_AUTH_ACCESS_TOKEN: "hydro-test-token",
      NO_COLOR: "1",
    };
  });
  after(async () => {
    await gceAgent?.stop();
    await ec2Agent?.stop();
    await moto?.stop();
    const id = cluster?.id;
    await cluster?.stop();
    if (id) assert.deepEqual(await leftovers(id), NOTHING_LEFT);
  });

  const hydro = (args: string[]) => execa("node", [cli, "run", ...args], { cwd: tempDir(), reject: false, env });
  const liveEc2 = async () =>
    ((await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }] }))).Reservations ?? []).flatMap(
      (reservation) => reservation.Instances ?? [],
    ).length;

  test("echo_many on three GCE VMs: three clients merged into one server, echoed back by demux; then no VM is left", async () => {
    const result = await hydro([fixture("clouds.hydro.ts"), "--", "echo-many-gcp", gceAgent.gce.project]);
    assert.equal(result.exitCode, 0, result.stderr);
    for (const client of ["client-1", "client-2", "client-3"]) assert.match(result.stdout, new RegExp(`^\\[${client}\\] done: 3 echoes`, "m"));
    assert.deepEqual(gceAgent.gce.instances(), []);
    assert.deepEqual(gceAgent.errors, []);
  });

  test("one deployment across an EC2 VM, a GCE VM and localhost: every client is echoed through the deployer; then nothing is left in either cloud", async () => {
    const result = await hydro([fixture("clouds.hydro.ts"), "--", "mixed", gceAgent.gce.project, subnetId]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^\[client-gcp\] done: 3 echoes/m);
    assert.match(result.stdout, /^\[client-local\] done: 3 echoes/m);
    assert.deepEqual(gceAgent.gce.instances(), []);
    assert.equal(await liveEc2(), 0);
    assert.deepEqual([...gceAgent.errors, ...ec2Agent.errors], []);
  });

  test("examples/echo/echo_cloud.hydro.ts --gcp runs the seed's echo on two GCE VMs", async () => {
    const example = path.resolve("examples/echo/echo_cloud.hydro.ts");
    const result = await hydro([example, "--", "--gcp", gceAgent.gce.project, "--user", "root", "--private", "--count", "3"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^client says: done: 3 echoes/m);
    assert.deepEqual(gceAgent.gce.instances(), []);
  });

  test("examples/echo/echo.hydro.py --gcp, the seed's Python script, runs on two GCE VMs and deletes them", async () => {
    const example = path.resolve("examples/echo/echo.hydro.py");
    const result = await hydro([example, "--", "--gcp", gceAgent.gce.project, "--user", "root", "--private", "--count", "3"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^client says: done: 3 echoes/m);
    assert.deepEqual(gceAgent.gce.instances(), []);
  });

  test("examples/echo/echo_hf.hydro.py --gcp: the seed's script with its programs in .hf, on two GCE VMs", async () => {
    const example = path.resolve("examples/echo/echo_hf.hydro.py");
    const result = await hydro([example, "--", "--gcp", gceAgent.gce.project, "--user", "root", "--private", "--count", "3"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^client says: echo 2: [\d.]+ ms round trip$/m);
    assert.match(result.stdout, /^\[echo_server\] echo_client says: hello 2$/m);
    assert.deepEqual(gceAgent.gce.instances(), []);
  });

  test("after kill -9 of the deployer, a GCE VM's dead-man switch stops it, and hydro down deletes it and its firewall rules", async () => {
    const dir = tempDir();
    const child = execa("node", [cli, "run", fixture("clouds.hydro.ts"), "--", "forever-gcp", gceAgent.gce.project, "", "0.05"], {
      cwd: dir,
      reject: false,
      env,
    });
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    await eventually(() => /^deployed$/m.test(seen) || child.exitCode !== null, 120_000, "the deployment to be up").catch((error: Error) => {
      throw new Error(
        `${error.message}; the CLI said:\n${seen}\nboot agent: ${gceAgent.errors.map(String).join("; ")}; instances: ${JSON.stringify(gceAgent.gce.instances().map((vm) => [(vm as { name: string }).name, (vm as { status: string }).status]))}`,
      );
    });
    assert.match(seen, /^deployed$/m, seen);
    child.kill("SIGKILL");
    await child;
    const status = () => (gceAgent.gce.instances() as Array<{ status: string }>).map((instance) => instance.status);
    await eventually(() => status().join() === "TERMINATED", 60_000, "the VM to stop itself");
    const down = await execa("node", [cli, "down"], { cwd: dir, reject: false, env });
    assert.equal(down.exitCode, 0, down.stdout + down.stderr);
    assert.match(down.stdout, /^deleted gcp instance /m);
    assert.match(down.stdout, /^deleted gcp firewall /m);
    assert.deepEqual(gceAgent.gce.instances(), []);
  });

  interruptionMatrix({
    what: "two GCE VMs",
    run: () => [path.resolve("examples/echo/echo_cloud.hydro.ts"), "--", "--gcp", gceAgent.gce.project, "--user", "root", "--private", "--count", "3"],
    env: () => env,
    searchAll: () => ["--gcp", gceAgent.gce.project],
    assertNothingLeft: async () => {
      assert.deepEqual(gceAgent.gce.instances(), []);
      const down = await execa("node", [cli, "ls", "--gcp", gceAgent.gce.project], { cwd: tempDir(), reject: false, env });
      assert.doesNotMatch(down.stdout, /^gcp /m, `firewall rules or VMs left: ${down.stdout}`);
    },
  });
});
