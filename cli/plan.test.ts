import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fixture, hydro, tempDir } from "../test/helpers.js";

const example = (file: string) => fileURLToPath(new URL(`../examples/${file}`, import.meta.url));
/** The EC2 API at a loopback port where nothing listens: any call a plan made would fail the run. */
const NO_CLOUD = { AWS_ACCESS_KEY_ID: "plan", AWS_SECRET_ACCESS_KEY: "plan", AWS_ENDPOINT_URL_EC2: "http://127.0.0.1:9", AWS_EC2_METADATA_DISABLED: "true" };

/** The `edges` section of a text plan, a line each, spaces collapsed. */
const edgeLines = (stdout: string) =>
  stdout
    .slice(stdout.indexOf("\nedges\n") + 7)
    .trim()
    .split("\n")
    .map((line) => line.trim().replace(/ {2,}/g, " | "));

describe("hydro plan", () => {
  test("prints every transport for a config over localhost, two SSH hosts on one network, a lone one, the script and a cluster; starts nothing", async () => {
    const markers = tempDir();
    const result = await hydro(["plan", fixture("plan-mixed.hydro.ts"), "--", markers]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^mixed: planned, nothing started$/m);
    assert.match(result.stdout, /^ {2}lab-a +ssh +network ssh:lab +programs: a, replica\.0$/m);
    assert.match(result.stdout, /^ {2}far +ssh +network ssh:far +programs: remote$/m);
    assert.match(result.stdout, /^ {2}localhost +localhost +network deployer +programs: local, script$/m);
    assert.match(result.stdout, /^ {2}replica\.1 +service +on lab-b +member of cluster replica$/m);
    assert.deepEqual(edgeLines(result.stdout), [
      "a.outbound → b.inbound | direct | TCP within ssh:lab",
      "script.out → local.inbound | direct | unix socket",
      "local.outbound → remote.inbound | merge | SSH tunnel from the deployer to the receiver's host",
      "remote.outbound → script.back | direct | reverse SSH tunnel from the sender's host to the deployer",
      "b.outbound → remote.inbound | merge | through the deployer: a reverse SSH tunnel from the sender's host, an SSH tunnel to the receiver's",
      // replica.0 → replica.0 is on one host, but its port binds TCP: replica.1 dials it from lab-b.
      "replica.*.outbound → replica.*.inbound | cluster ×4 | TCP within ssh:lab",
    ]);
    // No relay started (each writes its marker), and no SSH host was dialled (none answers on port 1).
    assert.deepEqual(fs.readdirSync(markers), []);
    assert.match(result.stderr, /✔ plan › bundle › remote/);
    assert.doesNotMatch(result.stderr, /hosts|launch|start/);
  });

  test("the examples: echo (TS and Python), a demux and merges, a cluster, and EC2 VMs with no call to EC2", async () => {
    const cases: Array<{ args: string[]; edges: string[]; env?: Record<string, string> }> = [
      {
        args: [example("echo/echo.hydro.ts")],
        edges: ["echo_client.outbound → echo_server.inbound | direct | unix socket", "echo_server.outbound → echo_client.inbound | direct | unix socket"],
      },
      {
        args: [example("echo/echo.hydro.py")],
        edges: ["echo_client.outbound → echo_server.inbound | direct | unix socket", "echo_server.outbound → echo_client.inbound | direct | unix socket"],
      },
      {
        args: [example("echo/echo_many.hydro.ts")],
        edges: [
          ...[1, 2, 3].map((i) => `client-${i}.outbound → echo_server.inbound | merge | unix socket`),
          ...[1, 2, 3].map((i) => `echo_server.outbound → client-${i}.inbound | demux (key client-${i}) | unix socket`),
        ],
      },
      { args: [example("kvs/kvs.hydro.ts")], edges: ["replica.*.gossip → replica.*.peers | cluster ×9 | unix socket"] },
      {
        args: [example("echo/echo_cloud.hydro.ts"), "--", "--aws", "eu-west-1", "--count", "2"],
        env: NO_CLOUD,
        edges: [
          "echo_client.outbound → echo_server.inbound | direct | TCP within aws:eu-west-1/default VPC",
          "echo_server.outbound → echo_client.inbound | direct | TCP within aws:eu-west-1/default VPC",
        ],
      },
    ];
    for (const { args, edges, env } of cases) {
      const result = await hydro(["plan", ...args], { env });
      assert.equal(result.exitCode, 0, `${args[0]}: ${result.stderr}`);
      assert.deepEqual(edgeLines(result.stdout), edges, args[0]);
    }
  });

  test("--mermaid draws networks, hosts and programs as nested boxes, tunnels dotted; --json gives the topology as the plan event", async () => {
    const chart = await hydro(["plan", "--mermaid", fixture("plan-mixed.hydro.ts")]);
    assert.equal(chart.exitCode, 0, chart.stderr);
    const lines = chart.stdout.trim().split("\n");
    assert.equal(lines[0], "flowchart LR");
    assert.ok(lines.includes('  subgraph n1["network ssh:lab"]'), chart.stdout);
    assert.ok(lines.includes('    subgraph h1["lab-a (ssh)"]'), chart.stdout);
    assert.ok(lines.includes('      p1["a<br/>service"]'), chart.stdout);
    assert.ok(lines.includes('  p1 -->|"outbound → inbound: direct, TCP"| p2'), chart.stdout);
    assert.ok(lines.includes('  p0 -.->|"outbound → inbound: merge, SSH tunnel"| p3'), chart.stdout);
    // Every subgraph is closed, and every edge joins two declared programs.
    assert.equal(lines.filter((line) => /^\s*subgraph /.test(line)).length, lines.filter((line) => line.trim() === "end").length);
    const declared = new Set(lines.flatMap((line) => /^\s+(p\d+)\[/.exec(line)?.[1] ?? []));
    for (const line of lines.filter((l) => l.includes("->"))) for (const id of line.match(/\bp\d+\b/g)!) assert.ok(declared.has(id), line);

    const json = await hydro(["plan", "--json", fixture("plan-mixed.hydro.ts")]);
    assert.equal(json.exitCode, 0, json.stderr);
    const events = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
    const plan = events.find((event) => event.type === "plan")!;
    assert.equal(plan.deployment, "mixed");
    assert.equal((plan.programs as unknown[]).length, 7);
    assert.deepEqual((plan.edges as Array<{ transport: unknown }>)[4]!.transport, { via: "deployer", tunnelTo: true, tunnelFrom: true });
    assert.ok(events.some((event) => event.type === "step"));
  });

  test("errors come out as hydro run prints them, in one line, and nothing is planned", async () => {
    const dir = tempDir();
    const config = (name: string, body: string) => {
      const file = path.join(dir, `${name}.hydro.ts`);
      fs.writeFileSync(
        file,
        `import { Deployment } from "hydro-deploy";\nexport default async function main() {\n  const d = new Deployment();\n${body}\n  await d.deploy();\n}\n`,
      );
      return file;
    };
    fs.copyFileSync(fixture("relay.ts"), path.join(dir, "relay.ts"));
    const configs = [
      fixture("syntax-error-service.hydro.ts"),
      fixture("no-default.hydro.ts"),
      config("missing-src", `  d.service({ name: "x", src: "./nope.ts", on: d.localhost() });`),
      config("bad-option", `  d.ssh({ host: "127.0.0.2", port: 70000, privateKey: "k" });`),
      config(
        "twice",
        `  const a = d.service({ name: "a", src: "./relay.ts", on: d.localhost() });\n  const b = d.service({ name: "b", src: "./relay.ts", on: d.localhost() });\n  a.ports.outbound.connect(b.ports.inbound);\n  a.ports.outbound.connect(b.ports.inbound);`,
      ),
      config(
        "mixed-modes",
        `  const a = d.service({ name: "a", src: "./relay.ts", on: d.localhost() });\n  a.ports.outbound.connect(a.ports.inbound);\n  a.ports.outbound.demux([a.ports.inbound]);`,
      ),
    ];
    for (const file of configs) {
      const [run, plan] = [await hydro(["run", file]), await hydro(["plan", file])];
      const errorOf = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("error: "));
      assert.equal(plan.exitCode, 1, `${file}: ${plan.stderr}`);
      assert.equal(run.exitCode, 1, `${file}: ${run.stderr}`);
      assert.equal(errorOf(plan.stderr).length, 1, plan.stderr);
      assert.deepEqual(errorOf(plan.stderr), errorOf(run.stderr), file);
      assert.doesNotMatch(plan.stdout, /planned/);
    }
  });

  test("--mermaid and --json together are a usage error, as is --profile (hydro run's)", async () => {
    const both = await hydro(["plan", "--mermaid", "--json", fixture("plan-mixed.hydro.ts")]);
    assert.equal(both.exitCode, 2);
    assert.match(both.stderr, /option '--mermaid' cannot be used with option '--json'/);
    const profile = await hydro(["plan", "--profile", fixture("plan-mixed.hydro.ts")]);
    assert.equal(profile.exitCode, 2);
    assert.match(profile.stderr, /unknown option '--profile'/);
  });

  test("a config that returns before deploy() fails: there is nothing to plan", async () => {
    const dir = tempDir();
    const file = path.join(dir, "early.hydro.ts");
    fs.writeFileSync(file, `export default async function main() {}\n`);
    const result = await hydro(["plan", file]);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr.trim(), `error: ${file}: the config returned without calling deploy(): there is nothing to plan`);
    assert.equal(result.stdout, "");
  });
});
