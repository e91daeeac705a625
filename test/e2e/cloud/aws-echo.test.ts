// `hydro run` with d.aws() hosts, end to end: moto (through the fault proxy) provisions, the boot
// agent turns each VM into a namespace host of the test cluster at its private address, and the
// deployer reaches it over SSH under the host key it generated: echo across two VMs, then nothing
// left in moto, in .hydro or on the machine. Also kill -9 of the deployer: the VMs power themselves
// off (dead-man switch) and `hydro down` removes the rest. test/doubles/README.md §EC2 boot agent.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { execa } from "execa";
import { DescribeInstancesCommand, DescribeKeyPairsCommand, DescribeSecurityGroupsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { cli, eventually, fixture, tempDir } from "../../helpers.js";
import { type Cluster, startCluster } from "../cluster/cluster.js";
import { NOTHING_LEFT, leftovers } from "../cluster/leftovers.js";
import { type Ec2BootAgent, startEc2BootAgent } from "../../doubles/ec2/ec2-boot-agent.js";
import { createClusterSubnet } from "../../doubles/ec2/ec2-cluster-subnet.js";
import { motoEc2Client } from "../../doubles/ec2/moto-ec2-client.js";
import { type FaultProxy, startFaultProxy } from "../../doubles/ec2/fault-proxy.js";
import { type Moto, motoMissing, startMoto } from "../../doubles/ec2/moto.js";
import { interruptionMatrix } from "./interruptions.js";

const REGION = "us-east-1";
const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

describe("hydro run on EC2 VMs (moto + the boot agent)", { skip: notRoot || motoMissing(), timeout: 900_000 }, () => {
  let cluster: Cluster;
  let moto: Moto;
  let proxy: FaultProxy;
  let agent: Ec2BootAgent;
  let ec2: EC2Client;
  let subnetId: string;
  let env: Record<string, string>;

  before(async () => {
    [cluster, moto] = await Promise.all([startCluster({ hosts: 1 }), startMoto()]);
    proxy = await startFaultProxy({ target: moto.url });
    ec2 = motoEc2Client(moto.url, REGION);
    ({ subnetId } = await createClusterSubnet(ec2, cluster));
    agent = startEc2BootAgent({ motoUrl: moto.url, region: REGION, cluster });
    env = {
      AWS_ENDPOINT_URL_EC2: proxy.url,
      AWS_ACCESS_KEY_ID: "AKIDHYDROTEST",
      AWS_SECRET_ACCESS_KEY: "hydro-test",
      AWS_EC2_METADATA_DISABLED: "true",
      NO_COLOR: "1",
    };
  });
  after(async () => {
    await agent?.stop();
    await proxy?.stop();
    await moto?.stop();
    const id = cluster?.id;
    await cluster?.stop();
    if (id) assert.deepEqual(await leftovers(id), NOTHING_LEFT);
  });

  const hydro = (dir: string, args: string[]) => execa("node", [cli, ...args], { cwd: dir, reject: false, env });
  async function live(deployment?: string) {
    const filter = [{ Name: deployment ? "tag:hydro-deployment" : "tag-key", Values: [deployment ?? "hydro-deployment"] }];
    const [instances, groups, keys] = await Promise.all([
      ec2.send(
        new DescribeInstancesCommand({
          Filters: [...filter, { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped", "shutting-down"] }],
        }),
      ),
      ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter })),
      ec2.send(new DescribeKeyPairsCommand({ Filters: filter })),
    ]);
    return {
      instances: (instances.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []).length,
      groups: (groups.SecurityGroups ?? []).length,
      keys: (keys.KeyPairs ?? []).length,
    };
  }
  const NONE = { instances: 0, groups: 0, keys: 0 };

  test("echo across two EC2 VMs, reached at their private addresses under host keys pinned in advance; afterwards nothing is left anywhere", async () => {
    const dir = tempDir();
    const result = await hydro(dir, ["run", fixture("aws-echo.hydro.ts"), "--", subnetId]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^\[client\] done: 3 echoes/m);
    assert.match(result.stdout, /^\[server\] client says: hello 2$/m);
    assert.match(result.stdout, /^terminated client-vm$/m);
    assert.deepEqual(agent.errors, []);
    assert.deepEqual(await live(), NONE);
    for (const kept of ["state", "keys"]) assert.deepEqual(fs.readdirSync(path.join(dir, ".hydro", kept)), [], `something was left in .hydro/${kept}`);
    // No host key was learned on first use: both were pinned.
    assert.equal(fs.existsSync(path.join(dir, ".hydro/known_hosts")), false);
    await eventually(() => agent.booted().size === 0, 20_000, "the booted hosts to be removed");
  });

  test("examples/echo/echo_cloud.hydro.ts --aws runs the seed's echo on two VMs and leaves nothing", async () => {
    const dir = tempDir();
    const example = path.resolve("examples/echo/echo_cloud.hydro.ts");
    const result = await hydro(dir, [
      "run",
      example,
      "--",
      "--aws",
      REGION,
      "--subnet",
      subnetId,
      "--user",
      "root",
      "--private",
      "--image",
      "ami-12c6146b",
      "--count",
      "3",
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^client says: done: 3 echoes/m);
    assert.deepEqual(await live(), NONE);
  });

  test("after kill -9 of the deployer, the VMs power themselves off (dead-man switch) and hydro down removes the rest", async () => {
    const dir = tempDir();
    const child = execa("node", [cli, "run", fixture("aws-forever.hydro.ts"), "--", subnetId, "0.05"], { cwd: dir, reject: false, env });
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    await eventually(() => seen.includes("deployed"), 120_000, "the deployment to be up");
    const deployment = /deployment (\w+) deployed/.exec(seen)?.[1];
    assert.ok(deployment, seen);
    assert.equal((await live(deployment)).instances, 1);
    child.kill("SIGKILL");
    await child;
    // Nobody touches ~/.hydro/alive any more: within the 3 s limit (and the agent's polling) the VM is gone.
    await eventually(async () => (await live(deployment)).instances === 0, 60_000, "the VM to power itself off");
    const down = await hydro(dir, ["down"]);
    assert.equal(down.exitCode, 0, down.stdout + down.stderr);
    assert.match(down.stdout, /^deleted aws security-group /m);
    assert.match(down.stdout, /^deleted aws key-pair /m);
    assert.deepEqual(await live(deployment), NONE);
    assert.deepEqual(agent.errors, []);
  });

  /** Every instance ever made (moto keeps terminated ones): what a run boots is the difference. */
  async function instancesMade(): Promise<number> {
    const made = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "tag-key", Values: ["hydro-deployment"] }] }));
    return (made.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []).length;
  }

  describe("a 4-point sweep whose two VMs are kept across its points (a HostPool)", () => {
    test("boots 2 instances in all and deletes them at the end", async () => {
      const dir = tempDir();
      const before = await instancesMade();
      const result = await hydro(dir, ["run", fixture("aws-sweep.hydro.ts"), "--", subnetId, "out"]);
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      assert.deepEqual(
        fs
          .readFileSync(path.join(dir, "out", "results.csv"), "utf8")
          .trim()
          .split(/\r?\n/)
          .slice(1),
        ["1,1", "2,2", "3,3", "4,4"],
      );
      assert.equal((await instancesMade()) - before, 2);
      assert.deepEqual(await live(), NONE);
      assert.deepEqual(fs.readdirSync(path.join(dir, ".hydro", "state")), []);
      assert.deepEqual(agent.errors, []);
    });

    for (const [signal, point] of [
      ["SIGINT", "3"],
      ["SIGKILL", "2"],
    ] as const) {
      test(`${signal === "SIGINT" ? "Ctrl-C" : "kill -9"} at point ${point} leaves nothing${signal === "SIGKILL" ? " once hydro down has run" : ""}; 2 instances were booted`, async () => {
        const dir = tempDir();
        const before = await instancesMade();
        const child = execa("node", [cli, "run", fixture("aws-sweep.hydro.ts"), "--", subnetId, "out", point], { cwd: dir, reject: false, env });
        let seen = "";
        child.stdout!.on("data", (chunk: Buffer) => (seen += chunk.toString()));
        await eventually(() => seen.includes(`point ${point} deployed`) || child.exitCode !== null, 180_000, `point ${point} to be deployed`);
        assert.equal((await live()).instances, 2, seen);
        child.kill(signal);
        const result = await child;
        if (signal === "SIGINT") {
          assert.equal(result.exitCode, 130, result.stdout + result.stderr);
        } else {
          const down = await hydro(dir, ["down"]);
          assert.equal(down.exitCode, 0, down.stdout + down.stderr);
          assert.equal(down.stdout.match(/^deleted aws instance /gm)?.length, 2, down.stdout);
        }
        assert.deepEqual(await live(), NONE);
        assert.deepEqual(fs.readdirSync(path.join(dir, ".hydro", "state")), []);
        assert.equal((await instancesMade()) - before, 2);
        // The records of the points before it are kept.
        assert.equal(
          fs
            .readFileSync(path.join(dir, "out", "results.csv"), "utf8")
            .trim()
            .split(/\r?\n/).length,
          Number(point),
        );
      });
    }
  });

  interruptionMatrix({
    what: "two EC2 VMs",
    run: () => [fixture("aws-echo.hydro.ts"), "--", subnetId],
    env: () => env,
    searchAll: () => ["--aws", REGION],
    assertNothingLeft: async () => assert.deepEqual(await live(), NONE),
  });
});
