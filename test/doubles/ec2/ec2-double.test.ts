// moto_server behind the fault-injecting proxy, checked with boto3 (an independent EC2 client):
// injected errors reach the client as real EC2 would send them, retries behave, ClientToken makes
// a retried launch idempotent, and moto never outlives the test. README §EC2 fault proxy, §moto.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { type Boto3Call, boto3Calls, type Boto3Result } from "./boto3.js";
import { ec2Errors, type FaultProxy, startFaultProxy } from "./fault-proxy.js";
import { type Moto, motoMissing, startMoto } from "./moto.js";
import { proxyEnv, startTripwire, type Tripwire } from "../tripwire.js";

// One of moto's bundled AMIs.
const IMAGE_ID = "ami-12c6146b";

const launch = (deployment: string, clientToken?: string, instanceType = "t3.micro"): Boto3Call => ({
  op: "run_instances",
  params: {
    ImageId: IMAGE_ID,
    MinCount: 1,
    MaxCount: 1,
    InstanceType: instanceType,
    TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "hydro-deployment", Value: deployment }] }],
    ...(clientToken ? { ClientToken: clientToken } : {}),
  },
});

const describeDeployment = (deployment: string): Boto3Call => ({
  op: "describe_instances",
  params: { Filters: [{ Name: "tag:hydro-deployment", Values: [deployment] }] },
});

function failure(result: Boto3Result | undefined) {
  assert.ok(result && !result.ok, `expected an error, got ${JSON.stringify(result)}`);
  return result;
}

function success(result: Boto3Result | undefined) {
  assert.ok(result?.ok, `expected success, got ${JSON.stringify(result)}`);
  return result.response;
}

const instanceIds = (response: Record<string, unknown>) =>
  (response.Reservations as { Instances: { InstanceId: string }[] }[]).flatMap((reservation) => reservation.Instances.map((instance) => instance.InstanceId));

describe("moto behind the fault proxy, checked with boto3", { skip: motoMissing() }, () => {
  let tripwire: Tripwire;
  let moto: Moto;
  let proxy: FaultProxy;
  const calls = (list: readonly Boto3Call[], maxAttempts = 1) => boto3Calls(proxy.url, tripwire, list, maxAttempts);

  before(async () => {
    tripwire = await startTripwire();
    moto = await startMoto(proxyEnv(tripwire));
    proxy = await startFaultProxy({ target: moto.url });
  });
  after(async () => {
    await proxy?.stop();
    await moto?.stop();
    await tripwire?.stop();
  });

  test("an injected RequestLimitExceeded reaches boto3 as a 503 with its code and message, then RunInstances succeeds", async () => {
    const fault = proxy.inject({ action: "RunInstances", error: ec2Errors.requestLimitExceeded() });
    const [throttled, launched] = await calls([launch("throttle"), launch("throttle")]);
    assert.equal(fault.hits, 1);
    const error = failure(throttled);
    assert.equal(error.code, "RequestLimitExceeded");
    assert.equal(error.status, 503);
    assert.equal(error.message, "Request limit exceeded.");
    assert.match(error.text, /An error occurred \(RequestLimitExceeded\) when calling the RunInstances operation/);
    const [instance] = (success(launched).Instances as { State: { Name: string }; PrivateIpAddress: string }[]) ?? [];
    assert.equal(instance?.State.Name, "pending");
    assert.match(instance!.PrivateIpAddress, /^\d+\.\d+\.\d+\.\d+$/);
  });

  test("boto3 retries injected throttling and 5xx by itself, and the call succeeds after them", async () => {
    proxy.inject({ action: "DescribeInstances", error: ec2Errors.requestLimitExceeded() });
    proxy.inject({ action: "DescribeInstances", error: ec2Errors.internalError() });
    const [described] = await calls([describeDeployment("throttle")], 3);
    assert.equal(described?.ok && described.retries, 2);
    assert.equal(instanceIds(success(described)).length, 1);
  });

  test("InsufficientInstanceCapacity after the launch took effect: boto3's retry reuses the ClientToken and one instance exists", async () => {
    proxy.inject({ action: "RunInstances", error: ec2Errors.insufficientInstanceCapacity(), afterEffect: true });
    const [launched, described] = await calls([launch("capacity", "hydro-capacity-token-1"), describeDeployment("capacity")], 3);
    assert.equal(launched?.ok && launched.retries, 1);
    assert.equal(instanceIds(success(described)).length, 1);
    assert.deepEqual(
      proxy.requests
        .filter((request) => request.action === "RunInstances")
        .slice(-2)
        .map((request) => request.injected),
      ["InsufficientInstanceCapacity", undefined],
    );
  });

  test("InsufficientInstanceCapacity is shown to boto3 with its code and the instance type in the message", async () => {
    proxy.inject({ action: "RunInstances", error: ec2Errors.insufficientInstanceCapacity() });
    const error = failure((await calls([launch("capacity-2", undefined, "c5.large")]))[0]);
    assert.equal(error.code, "InsufficientInstanceCapacity");
    assert.equal(error.status, 500);
    assert.match(error.message, /We currently do not have sufficient c5\.large capacity/);
  });

  test("the same ClientToken with other parameters is IdempotentParameterMismatch", async () => {
    const [first, second] = await calls([launch("token", "hydro-token-2"), launch("token", "hydro-token-2", "t3.small")]);
    success(first);
    assert.equal(failure(second).code, "IdempotentParameterMismatch");
  });

  test("VcpuLimitExceeded is a 400 that boto3 does not retry", async () => {
    proxy.inject({ action: "RunInstances", error: ec2Errors.vcpuLimitExceeded(32) });
    const error = failure((await calls([launch("quota")], 3))[0]);
    assert.equal(error.code, "VcpuLimitExceeded");
    assert.equal(error.status, 400);
    assert.equal(error.retries, 0);
    assert.match(error.message, /current vCPU limit of 32/);
  });

  test("eventual consistency: DescribeInstances of a new instance answers InvalidInstanceID.NotFound naming it, then finds it", async () => {
    const [id] = instanceIds(success((await calls([describeDeployment("throttle")]))[0]));
    proxy.inject({ action: "DescribeInstances", times: 2, error: ec2Errors.instanceNotFound() });
    const byId: Boto3Call = { op: "describe_instances", params: { InstanceIds: [id] } };
    const [first, second, third] = await calls([byId, byId, byId]);
    for (const early of [first, second]) {
      const error = failure(early);
      assert.equal(error.code, "InvalidInstanceID.NotFound");
      assert.equal(error.message, `The instance ID '${id}' does not exist`);
    }
    assert.deepEqual(instanceIds(success(third)), [id]);
  });

  test("requests without an injected fault pass through to moto unchanged", async () => {
    const [terminated] = await calls([{ op: "describe_instances", params: { InstanceIds: ["i-00000000000000000"] } }]);
    // moto's own answer for an unknown id, not the proxy's.
    assert.equal(failure(terminated).code, "InvalidInstanceID.NotFound");
    assert.equal(proxy.requests.at(-1)?.injected, undefined);
  });

  test("moto on its own launches again for a repeated ClientToken, which is why the proxy replays the first launch", async () => {
    const direct = (list: readonly Boto3Call[]) => boto3Calls(moto.url, tripwire, list);
    const [first, second, described] = await direct([
      launch("moto-token", "hydro-token-3"),
      launch("moto-token", "hydro-token-3"),
      describeDeployment("moto-token"),
    ]);
    success(first);
    success(second);
    assert.equal(instanceIds(success(described)).length, 2);
  });

  test("neither boto3 nor moto tried to reach any address but 127.0.0.1", () => {
    assert.deepEqual(tripwire.attempts, []);
  });
});

describe("startMoto leaves no process behind", { skip: motoMissing() }, () => {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const untilGone = async (pid: number) => {
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return !alive(pid);
  };

  test("stop() ends moto_server", async () => {
    const moto = await startMoto();
    assert.ok(alive(moto.pid));
    await moto.stop();
    assert.ok(await untilGone(moto.pid));
  });

  test("moto_server dies with a test process killed by SIGKILL", async () => {
    const owner = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./moto-owner.fixture.ts", import.meta.url))], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let printed = "";
      owner.stdout.on("data", (chunk: Buffer) => {
        printed += chunk.toString();
        const found = /moto pid (\d+)/.exec(printed);
        if (found) resolve(Number(found[1]));
      });
      owner.once("exit", (code) => reject(new Error(`the owner exited (${code}) before starting moto`)));
    });
    assert.ok(alive(pid));
    owner.kill("SIGKILL");
    assert.ok(await untilGone(pid), `moto_server ${pid} outlived its owner`);
  });
});
