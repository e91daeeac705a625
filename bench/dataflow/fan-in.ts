import { from, merge } from "rxjs";
import { Graph } from "../../runtime/dataflow/index.js";
import type { Bench } from "./bench.js";

const SOURCES = 20;
const PER_SOURCE = 50_000;
export const inputs = Array.from({ length: SOURCES }, (_, s) => Array.from({ length: PER_SOURCE }, (_, i) => s * PER_SOURCE + i));

export const fanIn: Bench = {
  name: "fan-in",
  description: `${SOURCES} sources of ${PER_SOURCE.toLocaleString("en")} numbers into one union`,
  handLoop(sink) {
    for (const input of inputs) for (let i = 0; i < input.length; i++) sink(input[i]!);
  },
  dataflow(sink, fused) {
    const g = new Graph();
    const union = g.union<number>();
    for (const input of inputs) g.sourceIter(input).to(union);
    union.forEach(sink);
    g.compile({ fused }).runAvailable();
  },
  rxjs(sink) {
    merge(...inputs.map((input) => from(input))).subscribe(sink);
  },
};
