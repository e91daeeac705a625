// deploy/aws against moto behind the fault proxy, through the real @aws-sdk/client-ec2: what a
// deployment creates is tagged and recorded before it exists, torn down completely, explained in
// one line when EC2 refuses, and found and deleted by `hydro down` after a kill -9, also by tag
// alone when the state file is gone, and listed by `hydro ls` with what each VM costs; a launch
// that never runs is given up. test/doubles/README.md §EC2 fault proxy, §moto; docs/ARCHITECTURE.md §6.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { execa } from "execa";
import { after, before, describe, test } from "node:test";
import { ec2Errors, type FaultProxy, startFaultProxy } from "../../doubles/ec2/fault-proxy.js";
import { type Moto, motoMissing, startMoto } from "../../doubles/ec2/moto.js";
import { startTripwire, type Tripwire } from "../../doubles/tripwire.js";
import { cli, tempDir } from "../../helpers.js";
import { CloudError } from "../../../deploy/errors.js";

const REGION = "us-east-1";
// One of moto's bundled AMIs.
const IMAGE_ID = "ami-12c6146b";
const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIUgWdFqnrTnGVUc4DUGQ7B9Q9w6n8XhJ0bNQnpMhrAl hydro-test";

describe("AWS resources on moto, through the real SDK", { skip: motoMissing() }, () => {
  let tripwire: Tripwire;
  let moto: Moto;
  let proxy: FaultProxy;
  let env: Record<string, string>;
  let resources: typeof import("../../../deploy/aws/resources.js");
  let stateFile: typeof import("../../../deploy/state/state-file.js");
  let sdk: typeof import("@aws-sdk/client-ec2");
  let direct: import("@aws-sdk/client-ec2").EC2Client;

  before(async () => {
    tripwire = await startTripwire();
    moto = await startMoto();
    proxy = await startFaultProxy({ target: moto.url });
    env = {
      AWS_ENDPOINT_URL_EC2: proxy.url,
      AWS_ACCESS_KEY_ID: "AKIDHYDROTEST",
      AWS_SECRET_ACCESS_KEY: "hydro-test",
      // The metadata service is the tripwire: a credential lookup that gets that far is caught.
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://${tripwire.address}`,
    };
    Object.assign(process.env, env);
    [resources, stateFile, sdk] = await Promise.all([
      import("../../../deploy/aws/resources.js"),
      import("../../../deploy/state/state-file.js"),
      import("@aws-sdk/client-ec2"),
    ]);
    // For checks: straight to moto, no faults.
    direct = new sdk.EC2Client({ region: REGION, endpoint: moto.url, credentials: { accessKeyId: "AKIDCHECK", secretAccessKey: "x" } });
  });
  after(async () => {
    await proxy?.stop();
    await moto?.stop();
    await tripwire?.stop();
  });

  /** Runs `body` in a fresh working directory (where `.hydro/state` lives). */
  async function inDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
    const dir = tempDir();
    const before = process.cwd();
    process.chdir(dir);
    try {
      return await body(dir);
    } finally {
      process.chdir(before);
    }
  }

  async function liveTagged(deployment: string) {
    const filter = [{ Name: "tag:hydro-deployment", Values: [deployment] }];
    const [instances, groups, keys] = await Promise.all([
      direct.send(
        new sdk.DescribeInstancesCommand({ Filters: [...filter, { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] }] }),
      ),
      direct.send(new sdk.DescribeSecurityGroupsCommand({ Filters: filter })),
      direct.send(new sdk.DescribeKeyPairsCommand({ Filters: filter })),
    ]);
    return {
      instances: (instances.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []),
      groups: groups.SecurityGroups ?? [],
      keys: keys.KeyPairs ?? [],
    };
  }

  /** Key pair, security group and one VM of `deployment`, as a host launch makes them. */
  async function provision(state: InstanceType<typeof stateFile.DeploymentState>, name = "web") {
    const network = await resources.findNetwork(REGION, undefined);
    const key = await resources.importKeyPair(state, REGION, PUBLIC_KEY);
    const group = await resources.createSecurityGroup(state, REGION, network, "198.51.100.0/24");
    const instance = await resources.launchInstance(
      state,
      {
        name,
        region: REGION,
        network,
        keyName: key.keyName,
        groupId: group.groupId,
        ami: IMAGE_ID,
        instanceType: "t3.micro",
        userData: "#!/bin/sh\necho booted\n",
        tags: { team: "lab" },
        publicIp: false,
        spot: false,
      },
      new AbortController().signal,
    );
    return { network, key, group, instance };
  }

  /** The key pair and security group of a deployment, and the launch of its VM "web" into them, not awaited. */
  async function launching(state: InstanceType<typeof stateFile.DeploymentState>, runningWithinMs?: number) {
    const network = await resources.findNetwork(REGION, undefined);
    const key = await resources.importKeyPair(state, REGION, PUBLIC_KEY);
    const group = await resources.createSecurityGroup(state, REGION, network, "0.0.0.0/0");
    const spec = {
      name: "web",
      region: REGION,
      network,
      keyName: key.keyName,
      groupId: group.groupId,
      ami: IMAGE_ID,
      instanceType: "t3.micro",
      userData: "",
      tags: {},
      publicIp: false,
      spot: false,
    };
    return { key, group, launch: resources.launchInstance(state, spec, new AbortController().signal, runningWithinMs) };
  }

  test("a deployment's key pair, security group and VM carry its tag, are recorded with their ids, and are all gone after teardown", async () => {
    await inDir(async () => {
      const state = new stateFile.DeploymentState("aws-ok", "deployment aws-ok");
      const { network, key, group, instance } = await provision(state);
      assert.equal(network.network, `aws:${REGION}/${network.vpcId}`);
      assert.deepEqual(
        state.resources.map((resource) => [resource.kind, resource.id !== undefined]),
        [
          ["key-pair", true],
          ["security-group", true],
          ["instance", true],
        ],
      );
      const live = await liveTagged("aws-ok");
      assert.equal(live.instances.length, 1);
      assert.equal(live.groups.length, 1);
      assert.equal(live.keys.length, 1);
      assert.match(instance.privateIp, /^\d+\.\d+\.\d+\.\d+$/);
      const vm = live.instances[0]!;
      assert.deepEqual(Object.fromEntries((vm.Tags ?? []).map((tag) => [tag.Key, tag.Value])), { "hydro-deployment": "aws-ok", Name: "web", team: "lab" });
      const userData = await direct.send(new sdk.DescribeInstanceAttributeCommand({ InstanceId: instance.id, Attribute: "userData" }));
      assert.equal(Buffer.from(userData.UserData!.Value!, "base64").toString(), "#!/bin/sh\necho booted\n");
      const rules = live.groups[0]!.IpPermissions ?? [];
      assert.deepEqual(
        rules
          .map((rule) => [
            rule.IpProtocol,
            rule.FromPort,
            (rule.IpRanges ?? []).map((range) => range.CidrIp),
            (rule.UserIdGroupPairs ?? []).map((pair) => pair.GroupId),
          ])
          .sort(),
        [
          ["-1", undefined, [], [group.groupId]],
          ["tcp", 22, ["198.51.100.0/24"], []],
        ].sort(),
      );

      await instance.terminate();
      await group.release();
      await key.release();
      assert.deepEqual(await liveTagged("aws-ok"), { instances: [], groups: [], keys: [] });
      assert.equal(fs.existsSync(".hydro/state/aws-ok.json"), false);
    });
  });

  test("a RunInstances whose response is lost is retried with the same ClientToken: one VM, recorded with its id", async () => {
    await inDir(async () => {
      const state = new stateFile.DeploymentState("aws-retry", "deployment aws-retry");
      const fault = proxy.inject({ action: "RunInstances", times: 1, error: ec2Errors.internalError(), afterEffect: true });
      const { key, group, instance } = await provision(state);
      assert.equal(fault.hits, 1);
      const live = await liveTagged("aws-retry");
      assert.deepEqual(
        live.instances.map((vm) => vm.InstanceId),
        [instance.id],
      );
      assert.equal(state.resources.find((resource) => resource.kind === "instance")?.id, instance.id);
      await instance.terminate();
      await group.release();
      await key.release();
      assert.deepEqual(await liveTagged("aws-retry"), { instances: [], groups: [], keys: [] });
    });
  });

  test("a new VM that EC2 does not describe yet (eventual consistency) is waited for, not failed", async () => {
    await inDir(async () => {
      const state = new stateFile.DeploymentState("aws-consistency", "deployment aws-consistency");
      const notYet = proxy.inject({ action: "DescribeInstances", times: 2, error: ec2Errors.instanceNotFound() });
      const { key, group, instance } = await provision(state);
      assert.equal(notYet.hits, 2);
      assert.equal((await liveTagged("aws-consistency")).instances.length, 1);
      await instance.terminate();
      await group.release();
      await key.release();
      assert.deepEqual(await liveTagged("aws-consistency"), { instances: [], groups: [], keys: [] });
    });
  });

  test("a security group still held by terminating VMs (DependencyViolation) is deleted once they let go", async () => {
    await inDir(async () => {
      const state = new stateFile.DeploymentState("aws-dependency", "deployment aws-dependency");
      const { key, group, instance } = await provision(state);
      await instance.terminate();
      const held = proxy.inject({
        action: "DeleteSecurityGroup",
        times: 2,
        error: { status: 400, code: "DependencyViolation", message: () => `resource ${group.groupId} has a dependent object` },
      });
      await group.release();
      await key.release();
      assert.equal(held.hits, 2);
      assert.deepEqual(await liveTagged("aws-dependency"), { instances: [], groups: [], keys: [] });
      assert.deepEqual(state.resources, []);
    });
  });

  for (const { name, error, code, says } of [
    {
      name: "a vCPU quota",
      error: ec2Errors.vcpuLimitExceeded(32),
      code: "VcpuLimitExceeded",
      says: /vCPU quota for this instance family in us-east-1 is used up/,
    },
    {
      name: "no capacity (after the SDK's retries)",
      error: ec2Errors.insufficientInstanceCapacity(),
      code: "InsufficientInstanceCapacity",
      says: /no t3\.micro capacity/,
    },
    { name: "refused permissions", error: ec2Errors.unauthorizedOperation(), code: "UnauthorizedOperation", says: /may not do this/ },
  ]) {
    test(`RunInstances refused for ${name}: one line with the code and what to do, and nothing left running or recorded but what teardown removes`, async () => {
      await inDir(async () => {
        const deployment = `aws-${code.toLowerCase()}`;
        const state = new stateFile.DeploymentState(deployment, deployment);
        const fault = proxy.inject({ action: "RunInstances", times: Infinity, error });
        const { key, group, launch } = await launching(state);
        try {
          await assert.rejects(launch, (thrown: Error) => {
            assert.ok(thrown instanceof CloudError, `${thrown.name}: ${thrown.message}`);
            assert.equal(thrown.code, code);
            assert.equal(thrown.provider, "aws");
            assert.match(thrown.message, /^aws host "web" \(t3\.micro in us-east-1\): /);
            assert.match(thrown.message, says);
            assert.doesNotMatch(thrown.message, /\n/);
            return true;
          });
        } finally {
          proxy.clearFaults();
        }
        assert.ok(fault.hits >= 1);
        // The failed launch's record is gone (nothing was launched); the base is still recorded until released.
        assert.deepEqual(
          state.resources.map((resource) => resource.kind),
          ["key-pair", "security-group"],
        );
        await group.release();
        await key.release();
        assert.deepEqual(await liveTagged(deployment), { instances: [], groups: [], keys: [] });
      });
    });
  }

  /** Asserts `launch` fails in one line matching `says`, and that its instance is terminated and no longer recorded; then releases the rest. */
  async function assertLaunchGivenUp(
    deployment: string,
    state: InstanceType<typeof stateFile.DeploymentState>,
    launching: { key: { release(): Promise<void> }; group: { release(): Promise<void> }; launch: Promise<unknown> },
    says: RegExp,
  ) {
    await assert.rejects(launching.launch, (thrown: Error) => {
      assert.match(thrown.message, says);
      assert.doesNotMatch(thrown.message, /\n/);
      return true;
    });
    proxy.clearFaults();
    assert.deepEqual(
      state.resources.map((resource) => resource.kind),
      ["key-pair", "security-group"],
    );
    await launching.group.release();
    await launching.key.release();
    assert.deepEqual(await liveTagged(deployment), { instances: [], groups: [], keys: [] });
  }

  /** The instance `deployment` launched, asked of moto itself (the proxy may be holding DescribeInstances). */
  async function launchedInstance(deployment: string): Promise<string> {
    for (;;) {
      const [vm] = (await liveTagged(deployment)).instances;
      if (vm?.InstanceId) return vm.InstanceId;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test("an instance that goes from pending to terminated before it runs (EC2 without capacity does this): one line with EC2's reason, and no record left", async () => {
    await inDir(async () => {
      const deployment = "aws-pending-terminated";
      const state = new stateFile.DeploymentState(deployment, deployment);
      // EC2 does not describe a new instance for a moment (eventual consistency); meanwhile it ends.
      proxy.inject({ action: "DescribeInstances", times: Infinity, error: ec2Errors.instanceNotFound() });
      const started = await launching(state);
      const id = await launchedInstance(deployment);
      await direct.send(new sdk.TerminateInstancesCommand({ InstanceIds: [id] }));
      proxy.clearFaults();
      await assertLaunchGivenUp(
        deployment,
        state,
        started,
        new RegExp(String.raw`^aws host "web" \(t3\.micro in us-east-1\): instance ${id} went terminated instead of running: \S`),
      );
    });
  });

  test(
    "an instance never seen running is given up after the bound: one line with what was last seen, terminated, and no record left",
    { timeout: 60_000 },
    async () => {
      await inDir(async () => {
        const deployment = "aws-never-running";
        const state = new stateFile.DeploymentState(deployment, deployment);
        proxy.inject({ action: "DescribeInstances", times: Infinity, error: ec2Errors.instanceNotFound() });
        const started = await launching(state, 1_500);
        const id = await launchedInstance(deployment);
        await assertLaunchGivenUp(
          deployment,
          state,
          started,
          new RegExp(
            String.raw`^aws host "web" \(t3\.micro in us-east-1\): instance ${id} was not running after [12] s \(last seen: not described yet; EC2 may have no capacity for it\): terminated it; try another instanceType or subnet, or later$`,
          ),
        );
        const { Reservations = [] } = await direct.send(new sdk.DescribeInstancesCommand({ InstanceIds: [id] }));
        assert.equal(Reservations[0]?.Instances?.[0]?.State?.Name, "terminated");
      });
    },
  );
});

describe("hydro down", { skip: motoMissing() }, () => {
  let moto: Moto;
  let env: Record<string, string>;
  let sdk: typeof import("@aws-sdk/client-ec2");
  let direct: import("@aws-sdk/client-ec2").EC2Client;
  let tripwire: Tripwire;

  before(async () => {
    tripwire = await startTripwire();
    moto = await startMoto();
    env = {
      AWS_ENDPOINT_URL_EC2: moto.url,
      AWS_ACCESS_KEY_ID: "AKIDHYDROTEST",
      AWS_SECRET_ACCESS_KEY: "hydro-test",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://${tripwire.address}`,
    };
    sdk = await import("@aws-sdk/client-ec2");
    direct = new sdk.EC2Client({ region: REGION, endpoint: moto.url, credentials: { accessKeyId: "AKIDCHECK", secretAccessKey: "x" } });
  });
  after(async () => {
    await moto?.stop();
    await tripwire?.stop();
  });

  const tagged = (deployment: string) => [{ Name: "tag:hydro-deployment", Values: [deployment] }];
  const liveInstances = async (deployment: string) =>
    (
      await direct.send(new sdk.DescribeInstancesCommand({ Filters: [...tagged(deployment), { Name: "instance-state-name", Values: ["pending", "running"] }] }))
    ).Reservations?.flatMap((reservation) => reservation.Instances ?? []) ?? [];
  const liveGroups = async (deployment: string) =>
    (await direct.send(new sdk.DescribeSecurityGroupsCommand({ Filters: tagged(deployment) }))).SecurityGroups ?? [];
  const liveKeys = async (deployment: string) => (await direct.send(new sdk.DescribeKeyPairsCommand({ Filters: tagged(deployment) }))).KeyPairs ?? [];

  /**
   * A deployer that provisions a key pair, a security group and `vms` VMs, then is killed with -9:
   * after the VMs are up, or ("launching") when the last VM's RunInstances has returned and before
   * its id is recorded (the record has only the ClientToken the launch carried).
   */
  function killedDeployer(dir: string, deployment: string, stage: "up" | "launching", vms = 2) {
    const last =
      stage === "up"
        ? `await aws.launchInstance(state, spec("vm${vms}"), new AbortController().signal);`
        : `const intend = state.intend.bind(state);
         // Killed when RunInstances has returned, before its id is written: the VM exists, its record has only the token.
         state.intend = (record) => { const recorded = intend(record); return { ...recorded, created: () => process.kill(process.pid, "SIGKILL") }; };
         await aws.launchInstance(state, spec("vm${vms}"), new AbortController().signal);`;
    const script = `
      import { DeploymentState } from ${JSON.stringify(path.resolve("deploy/state/state-file.ts"))};
      import * as aws from ${JSON.stringify(path.resolve("deploy/aws/resources.ts"))};
      const region = ${JSON.stringify(REGION)};
      const state = new DeploymentState(${JSON.stringify(deployment)}, "killed");
      const network = await aws.findNetwork(region, undefined);
      const key = await aws.importKeyPair(state, region, ${JSON.stringify(PUBLIC_KEY)});
      const group = await aws.createSecurityGroup(state, region, network, "0.0.0.0/0");
      const spec = (name) => ({ name, region, network, keyName: key.keyName, groupId: group.groupId, ami: ${JSON.stringify(IMAGE_ID)}, instanceType: "t3.micro", userData: "", tags: {}, publicIp: false, spot: false });
      for (let i = 1; i < ${vms}; i++) await aws.launchInstance(state, spec("vm" + i), new AbortController().signal);
      ${last}
      process.kill(process.pid, "SIGKILL");
    `;
    const run = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", script], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    assert.equal(run.signal, "SIGKILL", run.stderr);
  }

  const hydroDown = (dir: string, ...args: string[]) => execa("node", [cli, "down", ...args], { cwd: dir, reject: false, env: { ...env, NO_COLOR: "1" } });
  const stateOf = (dir: string, deployment: string) => path.join(dir, ".hydro/state", `${deployment}.json`);

  for (const stage of ["up", "launching"] as const) {
    test(`after kill -9 with the VMs ${stage === "up" ? "up" : "still launching"}, hydro down deletes everything recorded, in dependency order, and removes the state file`, async () => {
      const dir = tempDir();
      const deployment = `killed-${stage}`;
      killedDeployer(dir, deployment, stage);
      const recorded = JSON.parse(fs.readFileSync(stateOf(dir, deployment), "utf8")) as { resources: Array<{ kind: string; id?: string }> };
      assert.deepEqual(
        recorded.resources.map((resource) => resource.kind),
        ["key-pair", "security-group", "instance", "instance"],
      );
      if (stage === "launching") assert.equal(recorded.resources.at(-1)!.id, undefined, "the last VM was to be killed before its id was recorded");
      assert.equal((await liveInstances(deployment)).length, 2, "both VMs run: the last one known by its ClientToken alone");

      const result = await hydroDown(dir);
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      const deleted = result.stdout.split("\n").filter((line) => line.startsWith("deleted aws"));
      assert.deepEqual(
        deleted.map((line) => line.split(" ")[2]),
        ["instance", "instance", "security-group", "key-pair"],
        result.stdout,
      );
      assert.match(result.stdout, /^deleted 4 of 4 resources$/m);
      assert.deepEqual(await liveInstances(deployment), []);
      assert.deepEqual(await liveGroups(deployment), []);
      assert.deepEqual(await liveKeys(deployment), []);
      assert.equal(fs.existsSync(stateOf(dir, deployment)), false);
      assert.match((await hydroDown(dir)).stdout, /^nothing to delete$/m);
    });
  }

  test("with the state file gone too, hydro down --all --aws finds the resources by their tag and deletes them; without --yes and a terminal it asks nothing and deletes nothing", async () => {
    const dir = tempDir();
    killedDeployer(dir, "lost-state", "up", 1);
    fs.rmSync(path.join(dir, ".hydro"), { recursive: true, force: true });
    const asked = await hydroDown(dir, "lost-state", "--all", "--aws", REGION);
    assert.equal(asked.exitCode, 2, asked.stdout + asked.stderr);
    assert.match(asked.stderr, /^error: delete these 3 resources\? Not asked, stdin is not a terminal: pass --yes/m);
    assert.equal((await liveInstances("lost-state")).length, 1);

    const result = await hydroDown(dir, "lost-state", "--all", "--aws", REGION, "--yes");
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^deleted aws instance i-\w+ aws\/us-east-1\/instance\/vm1 of deployment lost-state$/m);
    assert.deepEqual(await liveInstances("lost-state"), []);
    assert.deepEqual(await liveGroups("lost-state"), []);
    assert.deepEqual(await liveKeys("lost-state"), []);
  });

  /** The environment of these tests without the keys, and with a HOME where no ~/.aws is: the SDK's chain finds nothing (its metadata service is the tripwire). */
  function withoutCredentials(home: string): Record<string, string> {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...rest } = env;
    return { PATH: process.env.PATH!, HOME: home, ...rest, AWS_CONFIG_FILE: path.join(home, "none"), AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none") };
  }

  test("without credentials, the first call fails in one line naming where the SDK looked, and nothing is recorded", () => {
    const dir = tempDir();
    const script = `
      import * as aws from ${JSON.stringify(path.resolve("deploy/aws/resources.ts"))};
      try { await aws.findNetwork(${JSON.stringify(REGION)}, undefined); } catch (error) { console.log(error.name + ": " + error.message); }
    `;
    const run = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", script], {
      cwd: dir,
      encoding: "utf8",
      env: withoutCredentials(dir),
      timeout: 60_000,
    });
    assert.match(
      run.stdout,
      /^CloudError: aws: finding the network in us-east-1: no AWS credentials found \(looked for AWS_ACCESS_KEY_ID/m,
      run.stdout + run.stderr,
    );
    assert.equal(run.stdout.trim().split("\n").length, 1);
    assert.equal(fs.existsSync(path.join(dir, ".hydro")), false);
    // The metadata service (the chain's last resort) is the tripwire here: nothing else may have been asked.
    assert.deepEqual(
      tripwire.attempts.filter((attempt) => !attempt.includes("/latest/")),
      [],
    );
  });

  /** `hydro ls` with exactly `withEnv` (nothing inherited: this process holds credentials). */
  const hydroLs = (dir: string, withEnv: Record<string, string> = { PATH: process.env.PATH!, ...env }) =>
    execa("node", [cli, "ls"], { cwd: dir, reject: false, extendEnv: false, env: { ...withEnv, NO_COLOR: "1" } });

  test("hydro ls asks the regions a crashed deployment used: each VM's type, state, age and what it is billed for, and what carries the tag that no state file here knows of", async () => {
    const dir = tempDir();
    killedDeployer(dir, "listed", "up", 2);
    const other = tempDir();
    killedDeployer(other, "elsewhere", "up", 1);
    const vmId = async (deployment: string, name: string) =>
      (await liveInstances(deployment)).find((vm) => vm.Tags?.some((tag) => tag.Key === "Name" && tag.Value === name))!.InstanceId!;
    const [vm1, vm2] = [await vmId("listed", "vm1"), await vmId("listed", "vm2")];
    await direct.send(new sdk.StopInstancesCommand({ InstanceIds: [vm2] }));

    const result = await hydroLs(dir);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^listed {2}killed {2}\d+ s old {2}deployer gone: `hydro down` deletes it$/m);
    const running = String.raw`t3\.micro running, launched \d+ s ago: billed while running \(0\.0 h so far\)`;
    assert.match(result.stdout, new RegExp(String.raw`^ {2}aws instance ${vm1} {2}aws/us-east-1/instance/vm1 {2}${running}$`, "m"));
    assert.match(
      result.stdout,
      new RegExp(String.raw`^ {2}aws instance ${vm2} {2}aws/us-east-1/instance/vm2 {2}t3\.micro stopped, launched \d+ s ago: disk still billed$`, "m"),
    );
    assert.match(result.stdout, /^ {2}aws security-group sg-\w+ {2}aws\/us-east-1\/security-group\/hydro-listed-vpc-\w+$/m);
    // What the state lines show is not listed again; what no state file here records is, with the same facts.
    assert.doesNotMatch(result.stdout, /^aws us-east-1: .* of deployment listed/m);
    assert.match(
      result.stdout,
      new RegExp(
        String.raw`^aws us-east-1: instance i-\w+ of deployment elsewhere {2}${running} {2}\(NOT recorded here: \`hydro down --all --aws us-east-1\` deletes it\)$`,
        "m",
      ),
    );
    assert.match(result.stdout, /^aws us-east-1: key-pair key-\w+ of deployment elsewhere {2}\(NOT recorded here/m);

    // A recorded VM that is gone (its dead-man switch terminated it, say) costs nothing any more.
    await direct.send(new sdk.TerminateInstancesCommand({ InstanceIds: [vm1] }));
    const afterTermination = await hydroLs(dir);
    assert.match(
      afterTermination.stdout,
      new RegExp(String.raw`^ {2}aws instance ${vm1} {2}aws/us-east-1/instance/vm1 {2}not live in us-east-1 \(terminated or deleted\): not billed$`, "m"),
    );

    // Without credentials the records are still listed; the region that could not be asked is one error line, and exit 1.
    const unasked = await hydroLs(dir, withoutCredentials(dir));
    assert.equal(unasked.exitCode, 1, unasked.stdout + unasked.stderr);
    // (stderr also holds the SDK's own warnings about the Node version.)
    assert.deepEqual(
      unasked.stderr.split("\n").filter((line) => line.startsWith("error:")),
      [
        "error: aws: listing what carries the hydro-deployment tag in us-east-1: no AWS credentials found (looked for AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws/credentials, SSO, credential_process, and the instance metadata service)",
      ],
      unasked.stderr,
    );
    assert.match(unasked.stdout, new RegExp(String.raw`^ {2}aws instance ${vm2} {2}aws/us-east-1/instance/vm2$`, "m"));

    for (const cwd of [dir, other]) assert.equal((await hydroDown(cwd)).exitCode, 0);
  });

  test("--all without a region, and a region without --all, are usage errors (exit 2) that delete nothing", async () => {
    const dir = tempDir();
    for (const args of [["--all"], ["--aws", REGION]]) {
      const result = await hydroDown(dir, ...args);
      assert.equal(result.exitCode, 2, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /^error: /);
    }
  });
});
