/**
 * bench/deploy: what hydro-deploy adds on top of the unavoidable work, measured in one run.
 *   (a) `hydro run` echo, time to the first echoed line (warm bundle cache, and cold)
 *       vs the floor: esbuild bundling both programs + two bare `node` processes loading them;
 *   (b) 100 services fanned into one receiver, deployed and started, vs spawning 100 bare `node`.
 * Prints medians and ratios. Run: npm run bench:deploy [-- --runs 5 --fan 100]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, fan: { type: "string", default: "100" } } });
const runs = Number(values.runs);
const fan = Number(values.fan);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = path.join(root, "bin", "hydro.js");
const esbuildBin = path.join(root, "node_modules", ".bin", "esbuild");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-bench-"));
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }));

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

async function sample(times: number, measure: () => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await measure());
  return median(samples);
}

/** Runs the CLI until a stdout line contains `marker`; returns the ms from spawn to that line, then lets it finish. */
async function hydroUntil(args: string[], marker: string, cwd: string): Promise<number> {
  const started = performance.now();
  const child = execa("node", [cli, "run", ...args], { cwd, reject: false, env: { NO_COLOR: "1" } });
  let elapsed = NaN;
  let seen = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    seen += chunk.toString();
    if (Number.isNaN(elapsed) && seen.includes(marker)) elapsed = performance.now() - started;
  });
  const result = await child;
  if (Number.isNaN(elapsed)) throw new Error(`hydro ${args.join(" ")} never printed '${marker}' (exit ${result.exitCode}):\n${result.stderr}`);
  return elapsed;
}

async function echoFloor(): Promise<number> {
  const out = path.join(work, "floor");
  const started = performance.now();
  const programs = ["echo_server.ts", "echo_client.ts"].map((name) => path.join(root, "examples", "echo", name));
  await execa(esbuildBin, [
    ...programs,
    "--bundle",
    "--platform=node",
    "--format=esm",
    `--outdir=${out}`,
    "--out-extension:.js=.mjs",
    "--log-level=error",
    `--alias:hydro-deploy=${root}`,
  ]);
  // Each bundle loads everything it imports, then stops at connect(): no deployer, no handshake.
  await Promise.all(["echo_server.mjs", "echo_client.mjs"].map((file) => execa("node", [path.join(out, file)], { reject: false })));
  return performance.now() - started;
}

async function bareNodes(count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, () => execa("node", ["-e", "0"])));
  return performance.now() - started;
}

const echo = path.join(root, "examples", "echo", "echo.hydro.ts");
const warmDir = fs.mkdtempSync(path.join(work, "warm-"));
await hydroUntil([echo, "--", "3"], "echo 0:", warmDir); // fills the bundle cache

const rows: Array<[string, number, number, string]> = [];
const floor = await sample(runs, echoFloor);
const warm = await sample(runs, () => hydroUntil([echo, "--", "3"], "echo 0:", warmDir));
const cold = await sample(runs, () => hydroUntil([echo, "--", "3"], "echo 0:", fs.mkdtempSync(path.join(work, "cold-"))));
rows.push(["(a) echo: first echoed line, warm cache", warm, floor, "≤ 1.3×"]);
rows.push(["(a) echo: first echoed line, cold cache", cold, floor, "(info)"]);

const fanDir = fs.mkdtempSync(path.join(work, "fan-"));
const fanConfig = path.join(root, "bench", "deploy", "fan_in.hydro.ts");
await hydroUntil([fanConfig, "--", String(fan)], "deployed", fanDir);
const fanRuns = Math.max(1, Math.ceil(runs / 2));
const bare = await sample(fanRuns, () => bareNodes(fan));
const fanned = await sample(fanRuns, () => hydroUntil([fanConfig, "--", String(fan)], "deployed", fanDir));
rows.push([`(b) ${fan} services fanned into 1, deployed + started`, fanned, bare, "≤ 2×"]);

console.log(`\nbench/deploy on ${os.cpus().length} cores, node ${process.version}, median of ${runs} runs ((b): ${fanRuns})\n`);
console.log(`${"case".padEnd(52)} ${"hydro ms".padStart(9)} ${"baseline ms".padStart(12)} ${"ratio".padStart(7)}  target`);
for (const [name, value, baseline, target] of rows) {
  console.log(
    `${name.padEnd(52)} ${value.toFixed(0).padStart(9)} ${baseline.toFixed(0).padStart(12)} ${(value / baseline).toFixed(2).padStart(6)}×  ${target}`,
  );
}
console.log(`\nbaselines: (a) esbuild CLI bundling both echo programs + two bare node processes loading the bundles; (b) ${fan} concurrent \`node -e 0\``);
