/**
 * bench/ssh: deploying over SSH to the namespace test cluster, measured in one run.
 *   (a) echo_many (1 server + 7 clients) on 8 hosts vs all on 1 host;
 *   (b) a warm redeploy (bundles cached, uploads already on the hosts) vs a cold deploy.
 * The time is the `deploy` step as the CLI reports it (--json): bundle, connect, upload, start.
 * Run: npm run bench:ssh [-- --runs 5]  (as root: it starts and removes a test cluster)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { startCluster } from "../../test/e2e/cluster/cluster.js";
import { formatRatio, interleave, table, targetCell } from "../interleave.js";
import { deployStepMs } from "../deploy-step.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = path.join(root, "bin", "hydro.js");
const config = path.join(root, "bench", "ssh", "echo_many.hydro.ts");
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
  const redeploy = await interleave({
    pairs: runs,
    // Each cold run removed the hosts' uploads: one untimed run puts them back, then the timed one is warm.
    a: async () => {
      await deployMs(8, warmDir);
      return deployMs(8, warmDir);
    },
    b: () => {
      forgetUploads();
      return deployMs(8, fs.mkdtempSync(path.join(work, "cold-")));
    },
  });

  console.log(`\nbench/ssh on ${os.cpus().length} cores, node ${process.version}, ${runs} interleaved pairs; time of the deploy step\n`);
  const row = (name: string, result: { a: number; b: number; ratio: number }, limit: number) => [
    name,
    result.a.toFixed(0),
    result.b.toFixed(0),
    formatRatio(result.ratio),
    targetCell(result.ratio, limit),
  ];
  console.log(
    table(
      ["case", "ms", "baseline ms", "ratio", "target"],
      [row("(a) echo_many, 8 services on 8 hosts vs on 1 host (warm)", spread, 1.5), row("(b) warm redeploy vs cold deploy (8 hosts)", redeploy, 0.3)],
    ),
  );
  console.log("\ncold: empty local bundle cache and nothing uploaded on the hosts; warm: both in place");
} finally {
  await cluster.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
