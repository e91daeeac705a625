/**
 * bench/ssh: deploying over SSH to the namespace test cluster, measured in one run.
 *   (a) echo_many (1 server + 7 clients) on 8 hosts vs all on 1 host;
 *   (b) a redeploy on hosts a HostPool kept from the deployment before vs a cold deploy;
 *   (b') a warm deploy by a new `hydro run` (bundles cached, uploads on the hosts, new connections) vs a cold deploy;
 *   (c) a 4-point sweep of echo on 2 hosts kept across its points (a HostPool) vs declared per point.
 * The time of (a) and (b) is the `deploy` step as the CLI reports it (--json): bundle, connect,
 * upload, start; of (c), the whole sweep() call, as the config measures it.
 * Run: npm run bench:ssh [-- --runs 5]  (as root: it starts and removes a test cluster)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { startCluster } from "../../test/e2e/cluster/cluster.js";
import { execa } from "execa";
import { formatRatio, interleave, table, targetCell } from "../interleave.js";
import { deployStepMs } from "../deploy-step.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = path.join(root, "bin", "hydro.js");
const config = path.join(root, "bench", "ssh", "echo_many.hydro.ts");
const sweepConfig = path.join(root, "test", "fixtures", "ssh-sweep.hydro.ts");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-bench-ssh-"));

const cluster = await startCluster({ hosts: 8 });
try {
  const deployMs = (hosts: number, cwd: string) => deployStepMs(cli, [config, "--", cluster.manifestPath, String(hosts)], cwd);
  const forgetUploads = () => {
    for (const host of cluster.hosts) fs.rmSync(path.join(host.homeDir, ".hydro", "cache"), { recursive: true, force: true });
  };
  // Interleaved (bench/interleave.ts): each pair runs back to back, so load changes cancel out.
  const warmDir = fs.mkdtempSync(path.join(work, "warm-"));
  await deployMs(8, warmDir);
  const spread = await interleave({ pairs: runs, a: () => deployMs(8, warmDir), b: () => deployMs(1, warmDir) });
  const cold = () => {
    forgetUploads();
    return deployMs(8, fs.mkdtempSync(path.join(work, "cold-")));
  };
  // Each cold run removed the hosts' uploads: one untimed run puts them back, then the timed one is warm.
  const warmAgain = async (run: () => Promise<number>) => {
    await deployMs(8, warmDir);
    return run();
  };
  const keptMs = () => deployStepMs(cli, [config, "--", cluster.manifestPath, "8", "kept"], warmDir);
  const redeploy = await interleave({ pairs: runs, a: () => warmAgain(keptMs), b: cold });
  const warmRun = await interleave({ pairs: runs, a: () => warmAgain(() => deployMs(8, warmDir)), b: cold });

  /** One 4-point sweep: how long sweep() took, as the config prints it. */
  const sweepMs = async (mode: "kept" | "fresh") => {
    const cwd = fs.mkdtempSync(path.join(work, `sweep-${mode}-`));
    const result = await execa("node", [cli, "run", sweepConfig, "--", cluster.manifestPath, "4", mode, "out"], { cwd, reject: false });
    const ms = /^sweep took (\d+) ms$/m.exec(result.stdout)?.[1];
    if (result.exitCode !== 0 || !ms) throw new Error(`the ${mode} sweep failed:\n${result.stdout}\n${result.stderr}`);
    return Number(ms);
  };
  await sweepMs("kept");
  const sweeps = await interleave({ pairs: runs, a: () => sweepMs("kept"), b: () => sweepMs("fresh") });

  console.log(`\nbench/ssh on ${os.cpus().length} cores, node ${process.version}, ${runs} interleaved pairs; time of the deploy step\n`);
  const row = (name: string, result: { a: number; b: number; ratio: number }, limit?: number) => [
    name,
    result.a.toFixed(0),
    result.b.toFixed(0),
    formatRatio(result.ratio),
    targetCell(result.ratio, limit),
  ];
  console.log(
    table(
      ["case", "ms", "baseline ms", "ratio", "target"],
      [
        row("(a) echo_many, 8 services on 8 hosts vs on 1 host (warm)", spread, 1.3),
        row("(b) redeploy on hosts kept by a HostPool vs cold deploy (8 hosts)", redeploy, 0.3),
        row("(b') warm deploy by a new hydro run vs cold deploy (8 hosts)", warmRun),
        row("(c) 4-point sweep, 2 hosts kept across points vs declared per point", sweeps),
      ],
    ),
  );
  console.log("\ncold: empty local bundle cache and nothing uploaded on the hosts; warm: both in place; kept: also connected");
  console.log("(c): time of the whole sweep() call (4 deploys and teardowns; kept: one SSH login per host, released at the end)");
} finally {
  await cluster.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
