/**
 * Dataflow benchmark: the Hydroflow benches (identity, fan-in, join, reachability) run by the
 * fused and the interpreted engine, against a hand-written loop and RxJS measured in the same run.
 * Each cell is the median of several timed runs after warm-up; graph building and compilation are
 * inside the timing, as in Hydroflow's benches.
 *
 *     npm run bench:dataflow
 */
import type { Bench } from "./bench.js";
import { identity } from "./identity.js";
import { fanIn } from "./fan-in.js";
import { join } from "./join.js";
import { reachability } from "./reachability.js";

const WARMUP = 3;
const RUNS = 7;
/** The interpreter is only there to check the fused code against; a few runs show its cost. */
const INTERPRETED_RUNS = 3;

/** Runs `run` with a fresh summing sink; returns the sum of everything it delivered. */
function checksum(run: (sink: (x: number) => void) => void): number {
  let sum = 0;
  run((x) => {
    sum += x;
  });
  return sum;
}

function median(run: (sink: (x: number) => void) => void, expected: number | undefined, runs = RUNS): { ms: number; checksum: number } {
  let sum = 0;
  for (let i = 0; i < Math.min(WARMUP, runs); i++) sum = checksum(run);
  if (expected !== undefined && sum !== expected) throw new Error(`checksum ${sum}, expected ${expected}`);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    checksum(run);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(runs / 2)]!, checksum: sum };
}

interface Row {
  bench: Bench;
  hand: number;
  fused: number;
  interpreted: number;
  rxjs: number;
}

function measure(bench: Bench): Row {
  const hand = median((sink) => bench.handLoop(sink), undefined);
  const fused = median((sink) => bench.dataflow(sink, true), hand.checksum);
  const interpreted = median((sink) => bench.dataflow(sink, false), hand.checksum, INTERPRETED_RUNS);
  const rxjs = median((sink) => bench.rxjs(sink), hand.checksum);
  return { bench, hand: hand.ms, fused: fused.ms, interpreted: interpreted.ms, rxjs: rxjs.ms };
}

function table(rows: readonly Row[]): string {
  const header = ["bench", "hand loop ms", "fused ms", "interpreted ms", "RxJS ms", "fused / hand", "RxJS / fused", "RxJS / hand"];
  const body = rows.map((r) => [
    r.bench.name,
    r.hand.toFixed(2),
    r.fused.toFixed(2),
    r.interpreted.toFixed(2),
    r.rxjs.toFixed(2),
    `${(r.fused / r.hand).toFixed(2)}×`,
    `${(r.rxjs / r.fused).toFixed(1)}×`,
    `${(r.rxjs / r.hand).toFixed(1)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? "-" : "") + "-".repeat(w + 1) + (i === 0 ? "" : ":")).join("|")}|`, ...body.map(line)].join("\n");
}

const rows = [identity, fanIn, join, reachability].map((bench) => {
  const row = measure(bench);
  process.stderr.write(`measured ${bench.name}\n`);
  return row;
});
console.log(`Node ${process.version}, median of ${RUNS} runs after ${WARMUP} warm-up runs (interpreted: ${INTERPRETED_RUNS})\n`);
console.log(table(rows));
console.log();
for (const { bench } of rows) console.log(`- ${bench.name}: ${bench.description}`);
const identityRow = rows.find((r) => r.bench === identity)!;
console.log(
  `\ntargets: identity fused ≤ 1.2× hand loop: ${identityRow.fused / identityRow.hand <= 1.2 ? "met" : "MISSED"}; ` +
    `≥ 10× faster than RxJS on every bench: ${rows.every((r) => r.rxjs / r.fused >= 10) ? "met" : "MISSED"}`,
);
