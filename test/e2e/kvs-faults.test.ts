/**
 * examples/kvs/faults.hydro.ts, the Jepsen-style experiment, run as a user runs it: on this machine,
 * and on the SSH namespace cluster, one replica per host. Each run must end with a VALID verdict and
 * a timeline that shows the faults it made: no answers from the killed replica while it was down,
 * none from the paused one while it was frozen, the others answering throughout.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { startCluster, type Cluster } from "./cluster/cluster.js";
import { cli, repoRoot, tempDir } from "../helpers.js";
import { freePorts } from "../../examples/kvs/free-ports.js";

const experiment = path.join(repoRoot, "examples", "kvs", "faults.hydro.ts");
const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";
const PHASE_MS = 800;

async function runExperiment(extra: string[]) {
  const out = tempDir("hydro-kvs-faults-");
  const respPort = await freePorts(3);
  const result = await execa("node", [cli, "run", experiment, "--", "--phase-ms", String(PHASE_MS), "--resp-port", String(respPort), "--out", out, ...extra], {
    cwd: tempDir(),
    reject: false,
    env: { NO_COLOR: "1" },
    timeout: 180_000,
  });
  return { result, out };
}

/** The window a line like `replica.1 killed, then restarted: 2.4 s to 3.3 s` tells, in ms. */
function windowOf(stdout: string, label: string): { start: number; end: number } {
  const match = new RegExp(`^${label.replace(/\./g, "\\.")}: ([\\d.]+) s to ([\\d.]+) s$`, "m").exec(stdout);
  assert.ok(match, `no window '${label}' in:\n${stdout}`);
  return { start: Number(match[1]) * 1000, end: Number(match[2]) * 1000 };
}

/** Answered requests per replica in the timeline's buckets wholly inside [start, end] (shrunk by a bucket at each end). */
function answeredWithin(csv: string, replica: string, { start, end }: { start: number; end: number }): number[] {
  return csv
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","))
    .filter(([t, name]) => name === replica && Number(t) >= start + 200 && Number(t) + 100 <= end - 200)
    .map(([, , answered]) => Number(answered));
}

function assertRun({ result, out }: Awaited<ReturnType<typeof runExperiment>>) {
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /^verdict: VALID: every replica holds the same 126 keys, each the latest acknowledged write of it$/m);
  assert.match(result.stdout, /^replica\.1 was restarted empty and holds all 100 keys written before its crash: true$/m);
  assert.match(result.stdout, /^the partition dropped [1-9]\d* gossip messages/m);
  assert.match(result.stderr, /\[network\] partition replica\.2 \| \{replica\.0, replica\.1\} \(4 edges\)/);
  assert.match(result.stderr, /\[replica\.1\] killed with SIGKILL/);
  assert.match(result.stderr, /\[replica\.1\] restarted \(run 2\)/);
  assert.match(result.stderr, /\[replica\.0\] paused/);

  const csv = fs.readFileSync(path.join(out, "timeline.csv"), "utf8");
  assert.match(csv, /^t_ms,replica,answered,unanswered\n0,replica\.0,\d+,\d+\n/);
  const killed = windowOf(result.stdout, "replica.1 killed, then restarted");
  const paused = windowOf(result.stdout, "replica.0 paused");
  const partitioned = windowOf(result.stdout, "replica.2 partitioned away");
  assert.ok(
    answeredWithin(csv, "replica.1", killed).every((n) => n === 0),
    "nothing answered by the killed replica",
  );
  assert.ok(
    answeredWithin(csv, "replica.0", paused).every((n) => n === 0),
    "nothing answered by the paused replica",
  );
  for (const window of [killed, paused, partitioned]) {
    const others = answeredWithin(csv, "replica.2", window);
    assert.ok(others.length > 0 && others.every((n) => n > 0), "replica.2 answers throughout");
  }
  assert.ok(
    answeredWithin(csv, "replica.2", partitioned).every((n) => n > 0),
    "the partitioned replica still serves its clients",
  );
  const svg = fs.readFileSync(path.join(out, "timeline.svg"), "utf8");
  assert.match(svg, /^<svg/);
  for (const label of ["replica.2 partitioned away", "replica.1 killed, then restarted", "replica.0 paused"]) assert.ok(svg.includes(label), label);
}

describe("examples/kvs/faults.hydro.ts: the Jepsen-style experiment", () => {
  test("on localhost: VALID, with the faults on the timeline", async () => {
    assertRun(await runExperiment([]));
  });

  test("with anti-entropy off, the check finds the writes the partition lost: INVALID, exit 1", async () => {
    const { result } = await runExperiment(["--anti-entropy-rounds", "0"]);
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(
      result.stdout,
      /^  split:\d holds "s\d-split:\d" \(acknowledged at [\d.]+ ms\), but "s\d-split:\d" was sent after that \(at [\d.]+ ms\) and acknowledged: a write was lost$/m,
    );
    assert.match(result.stderr, /^error: kvs faults: the check failed \(verdict: INVALID, \d+ problems, the first of each kind above\)/m);
  });

  describe("on the SSH namespace cluster, a replica per host", { skip: notRoot }, () => {
    let cluster: Cluster;
    before(async () => {
      cluster = await startCluster({ hosts: 3 });
    });
    after(async () => {
      await cluster?.stop();
    });

    test("VALID, with the faults on the timeline; nothing left on the hosts", async () => {
      const run = await runExperiment(["--hosts", cluster.manifestPath]);
      assertRun(run);
      for (const [i, host] of cluster.hosts.entries()) {
        assert.match(run.result.stdout, new RegExp(`replica ${i} .*serving Redis on ${host.address.replace(/\./g, "\\.")}:`), `replica ${i} on ${host.name}`);
        assert.equal((await host.exec("pgrep -f '[r]eplica' || true")).stdout.trim(), "", `${host.name}: no replica left`);
      }
    });
  });
});
