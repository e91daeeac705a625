/**
 * Dataflow benchmark: the Hydroflow benches (identity, fan-in, join, reachability) run by the
 * fused and the interpreted engine, each row against its baseline (a hand-written loop, RxJS)
 * measured in the same run, interleaved A B A B… (bench/interleave.ts); and each written as a
 * .hf program (bench/dataflow/hf/), compiled, against the same graph built by hand. Graph building and
 * compilation are inside the timing, as in Hydroflow's benches; every timed run's checksum is
 * checked against the hand loop's. Where a graph's operators must do more than the hand loop by
 * their semantics (reachability's set-semantics join), that work written by hand ("graph by hand")
 * is measured too: against the hand loop it is the graph's floor; the engine is measured against it.
 *
 *     npm run bench:dataflow [-- --runs 15 --bench join,reachability --hand-loop-only]
 *
 * `--runs`: timed pairs per fused row; `--bench`: which benches; `--hand-loop-only`: only the
 * fused-vs-hand-loop rows (and the graph-by-hand ones), for profiling and quick checks.
 */
import { parseArgs } from "node:util";
import type { Bench } from "./bench.js";
import { identity } from "./identity.js";
import { fanIn } from "./fan-in.js";
import { join } from "./join.js";
import { reachability } from "./reachability.js";
import { formatRatio, interleave, table, targetCell, timeMs, type Interleaved } from "../interleave.js";
import { Graph } from "../../runtime/dataflow/index.js";
import { loadHf } from "./hf/load.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    bench: { type: "string" },
    "hand-loop-only": { type: "boolean", default: false },
  },
});
const WARMUP = 3;
const PAIRS = Number(values.runs);
/** The target for the fused flow against the hand loop, on every bench. */
const HAND_LOOP_LIMIT = 1.2;
/** A .hf program against the same graph built by hand with the Graph API (issue 17's target). */
const HF_LIMIT = 1.05;
/** The interpreter is only there to check the fused code against; a few pairs show its cost. */
const INTERPRETED_PAIRS = 3;

type Run = (sink: (x: number) => void) => void;
type Implementation = "fused" | "interpreted" | "hand loop" | "graph by hand" | "RxJS" | ".hf, fused";

/** Runs `run` with a fresh summing sink; returns the sum of everything it delivered. */
function checksum(run: Run): number {
  let sum = 0;
  run((x) => {
    sum += x;
  });
  return sum;
}

/** A measurement of `run` in ms that fails if its checksum is not `expected`. */
const timed = (name: string, run: Run, expected: number) => async (): Promise<number> => {
  let sum = NaN;
  const ms = await timeMs(() => (sum = checksum(run)));
  if (sum !== expected) throw new Error(`${name}: checksum ${sum}, expected ${expected}`);
  return ms;
};

interface Row {
  bench: Bench;
  hydro: Implementation;
  baseline: Implementation;
  result: Interleaved;
  /** The ratio's target: at most this. */
  limit?: number;
}

async function measure(bench: Bench): Promise<Row[]> {
  const buildHf = await loadHf(bench.name);
  const runs: Record<Implementation, Run> = {
    ".hf, fused": (sink) => {
      const g = new Graph();
      buildHf(g, sink);
      g.compile({ fused: true }).runAvailable();
    },
    fused: (sink) => bench.dataflow(sink, true),
    interpreted: (sink) => bench.dataflow(sink, false),
    "hand loop": (sink) => bench.handLoop(sink),
    "graph by hand": (sink) => bench.graphByHand?.(sink),
    RxJS: (sink) => bench.rxjs(sink),
  };
  const expected = checksum(runs["hand loop"]);
  const row = async (hydro: Implementation, baseline: Implementation, pairs: number, limit?: number): Promise<Row> => {
    const result = await interleave({
      pairs,
      warmup: WARMUP,
      a: timed(`${bench.name} ${hydro}`, runs[hydro], expected),
      b: timed(`${bench.name} ${baseline}`, runs[baseline], expected),
    });
    return { bench, hydro, baseline, result, limit };
  };
  const handLoop = await row("fused", "hand loop", PAIRS, HAND_LOOP_LIMIT);
  // The floor of the graph's semantics, and the engine's overhead above it.
  const byHand = bench.graphByHand ? [await row("graph by hand", "hand loop", PAIRS), await row("fused", "graph by hand", PAIRS)] : [];
  if (values["hand-loop-only"]) return [handLoop, ...byHand];
  return [
    handLoop,
    ...byHand,
    await row(".hf, fused", "fused", PAIRS, HF_LIMIT),
    await row("fused", "RxJS", PAIRS, 0.1),
    await row("interpreted", "hand loop", INTERPRETED_PAIRS),
  ];
}

const allBenches = [identity, fanIn, join, reachability];
const chosen = values.bench?.split(",");
const benches = chosen ? allBenches.filter((bench) => chosen.includes(bench.name)) : allBenches;
if (chosen && benches.length !== chosen.length) throw new Error(`--bench takes some of ${allBenches.map((b) => b.name).join(",")}`);
const rows: Row[] = [];
for (const bench of benches) {
  rows.push(...(await measure(bench)));
  process.stderr.write(`measured ${bench.name}\n`);
}

console.log(
  `Node ${process.version}; each row: ${WARMUP} warm-up pairs, then ${PAIRS} pairs (interpreted: ${INTERPRETED_PAIRS}) run interleaved; ` +
    `medians of each side and of the per-pair ratios\n`,
);
console.log(
  table(
    ["bench", "hydro", "baseline", "hydro ms", "baseline ms", "hydro / baseline", "pair ratios", "target"],
    rows.map(({ bench, hydro, baseline, result, limit }) => [
      bench.name,
      hydro,
      baseline,
      result.a.toFixed(2),
      result.b.toFixed(2),
      formatRatio(result.ratio, 3),
      `${formatRatio(Math.min(...result.ratios))}–${formatRatio(Math.max(...result.ratios))}`,
      targetCell(result.ratio, limit),
    ]),
  ),
);
console.log();
for (const bench of benches) console.log(`- ${bench.name}: ${bench.description}`);
