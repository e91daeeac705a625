// deploy/gcp against the GCE double through the real @google-cloud/compute client: firewall rules
// and VMs are recorded before they exist, labelled, torn down completely; a zone without capacity
// falls through to the next; refusals read as one line. The double is checked against gcloud in
// test/doubles/gce/gce-double.test.ts; this is its second, independent client. test/doubles/README.md §GCE double.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { after, before, describe, test } from "node:test";
import { faults, type GceDouble, startGceDouble } from "../../doubles/gce/double.js";
import { cli, inTempDir, tempDir } from "../../helpers.js";
import { CloudError, TornDownError } from "../../../deploy/errors.js";

/** A launch nobody tears down. */
const notTornDown = new AbortController().signal;

const SCRIPT = "#!/bin/sh\necho booted\n";

describe("GCP resources on the GCE double, through the real SDK", () => {
  let gce: GceDouble;
  let resources: typeof import("../../../deploy/gcp/resources.js");
  let stateFile: typeof import("../../../deploy/state/state-file.js");

  before(async () => {
    gce = await startGceDouble({ port: 0, bootStepMs: 20, operationDelayMs: 10 });
    process.env.CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE = gce.endpoint;
    process.env.CLOUDSDK_AUTH_ACCESS_TOKEN = "hydro-test-token";
    [resources, stateFile] = await Promise.all([import("../../../deploy/gcp/resources.js"), import("../../../deploy/state/state-file.js")]);
  });
  after(async () => {
    await gce?.stop();
    assert.deepEqual(gce?.backgroundErrors ?? [], []);
  });

  const spec = (name: string, zones: string[], networkTag: string) => ({
    name,
    project: gce.project,
    zones,
    machineType: "e2-small",
    image: "projects/debian-cloud/global/images/family/debian-12",
    network: "default",
    networkTag,
    user: "hydro",
    publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIUgWdFqnrTnGVUc4DUGQ7B9Q9w6n8XhJ0bNQnpMhrAl test",
    startupScript: SCRIPT,
    labels: { team: "lab" },
    publicIp: false,
    spot: false,
  });
  const firewallNames = () =>
    gce.requests
      .filter((request) => request.method === "POST" && /\/global\/firewalls\?/.test(request.url) && request.status === 200)
      .map((request) => (JSON.parse(request.body) as { name: string }).name);

  test("a deployment's firewall rules and VM are labelled or named for it, recorded, and all gone after teardown", async () => {
    await inTempDir(async () => {
      const state = new stateFile.DeploymentState("gcp-ok", "deployment gcp-ok");
      const rules = await resources.createFirewalls(state, gce.project, "default", "198.51.100.0/24");
      const vm = await resources.createInstance(state, spec("web", ["us-central1-a"], rules.tag), notTornDown);
      assert.deepEqual(
        state.resources.map((resource) => [resource.kind, resource.id]),
        [
          ["firewall", "hydro-gcp-ok-default-ssh"],
          ["firewall", "hydro-gcp-ok-default-internal"],
          ["instance", "hydro-gcp-ok-web"],
        ],
      );
      const [instance] = gce.instances() as Array<{
        name: string;
        labels: Record<string, string>;
        tags: { items: string[] };
        metadata: { items: Array<{ key: string; value: string }> };
      }>;
      assert.equal(instance!.name, "hydro-gcp-ok-web");
      assert.deepEqual(instance!.labels, { team: "lab", "hydro-deployment": "gcp-ok" });
      assert.deepEqual(instance!.tags.items, [rules.tag]);
      assert.equal(instance!.metadata.items.find((item) => item.key === "startup-script")?.value, SCRIPT);
      assert.match(vm.networkIP, /^10\.128\.0\.\d+$/);
      // Every change carried a requestId, so a retried call is replayed, not repeated.
      const changes = gce.requests.filter((request) => (request.method === "POST" || request.method === "DELETE") && !request.url.includes("/operations/"));
      assert.ok(
        changes.every((request) => /[?&]requestId=[0-9a-f-]{36}/.test(request.url)),
        changes.map((request) => request.url).join("\n"),
      );

      await vm.delete();
      await rules.release();
      assert.deepEqual(gce.instances(), []);
      assert.equal(fs.existsSync(".hydro/state/gcp-ok.json"), false);
    });
  });

  test("a lost insert response (503 after the VM was made) and throttled reads are retried: one VM, the insert replayed by its requestId", async () => {
    await inTempDir(async () => {
      const state = new stateFile.DeploymentState("gcp-retry", "deployment gcp-retry");
      const lost = gce.inject({ method: "POST", path: "zones/*/instances", fault: faults.backendError(503, { afterEffect: true }) });
      const throttled = gce.inject({ method: "GET", path: "instances/hydro-gcp-retry-web", times: 2, fault: faults.rateLimitExceeded() });
      const vm = await resources.createInstance(state, spec("web", ["us-central1-a"], "hydro-gcp-retry"), notTornDown);
      assert.equal(lost.hits, 1);
      assert.equal(throttled.hits, 2);
      const inserts = gce.requests.filter(
        (request) => request.method === "POST" && /\/zones\/us-central1-a\/instances\?/.test(request.url) && request.body.includes("hydro-gcp-retry-web"),
      );
      assert.equal(inserts.length, 2);
      assert.equal(
        new Set(inserts.map((request) => new URL(request.url, "http://x").searchParams.get("requestId"))).size,
        1,
        "the retry carried another requestId",
      );
      assert.deepEqual(
        gce.instances().map((instance) => (instance as { name: string }).name),
        ["hydro-gcp-retry-web"],
      );
      await vm.delete();
      assert.deepEqual(gce.instances(), []);
    });
  });

  /** Every read of the VM `name` says it is still being provisioned, as in a zone short of capacity. */
  function provisioningForever(name: string): void {
    const body = JSON.stringify({ kind: "compute#instance", name, status: "PROVISIONING", networkInterfaces: [] });
    gce.inject({
      method: "GET",
      path: `instances/${name}`,
      times: Infinity,
      fault: { kind: "raw", status: 200, body, contentType: "application/json; charset=UTF-8" },
    });
  }

  test("an instance never seen RUNNING is given up after the bound: one line with its last status, deleted, and no record left", async () => {
    await inTempDir(async () => {
      const state = new stateFile.DeploymentState("gcp-slow", "deployment gcp-slow");
      provisioningForever("hydro-gcp-slow-web");
      try {
        await assert.rejects(
          resources.createInstance(state, spec("web", ["us-central1-a"], "hydro-gcp-slow"), notTornDown, 1_500),
          new RegExp(
            String.raw`^HydroError: gcp host "web" \(e2-small in us-central1-a\): instance hydro-gcp-slow-web was not RUNNING after [12] s \(last status: PROVISIONING; the zone may have no capacity for it\): deleted it; try another zone or machineType, or later$`,
          ),
        );
      } finally {
        gce.clearFaults();
      }
      assert.deepEqual(gce.instances(), []);
      assert.deepEqual(state.resources, []);
    });
  });

  test("teardown while an instance is provisioning gives up the wait at once with a TornDownError, and deletes it", async () => {
    await inTempDir(async () => {
      const state = new stateFile.DeploymentState("gcp-torn", "deployment gcp-torn");
      provisioningForever("hydro-gcp-torn-web");
      const teardown = new AbortController();
      try {
        const launching = resources.createInstance(state, spec("web", ["us-central1-a"], "hydro-gcp-torn"), teardown.signal);
        // Once the VM exists (its wait has begun), the deployment is torn down.
        while (gce.instances().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const abortedAt = Date.now();
        teardown.abort(new TornDownError("deployment gcp-torn", "launching its hosts"));
        await assert.rejects(
          launching,
          /^TornDownError: launching gcp host "web" \(e2-small in us-central1-a\): given up, deployment gcp-torn is being torn down$/,
        );
        // Well within the 5 min bound: the wait ended when teardown began (a generous limit for a loaded machine).
        assert.ok(Date.now() - abortedAt < 10_000, `gave up ${Date.now() - abortedAt} ms after the abort`);
      } finally {
        gce.clearFaults();
      }
      assert.deepEqual(gce.instances(), []);
      assert.deepEqual(state.resources, []);
    });
  });

  test("a zone without capacity is skipped for the next one of zones: [...], and nothing is left in the first", async () => {
    await inTempDir(async () => {
      const state = new stateFile.DeploymentState("gcp-zones", "deployment gcp-zones");
      gce.inject({ method: "POST", path: "zones/us-central1-a/instances", fault: faults.zoneResourcePoolExhausted() });
      const vm = await resources.createInstance(state, spec("web", ["us-central1-a", "us-central1-b"], "hydro-gcp-zones"), notTornDown);
      assert.equal(vm.zone, "us-central1-b");
      assert.deepEqual(
        state.resources.map((resource) => [resource.kind, resource.scope.zone]),
        [["instance", "us-central1-b"]],
      );
      await vm.delete();
      assert.deepEqual(gce.instances(), []);
    });
  });

  for (const { name, fault, code, says } of [
    {
      name: "a CPU quota (in the operation)",
      fault: faults.quotaExceeded("CPUS", 8),
      code: "QUOTA_EXCEEDED",
      says: /a quota of project hydro-test is used up/,
    },
    {
      name: "no capacity in the only zone",
      fault: faults.zoneResourcePoolExhausted(),
      code: "ZONE_RESOURCE_POOL_EXHAUSTED",
      says: /us-central1-a has no capacity for this machine type right now: give zones/,
    },
    { name: "missing permissions (synchronous 403)", fault: faults.forbidden("compute.instances.create"), code: "forbidden", says: /may not do this/ },
  ]) {
    test(`an insert refused for ${name} is one line with the code and what to do, and leaves no VM and no record`, async () => {
      await inTempDir(async () => {
        const state = new stateFile.DeploymentState("gcp-refused", "deployment gcp-refused");
        gce.inject({ method: "POST", path: "zones/*/instances", fault });
        await assert.rejects(resources.createInstance(state, spec("web", ["us-central1-a"], "hydro-gcp-refused"), notTornDown), (error: Error) => {
          assert.ok(error instanceof CloudError, `${error.name}: ${error.message}`);
          assert.equal(error.code, code);
          assert.match(error.message, /^gcp host "web" \(e2-small in us-central1-a\): /);
          assert.match(error.message, says);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        });
        gce.clearFaults();
        assert.deepEqual(gce.instances(), []);
        assert.deepEqual(state.resources, []);
      });
    });
  }

  test("firewall rules open SSH only from sshFrom, and everything only between the deployment's VMs", async () => {
    await inTempDir(async () => {
      const state = new stateFile.DeploymentState("gcp-fw", "deployment gcp-fw");
      const rules = await resources.createFirewalls(state, gce.project, "default", "203.0.113.0/24");
      const bodies = gce.requests
        .filter((request) => request.method === "POST" && /\/global\/firewalls\?/.test(request.url) && request.status === 200)
        .map((request) => JSON.parse(request.body) as Record<string, unknown>)
        .filter((body) => String(body.name).startsWith("hydro-gcp-fw-"));
      assert.deepEqual(
        bodies.map((body) => [body.name, body.sourceRanges ?? body.sourceTags, body.targetTags, body.allowed]),
        [
          ["hydro-gcp-fw-default-ssh", ["203.0.113.0/24"], [rules.tag], [{ IPProtocol: "tcp", ports: ["22"] }]],
          ["hydro-gcp-fw-default-internal", [rules.tag], [rules.tag], [{ IPProtocol: "all" }]],
        ],
      );
      await rules.release();
    });
  });

  /** A deployer that makes the firewall rules and one VM of `deployment`, then is killed with -9 (run asynchronously: the double answers it from this process). */
  async function killedDeployer(dir: string, deployment: string) {
    const script = `
      import { DeploymentState } from ${JSON.stringify(path.resolve("deploy/state/state-file.ts"))};
      import * as gcp from ${JSON.stringify(path.resolve("deploy/gcp/resources.ts"))};
      const state = new DeploymentState(${JSON.stringify(deployment)}, "killed");
      const rules = await gcp.createFirewalls(state, ${JSON.stringify(gce.project)}, "default", "0.0.0.0/0");
      await gcp.createInstance(state, { ...${JSON.stringify(spec("vm1", ["us-central1-a"], "x"))}, networkTag: rules.tag }, new AbortController().signal);
      process.kill(process.pid, "SIGKILL");
    `;
    const run = await execa(process.execPath, ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", script], {
      cwd: dir,
      reject: false,
      env: process.env,
    });
    assert.equal(run.signal, "SIGKILL", run.stderr);
  }
  const hydroDown = (dir: string, ...args: string[]) =>
    execa("node", [cli, "down", ...args], { cwd: dir, reject: false, env: { ...process.env, NO_COLOR: "1" } });
  const firewallsOf = (deployment: string) => firewallNames().filter((name) => name.startsWith(`hydro-${deployment}-`));

  test("after kill -9, hydro down deletes the VM, then its firewall rules, and removes the state file", async () => {
    const dir = tempDir();
    await killedDeployer(dir, "gcp-killed");
    assert.equal(gce.instances().length, 1);
    const result = await hydroDown(dir);
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.deepEqual(
      result.stdout
        .split("\n")
        .filter((line) => line.startsWith("deleted gcp"))
        .map((line) => line.split(" ")[2]),
      ["instance", "firewall", "firewall"],
    );
    assert.deepEqual(gce.instances(), []);
    assert.equal(firewallsOf("gcp-killed").length, 2);
    assert.equal(fs.existsSync(path.join(dir, ".hydro/state/gcp-killed.json")), false);
  });

  test("with the state file gone too, hydro down --all --gcp <project> --yes finds the VM by label and the rules by name, and deletes them", async () => {
    const dir = tempDir();
    await killedDeployer(dir, "gcp-lost");
    fs.rmSync(path.join(dir, ".hydro"), { recursive: true, force: true });
    const result = await hydroDown(dir, "gcp-lost", "--all", "--gcp", gce.project, "--yes");
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^deleted gcp instance hydro-gcp-lost-vm1 .* of deployment gcp-lost$/m);
    assert.match(result.stdout, /^deleted 3 of 3 resources$/m);
    assert.deepEqual(gce.instances(), []);
    assert.match((await hydroDown(dir, "gcp-lost", "--all", "--gcp", gce.project, "--yes")).stdout, /^nothing to delete$/m);
  });

  test("hydro ls asks the project a crashed deployment used: each VM's machine type, state, age and what it is billed for; a stopped VM still costs its disk", async () => {
    const dir = tempDir();
    await killedDeployer(dir, "gcp-listed");
    const other = tempDir();
    await killedDeployer(other, "gcp-elsewhere");
    // Its dead-man switch fired: the guest powered off, and GCE keeps the VM (TERMINATED) with its disk.
    await gce.guestPoweredOff("us-central1-a", "hydro-gcp-listed-vm1");

    // The listing is throttled twice first: it is asked again, as every other Compute Engine call.
    const throttled = gce.inject({ method: "GET", path: "aggregated/instances", times: 2, fault: faults.rateLimitExceeded() });
    const result = await execa("node", [cli, "ls"], { cwd: dir, reject: false, env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(throttled.hits, 2);
    assert.match(
      result.stdout,
      /^ {2}gcp instance hydro-gcp-listed-vm1 {2}gcp\/hydro-test\/instance\/vm1 {2}e2-small TERMINATED, launched \d+ s ago: disk still billed$/m,
    );
    assert.match(result.stdout, /^ {2}gcp firewall hydro-gcp-listed-default-ssh {2}gcp\/hydro-test\/firewall\/hydro-gcp-listed-default-ssh$/m);
    assert.doesNotMatch(result.stdout, /^gcp hydro-test: .* of deployment gcp-listed /m);
    assert.match(
      result.stdout,
      /^gcp hydro-test: instance hydro-gcp-elsewhere-vm1 of deployment gcp-elsewhere {2}e2-small RUNNING, launched \d+ s ago: billed while running \(0\.0 h so far\) {2}\(NOT recorded here: `hydro down --all --gcp hydro-test` deletes it\)$/m,
    );
    for (const cwd of [dir, other]) assert.equal((await hydroDown(cwd)).exitCode, 0);
    assert.deepEqual(gce.instances(), []);
  });
});
