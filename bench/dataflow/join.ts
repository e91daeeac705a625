import { from, map, merge, mergeMap } from "rxjs";
import { Graph } from "../../runtime/dataflow/index.js";
import type { Bench } from "./bench.js";

const COUNT = 200_000;
export const left: Array<[number, number]> = Array.from({ length: COUNT }, (_, i) => [i, i]);
export const right: Array<[number, number]> = Array.from({ length: COUNT }, (_, i) => [i, 2 * i]);

/** Symmetric hash join state, as RxJS code would keep it in a closure. */
function symmetricJoin(): (side: 0 | 1, key: number, value: number) => number[] {
  const tables = [new Map<number, number[]>(), new Map<number, number[]>()] as const;
  return (side, key, value) => {
    const mine = tables[side].get(key);
    if (mine) mine.push(value);
    else tables[side].set(key, [value]);
    return (tables[1 - side]!.get(key) ?? []).map((other) => (side === 0 ? value + other : other + value));
  };
}

export const join: Bench = {
  name: "join",
  // The pairs are distinct, so the engine's set-semantics join and the baselines' bag joins give
  // the same output; the baselines skip the deduplication the engine does, which only favours them.
  description: `equi-join of two ${COUNT.toLocaleString("en")}-pair inputs (distinct pairs; the engine deduplicates, the baselines do not)`,
  handLoop(sink) {
    const table = new Map<number, number[]>();
    for (const [k, v] of left) {
      const values = table.get(k);
      if (values) values.push(v);
      else table.set(k, [v]);
    }
    for (const [k, w] of right) for (const v of table.get(k) ?? []) sink(v + w);
  },
  dataflow(sink, fused) {
    const g = new Graph();
    g.sourceIter(left)
      .join(g.sourceIter(right))
      .forEach(([, [v, w]]) => sink(v + w));
    g.compile({ fused }).runAvailable();
  },
  rxjs(sink) {
    const step = symmetricJoin();
    merge(from(left).pipe(map((p) => [0, p] as const)), from(right).pipe(map((p) => [1, p] as const)))
      .pipe(mergeMap(([side, [k, v]]) => step(side, k, v)))
      .subscribe(sink);
  },
};
