/**
 * bench/deploy: what hydro-deploy adds on top of the unavoidable work, measured in one run.
 *   (a) `hydro run` echo, time to the first echoed line (warm bundle cache, and cold)
 *       vs the floor: esbuild bundling both programs + two bare `node` processes loading them;
 *   (b) 100 services fanned into one receiver, deployed and started, vs spawning 100 bare `node`;
 *   (c) the echo from examples/echo/echo.hydro.py vs echo.hydro.ts, and the Python bridge's call latency;
 *   (d) a cluster of 1, 8, 32 senders fanned into one receiver vs as many services (deploy time grows alike).
 * Each row runs hydro and its baseline interleaved, A B A B… (bench/interleave.ts), and prints the
 * medians of each side and of the per-pair ratios. Run: npm run bench:deploy [-- --runs 5 --fan 100 --rows abcd]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { formatRatio, interleave, table, targetCell, timeMs, type Interleaved } from "../interleave.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, fan: { type: "string", default: "100" }, rows: { type: "string", default: "abcd" } },
});
const wanted = (row: string) => values.rows.includes(row);
const runs = Number(values.runs);
const fan = Number(values.fan);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = path.join(root, "bin", "hydro.js");
const esbuildBin = path.join(root, "node_modules", ".bin", "esbuild");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-bench-"));
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }));

/** Runs the CLI until a stdout line contains `marker`; returns the ms from spawn to that line, then lets it finish. */
async function hydroUntil(args: string[], marker: string, cwd: string, env: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  const child = execa("node", [cli, "run", ...args], { cwd, reject: false, env: { NO_COLOR: "1", ...env } });
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

function echoFloor(): Promise<number> {
  const out = path.join(work, "floor");
  const programs = ["echo_server.ts", "echo_client.ts"].map((name) => path.join(root, "examples", "echo", name));
  return timeMs(async () => {
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
  });
}

function bareNodes(count: number): Promise<number> {
  return timeMs(() => Promise.all(Array.from({ length: count }, () => execa("node", ["-e", "0"]))));
}

const echo = path.join(root, "examples", "echo", "echo.hydro.ts");
const warmDir = fs.mkdtempSync(path.join(work, "warm-"));
await hydroUntil([echo, "--", "3"], "echo 0:", warmDir); // fills the bundle cache

/** A target is met when the ratio is at most `limit`; rows without one are for information. */
const rows: Array<{ name: string; result: Interleaved; limit?: number }> = [];
const warmEcho = () => hydroUntil([echo, "--", "3"], "echo 0:", warmDir);
const coldEcho = () => hydroUntil([echo, "--", "3"], "echo 0:", fs.mkdtempSync(path.join(work, "cold-")));
if (wanted("a")) {
  rows.push({ name: "(a) echo: first echoed line, warm cache", result: await interleave({ pairs: runs, a: warmEcho, b: echoFloor }), limit: 1.3 });
  rows.push({ name: "(a) echo: first echoed line, cold cache", result: await interleave({ pairs: runs, a: coldEcho, b: echoFloor }) });
}

// (c) the same echo from the seed's Python script, through the bridge, against the .ts config: with
// `python3` as PATH finds it (here a pyenv shim, which hydro sees through: cli/python/interpreter.ts),
// and with the interpreter it ends up running named by HYDRO_PYTHON.
let latency: RegExpExecArray | null = null;
if (wanted("c")) {
  const echoPy = path.join(root, "examples", "echo", "echo.hydro.py");
  const interpreter = (await execa("python3", ["-c", "import sys; print(sys.executable)"])).stdout.trim();
  const warmEchoPy = (python: string) => () => hydroUntil([echoPy, "--", "--count", "3"], "echo 0:", warmDir, { HYDRO_PYTHON: python });
  await warmEchoPy("python3")();
  rows.push({
    name: "(c) echo.hydro.py vs echo.hydro.ts: first echoed line, python3 on PATH",
    result: await interleave({ pairs: runs, a: warmEchoPy("python3"), b: warmEcho }),
    limit: 1.2,
  });
  rows.push({
    name: `(c) the same, HYDRO_PYTHON=${interpreter}`,
    result: await interleave({ pairs: runs, a: warmEchoPy(interpreter), b: warmEcho }),
    limit: 1.2,
  });
  const bridge = await execa("node", [cli, "run", path.join(root, "bench", "deploy", "bridge_latency.hydro.py"), "--", "2000"], {
    cwd: warmDir,
    env: { NO_COLOR: "1" },
  });
  latency = /^result sync_us=(\S+) async_us=(\S+)$/m.exec(bridge.stdout);
  if (!latency) throw new Error(`bridge_latency.hydro.py printed no result:\n${bridge.stdout}\n${bridge.stderr}`);
}

const fanRuns = Math.max(1, Math.ceil(runs / 2));
if (wanted("b")) {
  const fanDir = fs.mkdtempSync(path.join(work, "fan-"));
  const fanConfig = path.join(root, "bench", "deploy", "fan_in.hydro.ts");
  await hydroUntil([fanConfig, "--", String(fan)], "deployed", fanDir);
  const fanned = () => hydroUntil([fanConfig, "--", String(fan)], "deployed", fanDir);
  rows.push({
    name: `(b) ${fan} services fanned into 1, deployed + started`,
    result: await interleave({ pairs: fanRuns, a: fanned, b: () => bareNodes(fan) }),
    limit: 2,
  });
}

if (wanted("d")) {
  const clusterDir = fs.mkdtempSync(path.join(work, "cluster-"));
  const clusterConfig = path.join(root, "bench", "deploy", "cluster_fan_in.hydro.ts");
  const deployAs = (count: number, as: string) => () => hydroUntil([clusterConfig, "--", String(count), as], "deployed", clusterDir);
  await deployAs(1, "cluster")();
  for (const count of [1, 8, 32]) {
    rows.push({
      name: `(d) a cluster of ${count} fanned into 1 vs ${count} services`,
      result: await interleave({ pairs: fanRuns, a: deployAs(count, "cluster"), b: deployAs(count, "services") }),
      limit: 1.1,
    });
  }
}

console.log(`\nbench/deploy on ${os.cpus().length} cores, node ${process.version}; ${runs} pairs ((b): ${fanRuns}), hydro and baseline interleaved\n`);
console.log(
  table(
    ["case", "hydro ms", "baseline ms", "hydro / baseline", "target"],
    rows.map(({ name, result, limit }) => [name, result.a.toFixed(0), result.b.toFixed(0), formatRatio(result.ratio), targetCell(result.ratio, limit)]),
  ),
);
if (latency) console.log(`\nPython bridge round trip (2000 calls): ${latency[1]} µs per synchronous declaration, ${latency[2]} µs per awaited send`);
console.log(
  `\nbaselines: (a) esbuild CLI bundling both echo programs + two bare node processes loading the bundles; (b) ${fan} concurrent \`node -e 0\`; (d) the same senders declared as services`,
);
console.log("ms: median of each side; hydro / baseline: median of the per-pair ratios");
