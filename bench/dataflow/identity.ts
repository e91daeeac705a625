import { map, range } from "rxjs";
import { Graph } from "../../runtime/dataflow/index.js";
import type { Bench } from "./bench.js";

const COUNT = 1_000_000;
const MAPS = 20;
export const items = Array.from({ length: COUNT }, (_, i) => i);
/** Twenty distinct functions, so no implementation can share one call site. */
export const steps: Array<(x: number) => number> = Array.from({ length: MAPS }, (_, i) => new Function("x", `return x + ${i % 2};`) as (x: number) => number);

export const identity: Bench = {
  name: "identity",
  description: `${MAPS} chained maps over ${COUNT.toLocaleString("en")} numbers`,
  handLoop(sink) {
    const [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19] = steps;
    for (let i = 0; i < items.length; i++) {
      let x = items[i]!;
      x = f0!(x);
      x = f1!(x);
      x = f2!(x);
      x = f3!(x);
      x = f4!(x);
      x = f5!(x);
      x = f6!(x);
      x = f7!(x);
      x = f8!(x);
      x = f9!(x);
      x = f10!(x);
      x = f11!(x);
      x = f12!(x);
      x = f13!(x);
      x = f14!(x);
      x = f15!(x);
      x = f16!(x);
      x = f17!(x);
      x = f18!(x);
      x = f19!(x);
      sink(x);
    }
  },
  dataflow(sink, fused) {
    const g = new Graph();
    let stream = g.sourceIter(items);
    for (const step of steps) stream = stream.map(step);
    stream.forEach(sink);
    g.compile({ fused }).runAvailable();
  },
  rxjs(sink) {
    steps.reduce((source, step) => source.pipe(map(step)), range(0, COUNT)).subscribe(sink);
  },
};
