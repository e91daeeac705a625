/**
 * bench/cloud: deploying N services on N fresh EC2 VMs (moto, booted as namespace hosts by the test
 * boot agent) against the same services on N plain SSH hosts of the namespace cluster, N = 1, 4, 8,
 * interleaved (bench/interleave.ts). Creation is parallel, so the cloud column should stay nearly
 * flat as N grows. The time is the CLI's `deploy` step (create VMs, boot, connect, upload, start).
 * Run: npm run bench:cloud [-- --runs 3]  (as root: it starts a test cluster and moto)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { startCluster } from "../../test/e2e/cluster/cluster.js";
import { startMoto } from "../../test/doubles/ec2/moto.js";
import { startEc2BootAgent } from "../../test/doubles/ec2/ec2-boot-agent.js";
import { createClusterSubnet } from "../../test/doubles/ec2/ec2-cluster-subnet.js";
import { motoEc2Client } from "../../test/doubles/ec2/moto-ec2-client.js";
import { formatRatio, interleave, table } from "../interleave.js";
import { deployStepMs } from "../deploy-step.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const runs = Number(values.runs);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = path.join(root, "bin", "hydro.js");
const config = path.join(root, "bench", "cloud", "fleet.hydro.ts");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-bench-cloud-"));
const REGION = "us-east-1";

const [cluster, moto] = await Promise.all([startCluster({ hosts: 8 }), startMoto()]);
const agent = startEc2BootAgent({ motoUrl: moto.url, region: REGION, cluster });
try {
  const { subnetId } = await createClusterSubnet(motoEc2Client(moto.url, REGION), cluster);
  const env = { AWS_ENDPOINT_URL_EC2: moto.url, AWS_ACCESS_KEY_ID: "AKIDBENCH", AWS_SECRET_ACCESS_KEY: "bench", AWS_EC2_METADATA_DISABLED: "true" };
  const cwd = fs.mkdtempSync(path.join(work, "run-"));
  const onVms = (count: number) => deployStepMs(cli, [config, "--", "aws", String(count), subnetId], cwd, env);
  const onSsh = (count: number) => deployStepMs(cli, [config, "--", "ssh", String(count), cluster.manifestPath], cwd, env);
  await onSsh(8); // the bundle cache and the hosts' uploads in place for both sides
  const rows: string[][] = [];
  for (const count of [1, 4, 8]) {
    const result = await interleave({ pairs: runs, warmup: 1, a: () => onVms(count), b: () => onSsh(count) });
    rows.push([`N = ${count}`, result.a.toFixed(0), result.b.toFixed(0), formatRatio(result.ratio)]);
  }
  if (agent.errors.length) throw new Error(`boot agent: ${agent.errors.map(String).join("; ")}`);
  console.log(`\nbench/cloud on ${os.cpus().length} cores, node ${process.version}, ${runs} interleaved pairs; time of the deploy step\n`);
  console.log(table(["N services on N hosts", "EC2 VMs (moto) ms", "SSH hosts ms", "ratio"], rows));
  console.log("\nEC2 VMs: created, booted by the test's boot agent (~0.3 s), reached at their private addresses; every run makes new VMs.");
} finally {
  await agent.stop();
  await moto.stop();
  await cluster.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
