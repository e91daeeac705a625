/**
 * bench/kvs: the KVS example (examples/kvs) against Debian's redis-server, both driven by
 * redis-benchmark (-c 50, SET and GET, -P 1 and -P 16). Each row runs the two interleaved, A B A B…
 * (bench/interleave.ts) and reports requests/s and KVS ÷ redis-server (higher is better).
 * The "2 replicas" rows drive two replicas (one per core) with one redis-benchmark each, together,
 * against redis-server driven by the same two benchmarks.
 * With `--metrics-overhead` the other side is the same KVS with its metrics off (`--metrics-ms 0`),
 * and the target is what sampling may cost: 2%.
 * Run: npm run bench:kvs [-- --runs 5 --seconds 1 --metrics-overhead]
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { formatRatio, interleave, table, type Interleaved } from "../interleave.js";
import { freePorts } from "../../examples/kvs/free-ports.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, seconds: { type: "string", default: "1" }, "metrics-overhead": { type: "boolean", default: false } },
});
const metricsOverhead = values["metrics-overhead"];
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, "..", "..", "bin", "hydro.js");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hydro-bench-kvs-"));

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function untilLine(child: ResultPromise, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => (seen += chunk.toString()).includes(text) && resolve());
    void child.then((result) => reject(new Error(`exited before printing '${text}':\n${result.stderr}`)));
  });
}

/** Requests/s of one redis-benchmark run of `test` against `port`, sized to take about `seconds`. */
async function benchmark(port: number, test: "set" | "get", pipeline: number, expectedRate: number): Promise<number> {
  const requests = Math.max(10_000, Math.round(expectedRate * seconds));
  const { stdout } = await execa("redis-benchmark", ["-p", String(port), "-c", "50", "-P", String(pipeline), "-n", String(requests), "-t", test, "--csv"]);
  const row = stdout.split("\n").find((line) => line.startsWith(`"${test.toUpperCase()}"`));
  if (!row) throw new Error(`redis-benchmark printed no ${test} row:\n${stdout}`);
  return Number(JSON.parse(`[${row}]`)[1]);
}

/** Total requests/s of one benchmark per port, run at the same time. */
async function together(ports: number[], test: "set" | "get", pipeline: number, expectedRate: number): Promise<number> {
  const rates = await Promise.all(ports.map((port) => benchmark(port, test, pipeline, expectedRate / ports.length)));
  return rates.reduce((sum, rate) => sum + rate, 0);
}

/** Two KVS replicas serving on the port it returns and the next; `extra`: more kvs.hydro.ts options. */
async function startKvs(extra: string[]): Promise<{ port: number; child: ResultPromise }> {
  // Replica i serves on port + i: two free ports in a row (one free port's next may be taken).
  const port = await freePorts(2);
  const kvsConfig = path.join(here, "..", "..", "examples", "kvs", "kvs.hydro.ts");
  const child = execa("node", [cli, "run", kvsConfig, "--", "--replicas", "2", "--resp-port", String(port), "--serve", ...extra], {
    cwd: work,
    reject: false,
    env: { NO_COLOR: "1" },
  });
  await untilLine(child, "serving until Ctrl-C");
  return { port, child };
}

async function startRedis(): Promise<{ port: number; child: ResultPromise }> {
  const port = await freePort();
  const child = execa("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { reject: false });
  await untilLine(child, "Ready to accept connections");
  return { port, child };
}

const { port: kvsPort, child: kvs } = await startKvs([]);
// The other side: redis-server, or the KVS without metrics (its two replicas on two ports, as ours).
const other = metricsOverhead ? await startKvs(["--metrics-ms", "0"]) : await startRedis();
const otherPorts = metricsOverhead ? [other.port, other.port + 1] : [other.port, other.port];
const otherName = metricsOverhead ? "kvs, metrics off" : "redis-server";

interface Row {
  name: string;
  result: Interleaved;
  atLeast: number;
}
const rows: Row[] = [];
try {
  for (const pipeline of [1, 16]) {
    for (const test of ["set", "get"] as const) {
      const rate = pipeline === 1 ? 150_000 : 1_000_000;
      rows.push({
        name: `one replica, ${test.toUpperCase()}, -P ${pipeline}`,
        result: await interleave({
          pairs: runs,
          warmup: 1,
          a: () => benchmark(kvsPort, test, pipeline, rate / 2),
          b: () => benchmark(other.port, test, pipeline, metricsOverhead ? rate / 2 : rate),
        }),
        atLeast: metricsOverhead ? 0.98 : pipeline === 1 ? 0.7 : 0.5,
      });
    }
  }
  for (const pipeline of [1, 16]) {
    for (const test of ["set", "get"] as const) {
      const rate = pipeline === 1 ? 150_000 : 1_000_000;
      rows.push({
        name: `two replicas together, ${test.toUpperCase()}, -P ${pipeline}`,
        result: await interleave({
          pairs: runs,
          warmup: 1,
          a: () => together([kvsPort, kvsPort + 1], test, pipeline, rate / 2),
          b: () => together(otherPorts, test, pipeline, metricsOverhead ? rate / 2 : rate),
        }),
        atLeast: metricsOverhead ? 0.98 : 1.0,
      });
    }
  }
} finally {
  kvs.kill("SIGINT");
  other.child.kill(metricsOverhead ? "SIGINT" : "SIGTERM");
  await Promise.all([kvs, other.child]);
  fs.rmSync(work, { recursive: true, force: true });
}

const rps = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`\nbench/kvs: ${runs} interleaved pairs per row, medians; redis-benchmark -c 50 (${os.cpus().length} cores)\n`);
console.log(
  table(
    ["row", "kvs req/s", `${otherName} req/s`, "ratio", "target"],
    rows.map(({ name, result, atLeast }) => [
      name,
      rps(result.a),
      rps(result.b),
      formatRatio(result.ratio),
      `≥ ${formatRatio(atLeast, Number.isInteger(atLeast * 10) ? 1 : 2)} ${result.ratio >= atLeast ? "met" : "MISSED"}`,
    ]),
  ),
);
