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
import { execa } from "execa";
import { startCluster } from "../../test/e2e/cluster/cluster.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = path.join(root, "bin", "hydro.js");
const config = path.join(root, "bench", "ssh", "echo_many.hydro.ts");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-bench-ssh-"));
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

const cluster = await startCluster({ hosts: 8 });
try {
  /** One `hydro run`; returns the deploy step's duration in ms. */
  const deployMs = async (hosts: number, cwd: string): Promise<number> => {
    const result = await execa("node", [cli, "run", "--json", config, "--", cluster.manifestPath, String(hosts)], { cwd, reject: false });
    if (result.exitCode !== 0) throw new Error(`hydro run failed:\n${result.stderr}`);
    // The script's own console.log lines are not events.
    const step = result.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string; path?: string[]; status?: string; ms?: number })
      .find((event) => event.type === "step" && event.path?.join("/") === "deploy" && event.status === "done");
    return step!.ms!;
  };
  const forgetUploads = () => {
    for (const host of cluster.hosts) fs.rmSync(path.join(host.homeDir, ".hydro", "cache"), { recursive: true, force: true });
  };
  const sample = async (measure: () => Promise<number>) => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await measure());
    return median(samples);
  };

  const warmDir = fs.mkdtempSync(path.join(work, "warm-"));
  await deployMs(8, warmDir);
  const eight = await sample(() => deployMs(8, warmDir));
  const one = await sample(() => deployMs(1, warmDir));
  const cold = await sample(async () => {
    forgetUploads();
    return deployMs(8, fs.mkdtempSync(path.join(work, "cold-")));
  });
  await deployMs(8, warmDir);
  const warm = await sample(() => deployMs(8, warmDir));

  console.log(`\nbench/ssh on ${os.cpus().length} cores, node ${process.version}, median of ${runs} runs; time of the deploy step\n`);
  console.log(`${"case".padEnd(58)} ${"ms".padStart(7)} ${"baseline ms".padStart(12)} ${"ratio".padStart(7)}  target`);
  const row = (name: string, value: number, baseline: number, target: string) =>
    console.log(
      `${name.padEnd(58)} ${value.toFixed(0).padStart(7)} ${baseline.toFixed(0).padStart(12)} ${(value / baseline).toFixed(2).padStart(6)}×  ${target}`,
    );
  row("(a) echo_many, 8 services on 8 hosts vs on 1 host (warm)", eight, one, "≤ 1.5×");
  row("(b) warm redeploy vs cold deploy (8 hosts)", warm, cold, "≤ 0.3×");
  console.log("\ncold: empty local bundle cache and nothing uploaded on the hosts; warm: both in place");
} finally {
  await cluster.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
