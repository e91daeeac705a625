/**
 * bench/ports: hydro's ports against the floor, two bare node processes doing the same over a unix
 * socket with a hand-written 4-byte length-prefixed JSON framing and the same batching (bare.mjs).
 * Every row runs hydro and the floor interleaved, A B A B… (bench/interleave.ts). Throughput rows
 * report hydro ÷ floor (higher is better); the latency row reports p99 hydro ÷ floor (lower is better).
 * Run: npm run bench:ports [-- --runs 5 --small 1000000 --large 2000 --pings 10000 --rows abcdefg]
 * Rows: (a) per message, (b) batches(), (c) 64 KB, (d) ping-pong, (e) external port, (f) external
 * port's batches(), (g) msgpack.
 *
 * With `--metrics-overhead`, the other side of every row is this checkout with the programs'
 * metrics off (metricsIntervalMs: 0), and the target is what sampling may cost: 2%.
 *
 * With `--baseline <checkout>` (another clone or worktree of this project, built), the other side
 * of every row is that checkout's hydro instead of the floor: before/after rows for a change to
 * the ports, e.g. `git worktree add /tmp/before HEAD~1 && (cd /tmp/before && npm ci && npm run build)`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { formatRatio, interleave, table, type Interleaved } from "../interleave.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    small: { type: "string", default: "1000000" },
    large: { type: "string", default: "2000" },
    pings: { type: "string", default: "10000" },
    baseline: { type: "string" },
    "metrics-overhead": { type: "boolean", default: false },
    rows: { type: "string", default: "abcdefg" },
  },
});
const runs = Number(values.runs);
const here = path.dirname(fileURLToPath(import.meta.url));
const baseline = values.baseline && path.resolve(values.baseline);
const metricsOverhead = values["metrics-overhead"];
if (metricsOverhead && baseline) throw new Error("--metrics-overhead and --baseline each choose the other side of the rows: give one");
if (baseline && !fs.existsSync(path.join(baseline, "dist", "hydro.mjs")))
  throw new Error(`--baseline ${baseline}: no built checkout there (run npm run build in it)`);
const bare = path.join(here, "bare.mjs");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-bench-ports-"));
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }));

/** One `hydro run ports.hydro.ts -- <args>` of this checkout (or of `root`'s): the number it prints after `result`. */
async function hydro(args: string[], root = path.join(here, "..", ".."), env: Record<string, string> = {}): Promise<number> {
  const run = [path.join(root, "bin", "hydro.js"), "run", path.join(root, "bench", "ports", "ports.hydro.ts"), "--", ...args];
  const result = await execa("node", run, { cwd: work, reject: false, env: { NO_COLOR: "1", ...env } });
  const match = /^result (\S+)$/m.exec(result.stdout);
  if (result.exitCode !== 0 || !match) throw new Error(`hydro run ports.hydro.ts -- ${args.join(" ")} failed (exit ${result.exitCode}):\n${result.stderr}`);
  return Number(match[1]);
}

/** The floor: `server` listens on a fresh socket, then `client` connects; the number `measured` prints after its label. */
async function floor(server: string[], client: string[], measured: "server" | "client", label: string): Promise<number> {
  const socket = path.join(work, `bare-${process.hrtime.bigint()}.sock`);
  const serving = execa("node", [bare, server[0]!, socket, ...server.slice(1)], { reject: false });
  await new Promise<void>((resolve, reject) => {
    serving.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && resolve());
    void serving.then((result) => reject(new Error(`bare ${server[0]} exited early:\n${result.stderr}`)));
  });
  const clientRun = await execa("node", [bare, client[0]!, socket, ...client.slice(1)], { reject: false });
  const serverRun = await serving;
  const output = measured === "server" ? serverRun : clientRun;
  const match = new RegExp(`^${label} (\\S+)$`, "m").exec(output.stdout);
  if (!match) throw new Error(`bare ${measured} printed no '${label}':\n${serverRun.stderr}${clientRun.stderr}`);
  return Number(match[1]);
}

interface Row {
  name: string;
  result: Interleaved;
  unit: string;
  /** Throughput rows are met at ratio ≥ target, latency rows at ratio ≤ target. */
  target?: { atLeast?: number; atMost?: number };
}
const rows: Row[] = [];
const throughputFloor = (count: string, bytes: string, batch: string) => () => floor(["receiver", count], ["sender", count, bytes, batch], "server", "rate");

const small = values.small;
const large = values.large;
/** A row: this checkout's hydro (`args`) against the floor, or against the baseline's hydro with the same args. */
const row = async (letter: string, name: string, unit: string, args: string[], againstFloor: () => Promise<number>, target?: Row["target"]) => {
  if (!values.rows.includes(letter)) return;
  process.stderr.write(`${name} …\n`);
  const b = metricsOverhead ? () => hydro(args, undefined, { BENCH_METRICS_MS: "0" }) : baseline ? () => hydro(args, baseline) : againstFloor;
  const ownTarget = unit === "µs" ? { atMost: 1.02 } : { atLeast: 0.98 };
  rows.push({
    name,
    unit,
    target: metricsOverhead ? ownTarget : baseline ? undefined : target,
    result: await interleave({ pairs: runs, warmup: 1, a: () => hydro(args), b }),
  });
};

// Targets of issue 18: a loop step per message costs what the floor's callback does not (an
// iterator result and a promise); a loop over batches() should come near the floor.
await row("a", `${small} × 16 B, sender → receiver`, "msg/s", ["throughput", small, "16", "1000"], throughputFloor(small, "16", "1000"), {
  atLeast: 0.8,
});
await row(
  "b",
  `${small} × 16 B, receiver iterates batches()`,
  "msg/s",
  ["throughput", small, "16", "1000", "json", "batches"],
  throughputFloor(small, "16", "1000"),
  { atLeast: 0.95 },
);
await row("c", `${large} × 64 KB, sender → receiver`, "msg/s", ["throughput", large, "65536", "16"], throughputFloor(large, "65536", "16"), {
  atLeast: 1.0,
});
await row(
  "d",
  `ping-pong 16 B, p99 of ${values.pings}`,
  "µs",
  ["pingpong", values.pings, "16", "1000"],
  () => floor(["ponger"], ["pinger", values.pings, "16", "1000"], "client", "p99"),
  { atMost: 1.1 },
);
await row("e", `${small} × 16 B, sender → script's external port`, "msg/s", ["external", small, "16", "1000"], throughputFloor(small, "16", "1000"), {
  atLeast: 0.9,
});
await row(
  "f",
  `${small} × 16 B, script's external port iterates batches()`,
  "msg/s",
  ["external", small, "16", "1000", "json", "batches"],
  throughputFloor(small, "16", "1000"),
  { atLeast: 0.9 },
);
await row("g", `${small} × 16 B, msgpack codec (floor: JSON)`, "msg/s", ["throughput", small, "16", "1000", "msgpack"], throughputFloor(small, "16", "1000"));

const number = (value: number) => (value >= 1000 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1));
const targetCell = ({ result, target }: Row) => {
  if (target?.atLeast !== undefined) return `≥ ${formatRatio(target.atLeast, 2)} ${result.ratio >= target.atLeast ? "met" : "MISSED"}`;
  if (target?.atMost !== undefined) return `≤ ${formatRatio(target.atMost, 2)} ${result.ratio <= target.atMost ? "met" : "MISSED"}`;
  return "";
};
const other = metricsOverhead ? "metrics off" : baseline ? "baseline" : "floor";
console.log(`bench/ports: ${runs} interleaved pairs per row, medians; ratio = median of per-pair hydro ÷ ${other}${baseline ? ` (${baseline})` : ""}\n`);
console.log(
  table(
    ["row", "hydro", other, "unit", "ratio", "target"],
    rows.map((r) => [r.name, number(r.result.a), number(r.result.b), r.unit, formatRatio(r.result.ratio), targetCell(r)]),
  ),
);
