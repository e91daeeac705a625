// The GCE double checked by an independent client, the gcloud CLI (README §gcloud), and on the
// wire with plain HTTP where gcloud cannot show a behaviour (requestId, the SDK's filter syntax).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { type BootedInstance, faults, type GceDouble, startGceDouble } from "./double.js";
import { instanceBody, rawClient } from "./raw-client.js";
import type { Json } from "./store.js";
import { gcloudAt, type GcloudResult, type GcloudRunner } from "./gcloud.js";

const ZONE = "us-central1-a";

function gcloudMissing(): string | false {
  try {
    execFileSync("gcloud", ["--version"], { stdio: "ignore", timeout: 60_000 });
    return false;
  } catch {
    return "the gcloud CLI is not installed (it checks the GCE double as an independent client)";
  }
}

describe("gcloud against the GCE double", { skip: gcloudMissing() }, () => {
  let double: GceDouble;
  let gcloud: GcloudRunner;
  const booted: string[] = [];
  const deleted: string[] = [];
  const startupScripts = new Map<string, string | undefined>();
  const bootedKeys = new Map<string, string | undefined>();

  before(async () => {
    double = await startGceDouble({
      // wait answers before the insert is DONE, so gcloud has to call it again.
      maxWaitMs: 40,
      onInstanceRunning: (instance: BootedInstance) => {
        booted.push(instance.name);
        startupScripts.set(instance.name, instance.metadata["startup-script"]);
        bootedKeys.set(instance.name, instance.metadata["ssh-keys"]);
      },
      onInstanceDeleted: (instance) => void deleted.push(instance.name),
    });
    gcloud = await gcloudAt(double.endpoint, double.project);
  });
  after(async () => {
    await gcloud?.stop();
    await double?.stop();
  });

  /** Runs gcloud and checks it talked to the double only. */
  async function run(...args: string[]): Promise<GcloudResult> {
    const result = await gcloud.run(args);
    assert.deepEqual(
      result.urls.filter((url) => !url.startsWith(double.url)),
      [],
      "gcloud requested a URL outside the double",
    );
    assert.deepEqual(gcloud.escapes, [], "gcloud tried to reach another address");
    return result;
  }

  async function succeeds(...args: string[]): Promise<string> {
    const result = await run(...args);
    assert.equal(result.code, 0, `gcloud ${args.join(" ")} failed:\n${result.stderr}`);
    return result.stdout;
  }

  const createVm = (name: string, ...flags: string[]) =>
    run(
      "compute",
      "instances",
      "create",
      name,
      `--zone=${ZONE}`,
      "--machine-type=e2-small",
      "--image-family=debian-12",
      "--image-project=debian-cloud",
      ...flags,
    );

  const listedNames = async (...flags: string[]) =>
    (JSON.parse(await succeeds("compute", "instances", "list", "--format=json", ...flags)) as Json[]).map((instance) => instance.name).sort();

  test("instances create waits (several wait calls) for RUNNING and shows the labels and private address; the boot hook gets the startup-script", async () => {
    const before = double.requests.length;
    const result = await createVm("blue-1", "--labels=hydro-deployment=blue", "--metadata=startup-script=echo booted", "--format=json");
    assert.equal(result.code, 0, result.stderr);
    const [instance] = JSON.parse(result.stdout) as Json[];
    assert.equal(instance!.status, "RUNNING");
    assert.deepEqual(instance!.labels, { "hydro-deployment": "blue" });
    const [nic] = instance!.networkInterfaces as Json[];
    assert.match(String(nic!.networkIP), /^10\.128\.0\.\d+$/);
    assert.deepEqual(booted, ["blue-1"]);
    assert.equal(startupScripts.get("blue-1"), "echo booted");
    const waits = double.requests.slice(before).filter((request) => request.url.includes("/wait"));
    assert.ok(waits.length >= 2, `gcloud called wait ${waits.length} times`);
    assert.deepEqual(waits.map((wait) => (JSON.parse(wait.response) as Json).status).slice(-1), ["DONE"]);
  });

  test("instances list --filter on a label keeps only that deployment's VMs", async () => {
    assert.equal((await createVm("green-1", "--labels=hydro-deployment=green")).code, 0);
    assert.deepEqual(await listedNames(), ["blue-1", "green-1"]);
    assert.deepEqual(await listedNames("--filter=labels.hydro-deployment=green"), ["green-1"]);
  });

  test("a name filter in one zone is sent to the API in its eq-regex form and applied there", async () => {
    const before = double.requests.length;
    assert.deepEqual(await listedNames(`--zones=${ZONE}`, "--filter=name=blue-1"), ["blue-1"]);
    const listCall = double.requests.slice(before).find((request) => request.url.includes(`/zones/${ZONE}/instances?`));
    assert.ok(listCall, "gcloud listed the zone's instances");
    assert.equal(new URL(listCall.url, double.url).searchParams.get("filter"), 'name eq ".*\\bblue\\-1\\b.*"');
    // The double applied it, not only gcloud afterwards.
    assert.deepEqual(
      ((JSON.parse(listCall.response) as Json).items as Json[]).map((instance) => instance.name),
      ["blue-1"],
    );
  });

  test("instances describe shows the stored instance; a missing one fails with the API's not-found message", async () => {
    const described = JSON.parse(await succeeds("compute", "instances", "describe", "green-1", `--zone=${ZONE}`, "--format=json")) as Json;
    assert.equal(described.name, "green-1");
    assert.equal(described.machineType, `https://www.googleapis.com/compute/v1/projects/${double.project}/zones/${ZONE}/machineTypes/e2-small`);
    const missing = await run("compute", "instances", "describe", "nope", `--zone=${ZONE}`);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /The resource 'projects\/hydro-test\/zones\/us-central1-a\/instances\/nope' was not found/);
  });

  test("instances create with a name in use fails with alreadyExists", async () => {
    const again = await createVm("green-1");
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /The resource 'projects\/hydro-test\/zones\/us-central1-a\/instances\/green-1' already exists/);
  });

  test("instances delete removes the VM, after the deleted hook ran", async () => {
    await succeeds("compute", "instances", "delete", "green-1", `--zone=${ZONE}`, "--quiet");
    assert.deepEqual(deleted, ["green-1"]);
    assert.deepEqual(await listedNames(), ["blue-1"]);
  });

  test("firewall-rules list follows nextPageToken past the API's 500 results a page", async () => {
    // gcloud always asks for maxResults=500, so paging needs more rules than that; made over raw HTTP.
    const api = rawClient(double);
    const names = Array.from({ length: 501 }, (_, i) => `page-${String(i).padStart(3, "0")}`);
    for (const name of names)
      assert.equal((await api.call("POST", "/global/firewalls", { name, allowed: [{ IPProtocol: "tcp", ports: ["80"] }] })).status, 200);
    await double.settled();
    const before = double.requests.length;
    const listed = JSON.parse(await succeeds("compute", "firewall-rules", "list", "--format=json(name)")) as Json[];
    assert.deepEqual(
      listed.map((rule) => rule.name),
      names,
    );
    const pages = double.requests.slice(before).filter((request) => request.url.includes("/global/firewalls?"));
    assert.equal(pages.length, 2);
    assert.ok(new URL(pages[1]!.url, double.url).searchParams.has("pageToken"));
    for (const name of names) await api.call("DELETE", `/global/firewalls/${name}`);
    await double.settled();
  });

  test("firewall-rules create, list and delete one rule on the default network", async () => {
    await succeeds(
      "compute",
      "firewall-rules",
      "create",
      "hydro-ssh",
      "--network=default",
      "--allow=tcp:22",
      "--source-ranges=198.51.100.0/24",
      "--target-tags=hydro",
    );
    const rules = JSON.parse(await succeeds("compute", "firewall-rules", "list", "--format=json")) as Json[];
    const rule = rules.find((candidate) => candidate.name === "hydro-ssh");
    assert.ok(rule, "the new rule is listed");
    assert.deepEqual(rule.allowed, [{ IPProtocol: "tcp", ports: ["22"] }]);
    assert.deepEqual(rule.sourceRanges, ["198.51.100.0/24"]);
    assert.deepEqual(rule.targetTags, ["hydro"]);
    await succeeds("compute", "firewall-rules", "delete", "hydro-ssh", "--quiet");
    const after = JSON.parse(await succeeds("compute", "firewall-rules", "list", "--format=json")) as Json[];
    assert.equal(after.length, 0);
  });

  // gcloud prints a QUOTA_EXCEEDED error as its message and quotaInfo, not its code (utils.CreateQuotaExceededMsg).
  test("an injected QUOTA_EXCEEDED operation error is shown by gcloud with its message and quota details, and no VM is made", async () => {
    const fault = double.inject({ method: "POST", path: "zones/*/instances", fault: faults.quotaExceeded("CPUS", 8) });
    const result = await createVm("over-quota");
    assert.equal(fault.hits, 1);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Quota 'CPUS' exceeded\.\s+Limit: 8\.0 in region us-central1\./);
    assert.match(result.stderr, /metric name = compute\.googleapis\.com\/cpus/);
    assert.match(result.stderr, /limit name = CPUS-per-project-region/);
    assert.deepEqual(await listedNames(), ["blue-1"]);
  });

  test("an injected ZONE_RESOURCE_POOL_EXHAUSTED is shown by gcloud with its code, and no VM is made", async () => {
    double.inject({ method: "POST", path: "zones/*/instances", fault: faults.zoneResourcePoolExhausted() });
    const result = await createVm("no-capacity");
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /code: ZONE_RESOURCE_POOL_EXHAUSTED/);
    assert.match(result.stderr, /does not have enough resources\s+available to fulfill the request/);
    assert.deepEqual(await listedNames(), ["blue-1"]);
  });

  test("networks and subnets create; deleting a network a firewall uses fails with RESOURCE_IN_USE, then succeeds once it is free", async () => {
    await succeeds("compute", "networks", "create", "hydro-net", "--subnet-mode=custom");
    await succeeds("compute", "networks", "subnets", "create", "hydro-sub", "--network=hydro-net", "--region=us-central1", "--range=10.20.0.0/24");
    await succeeds("compute", "firewall-rules", "create", "hydro-internal", "--network=hydro-net", "--allow=tcp", "--source-ranges=10.20.0.0/24");
    await succeeds("compute", "networks", "subnets", "delete", "hydro-sub", "--region=us-central1", "--quiet");
    const refused = await run("compute", "networks", "delete", "hydro-net", "--quiet");
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /The network resource 'projects\/hydro-test\/global\/networks\/hydro-net' is already being used by 'projects\/hydro-test\/global\/firewalls\/hydro-internal'/,
    );
    await succeeds("compute", "firewall-rules", "delete", "hydro-internal", "--quiet");
    await succeeds("compute", "networks", "delete", "hydro-net", "--quiet");
    const networks = JSON.parse(await succeeds("compute", "networks", "list", "--format=json")) as Json[];
    assert.deepEqual(
      networks.map((network) => network.name),
      ["default"],
    );
  });

  test("project-wide ssh-keys set with project-info add-metadata reach a new VM's boot hook with its own keys", async () => {
    await succeeds("compute", "project-info", "add-metadata", "--metadata=ssh-keys=hydro:ssh-ed25519 AAAAproject hydro");
    assert.equal((await createVm("keys-1", "--metadata=ssh-keys=hydro:ssh-ed25519 AAAAinstance hydro")).code, 0);
    assert.equal(bootedKeys.get("keys-1"), "hydro:ssh-ed25519 AAAAproject hydro\nhydro:ssh-ed25519 AAAAinstance hydro");
    await succeeds("compute", "instances", "delete", "keys-1", `--zone=${ZONE}`, "--quiet");
  });

  test("the tripwire catches gcloud going to a real Google endpoint and refuses it at once", async () => {
    const escaping = await gcloudAt(double.endpoint, double.project);
    try {
      const started = Date.now();
      const result = await escaping.run(["compute", "instances", "list"], {
        CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: "https://compute.googleapis.com/compute/v1/",
      });
      assert.notEqual(result.code, 0);
      assert.deepEqual(escaping.escapes, ["CONNECT compute.googleapis.com:443"]);
      assert.ok(Date.now() - started < 30_000, "refused, not left to time out");
    } finally {
      await escaping.stop();
    }
  });

  test("an injected 403 rateLimitExceeded reaches gcloud's error (it does not retry it)", async () => {
    const fault = double.inject({ method: "GET", path: "instances/blue-1", fault: faults.rateLimitExceeded() });
    const result = await run("compute", "instances", "describe", "blue-1", `--zone=${ZONE}`);
    assert.equal(fault.hits, 1);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Rate Limit Exceeded/);
  });
});

describe("the GCE double on the wire", () => {
  let double: GceDouble;
  let api: ReturnType<typeof rawClient>;

  before(async () => {
    double = await startGceDouble();
    api = rawClient(double);
  });
  after(() => double?.stop());

  const insert = (body: Json, requestId?: string) => api.call("POST", `/zones/${ZONE}/instances${requestId ? `?requestId=${requestId}` : ""}`, body);
  const instancesNamed = (name: string) => double.instances().filter((instance) => instance.name === name);

  test("a repeated requestId returns the first call's operation and makes one VM", async () => {
    const requestId = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const first = await insert(instanceBody("idem-1"), requestId);
    const second = await insert(instanceBody("idem-1"), requestId);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(second.json.name, first.json.name);
    assert.equal(instancesNamed("idem-1").length, 1);
    assert.equal((await api.untilDone(first.json)).error, undefined);
  });

  test("a retry with the same requestId after a lost response (503 after the insert took effect) makes one VM", async () => {
    const requestId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    double.inject({ method: "POST", path: "zones/*/instances", fault: faults.backendError(503, { afterEffect: true }) });
    const lost = await insert(instanceBody("idem-2"), requestId);
    assert.equal(lost.status, 503);
    assert.equal((lost.json.error as Json).code, 503);
    const retry = await insert(instanceBody("idem-2"), requestId);
    assert.equal(retry.status, 200);
    assert.equal(instancesNamed("idem-2").length, 1);
    // Without the requestId, the retry is a second insert of the same name.
    assert.equal((await insert(instanceBody("idem-2"))).status, 409);
  });

  test("a requestId that is not a UUID is refused with 400 invalid", async () => {
    const response = await insert(instanceBody("bad-request-id"), "not-a-uuid");
    assert.equal(response.status, 400);
    assert.equal(((response.json.error as Json).errors as Json[])[0]!.reason, "invalid");
  });

  test("aggregatedList filters on a label in the SDK's syntax and marks zones without results", async () => {
    await api.untilDone((await insert(instanceBody("red-1", { "hydro-deployment": "red" }))).json);
    const filter = encodeURIComponent('labels.hydro-deployment = "red"');
    const { json } = await api.call("GET", `/aggregated/instances?filter=${filter}&returnPartialSuccess=true`);
    const items = json.items as Record<string, Json>;
    assert.deepEqual(
      ((items[`zones/${ZONE}`]!.instances ?? []) as Json[]).map((instance) => instance.name),
      ["red-1"],
    );
    assert.equal((items["zones/us-central1-b"]!.warning as Json).code, "NO_RESULTS_ON_PAGE");
    const present = await api.call("GET", `/zones/${ZONE}/instances?filter=${encodeURIComponent("labels.hydro-deployment:*")}`);
    assert.deepEqual(
      (present.json.items as Json[]).map((instance) => instance.name),
      ["red-1"],
    );
  });

  test("a malformed filter is refused with 400 invalid", async () => {
    const response = await api.call("GET", `/zones/${ZONE}/instances?filter=${encodeURIComponent('(labels.x = "y"')}`);
    assert.equal(response.status, 400);
    assert.match(String((response.json.error as Json).message), /Invalid list filter expression/);
  });

  test("a label key with an uppercase letter is refused with 400 invalid naming the key", async () => {
    const response = await insert(instanceBody("bad-label", { Owner: "me" }));
    assert.equal(response.status, 400);
    assert.match(String((response.json.error as Json).message), /Label key 'Owner' violates format constraints/);
  });

  test("an instance is PROVISIONING right after insert, RUNNING with a public address when its operation is DONE", async () => {
    const { json: operation } = await insert(instanceBody("lifecycle-1"));
    const early = await api.call("GET", `/zones/${ZONE}/instances/lifecycle-1`);
    assert.equal(early.json.status, "PROVISIONING");
    assert.equal(((early.json.networkInterfaces as Json[])[0]!.accessConfigs as Json[])[0]!.natIP, undefined);
    await api.untilDone(operation);
    const running = await api.call("GET", `/zones/${ZONE}/instances/lifecycle-1`);
    assert.equal(running.json.status, "RUNNING");
    assert.match(String(((running.json.networkInterfaces as Json[])[0]!.accessConfigs as Json[])[0]!.natIP), /^203\.0\.113\./);
  });

  test("an injected eventual-consistency 404 hides a new instance from get for the given number of calls", async () => {
    double.inject({ method: "GET", path: "instances/ghost-1", times: 2, fault: faults.notFound() });
    await insert(instanceBody("ghost-1"));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api.call("GET", `/zones/${ZONE}/instances/ghost-1`)).status);
    assert.deepEqual(statuses, [404, 404, 200]);
  });

  test("throttling, 5xx and a front end's HTML page come back with their real status and body shapes", async () => {
    double.inject({ method: "GET", path: "global/firewalls", fault: faults.tooManyRequests() });
    const throttled = await api.call("GET", "/global/firewalls");
    assert.equal(throttled.status, 429);
    assert.equal((throttled.json.error as Json).status, "RESOURCE_EXHAUSTED");
    assert.equal(((throttled.json.error as Json).errors as Json[])[0]!.reason, "rateLimitExceeded");
    double.inject({ method: "GET", path: "global/firewalls", fault: faults.backendError(500) });
    assert.equal(((await api.call("GET", "/global/firewalls")).json.error as Json).code, 500);
    double.inject({ method: "GET", path: "global/firewalls", fault: faults.badGatewayPage() });
    const page = await fetch(`${double.endpoint}projects/${double.project}/global/firewalls`, { headers: { authorization: "Bearer t" } });
    assert.equal(page.status, 502);
    assert.match(await page.text(), /<title>Error 502 \(Server Error\)!!1<\/title>/);
  });

  test("deleting a network a firewall still uses fails in its operation with RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", async () => {
    await api.untilDone(
      (await api.call("POST", "/global/networks", { name: "net1", autoCreateSubnetworks: false, routingConfig: { routingMode: "REGIONAL" } })).json,
    );
    await api.untilDone(
      (await api.call("POST", "/regions/us-central1/subnetworks", { name: "sub1", network: "global/networks/net1", ipCidrRange: "10.10.0.0/24" })).json,
    );
    const overlap = await api.call("POST", "/regions/europe-west1/subnetworks", {
      name: "sub2",
      network: "global/networks/net1",
      ipCidrRange: "10.10.0.128/25",
    });
    assert.equal(overlap.status, 400);
    await api.untilDone(
      (await api.call("POST", "/global/firewalls", { name: "fw1", network: "global/networks/net1", allowed: [{ IPProtocol: "tcp", ports: ["22"] }] })).json,
    );
    const refused = await api.untilDone((await api.call("DELETE", "/global/networks/net1")).json);
    assert.equal(((refused.error as Json).errors as Json[])[0]!.code, "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE");
    for (const path of ["/global/firewalls/fw1", "/regions/us-central1/subnetworks/sub1", "/global/networks/net1"]) {
      assert.equal((await api.untilDone((await api.call("DELETE", path)).json)).error, undefined, path);
    }
    assert.equal((await api.call("GET", "/global/networks/net1")).status, 404);
  });

  test("setCommonInstanceMetadata takes the fingerprint in either base64 alphabet (gcloud sends the URL-safe one) and refuses a stale one with 412", async () => {
    const stale = await api.call("POST", "/setCommonInstanceMetadata", { fingerprint: "AAAAAAAAAAA=", items: [] });
    assert.equal(stale.status, 412);
    assert.equal(((stale.json.error as Json).errors as Json[])[0]!.reason, "conditionNotMet");
    // Writes until a fingerprint has a character the two alphabets spell differently (+ or /).
    for (let write = 0; write < 60; write++) {
      const current = String(((await api.call("GET", "")).json.commonInstanceMetadata as Json).fingerprint);
      const urlSafe = current.replace(/\+/g, "-").replace(/\//g, "_");
      const accepted = await api.call("POST", "/setCommonInstanceMetadata", {
        fingerprint: urlSafe,
        items: [{ key: "ssh-keys", value: `hydro:ssh-ed25519 AAAA${write} hydro` }],
      });
      assert.equal(accepted.status, 200, `fingerprint ${current} sent as ${urlSafe}`);
      await api.untilDone(accepted.json);
      if (urlSafe !== current) return;
    }
    assert.fail("no fingerprint with + or / in 60 writes");
  });

  test("a request without a bearer token is refused with 401", async () => {
    const response = await fetch(`${double.endpoint}projects/${double.project}/global/firewalls`);
    assert.equal(response.status, 401);
  });
});

describe("the GCE double's operations and lifetime", () => {
  test("a guest that powers itself off leaves a TERMINATED instance without a public address, deletable without a second deleted hook", async () => {
    const deleted: string[] = [];
    const double = await startGceDouble({ onInstanceDeleted: (instance) => void deleted.push(instance.name) });
    try {
      const api = rawClient(double);
      await api.untilDone((await api.call("POST", `/zones/${ZONE}/instances`, instanceBody("watchdog-1"))).json);
      await double.guestPoweredOff(ZONE, "watchdog-1");
      const { json: stopped } = await api.call("GET", `/zones/${ZONE}/instances/watchdog-1`);
      assert.equal(stopped.status, "TERMINATED");
      assert.equal(((stopped.networkInterfaces as Json[])[0]!.accessConfigs as Json[])[0]!.natIP, undefined);
      await api.untilDone((await api.call("DELETE", `/zones/${ZONE}/instances/watchdog-1`)).json);
      assert.equal((await api.call("GET", `/zones/${ZONE}/instances/watchdog-1`)).status, 404);
      assert.deepEqual(deleted, []);
    } finally {
      await double.stop();
    }
  });

  test("wait answers a RUNNING operation after maxWaitMs, like the real wait's deadline", async () => {
    const double = await startGceDouble({ bootStepMs: 400, maxWaitMs: 30 });
    try {
      const api = rawClient(double);
      const { json: operation } = await api.call("POST", `/zones/${ZONE}/instances`, instanceBody("slow-1"));
      const waited = await api.call("POST", `/zones/${ZONE}/operations/${String(operation.name)}/wait`, "");
      assert.notEqual(waited.json.status, "DONE");
    } finally {
      await double.stop();
    }
  });

  test("the CPUS quota of a region fails the insert operation with QUOTA_EXCEEDED (403), and no VM is made", async () => {
    const double = await startGceDouble({ cpuQuota: 4 });
    try {
      const api = rawClient(double);
      await api.untilDone((await api.call("POST", `/zones/${ZONE}/instances`, instanceBody("fits-1", {}, "e2-small"))).json);
      const { json: operation } = await api.call("POST", `/zones/us-central1-b/instances`, instanceBody("over-1", {}, "e2-standard-4", "us-central1-b"));
      const done = await api.untilDone(operation);
      assert.equal(((done.error as Json).errors as Json[])[0]!.code, "QUOTA_EXCEEDED");
      assert.match(String(((done.error as Json).errors as Json[])[0]!.message), /Quota 'CPUS' exceeded\.  Limit: 4\.0 in region us-central1\./);
      assert.equal(done.httpErrorStatusCode, 403);
      assert.equal((await api.call("GET", `/zones/us-central1-b/instances/over-1`)).status, 404);
      // Another region has its own quota.
      const elsewhere = await api.call("POST", `/zones/europe-west1-b/instances`, instanceBody("other-region-1", {}, "e2-standard-4", "europe-west1-b"));
      assert.equal((await api.untilDone(elsewhere.json)).error, undefined);
    } finally {
      await double.stop();
    }
  });

  test("stop() closes the port and ends operations in flight, so nothing is left running", async () => {
    const double = await startGceDouble({ bootStepMs: 60_000 });
    await rawClient(double).call("POST", `/zones/${ZONE}/instances`, instanceBody("left-1"));
    await double.stop();
    await assert.rejects(fetch(double.endpoint), /fetch failed/);
    assert.deepEqual(double.backgroundErrors, []);
  });
});
