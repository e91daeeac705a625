import { filter, from, mergeMap, observeOn, queueScheduler, reduce, Subject } from "rxjs";
import { Graph } from "../../runtime/dataflow/index.js";
import { seededRandom, type Bench } from "./bench.js";

const VERTICES = 20_000;
const EDGES = 100_000;
const random = seededRandom(42);
export const edges: Array<[number, number]> = Array.from({ length: EDGES }, () => [Math.floor(random() * VERTICES), Math.floor(random() * VERTICES)]);

export const reachability: Bench = {
  name: "reachability",
  // The engine's join has set semantics, so it also deduplicates the edges and looks up every vertex
  // that reaches it; the baselines look up each vertex's edges once and keep one set of seen vertices.
  description: `vertices reachable from 0 in a random graph (${VERTICES.toLocaleString("en")} vertices, ${EDGES.toLocaleString("en")} edges; the engine's join deduplicates edges and arrivals, the baselines keep one seen set)`,
  handLoop(sink) {
    const adjacent = new Map<number, number[]>();
    for (const [from, to] of edges) {
      const list = adjacent.get(from);
      if (list) list.push(to);
      else adjacent.set(from, [to]);
    }
    const seen = new Set([0]);
    const frontier = [0];
    sink(0);
    while (frontier.length > 0) {
      for (const next of adjacent.get(frontier.pop()!) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          frontier.push(next);
          sink(next);
        }
      }
    }
  },
  graphByHand(sink) {
    // The join's table: per vertex, whether it arrived on the left (set semantics: once) and the
    // edges out of it (each once); arrivals go round the cycle through a handoff, as in the engine.
    const table = new Map<number, { arrived: boolean; to: number[] }>();
    const seen = new Set<number>();
    let handoff: number[] = [];
    const reach = (v: number) => {
      if (!seen.has(v)) {
        seen.add(v);
        sink(v);
      }
      const entry = table.get(v);
      if (entry === undefined) table.set(v, { arrived: true, to: [] });
      else if (!entry.arrived) {
        entry.arrived = true;
        for (const to of entry.to) handoff.push(to);
      }
    };
    reach(0);
    for (const [from, to] of edges) {
      const entry = table.get(from);
      if (entry === undefined) table.set(from, { arrived: false, to: [to] });
      else if (!entry.to.includes(to)) {
        entry.to.push(to);
        if (entry.arrived) handoff.push(to);
      }
    }
    while (handoff.length > 0) {
      const arrivals = handoff;
      handoff = [];
      for (const v of arrivals) reach(v);
    }
  },
  dataflow(sink, fused) {
    const g = new Graph();
    const reached = g.union<number>();
    g.sourceIter([0]).to(reached);
    reached
      .map((v) => [v, null] as const)
      .join(g.sourceIter(edges))
      .map(([, [, to]]) => to)
      .to(reached);
    reached.unique().forEach(sink);
    g.compile({ fused }).runAvailable();
  },
  rxjs(sink) {
    const seen = new Set([0]);
    from(edges)
      .pipe(
        reduce((adjacent, [from, to]) => {
          const list = adjacent.get(from);
          if (list) list.push(to);
          else adjacent.set(from, [to]);
          return adjacent;
        }, new Map<number, number[]>()),
      )
      .subscribe((adjacent) => {
        // A feedback loop through a Subject; the queue scheduler trampolines the recursion,
        // which would otherwise overflow the stack (RxJS then silently drops values).
        const reached = new Subject<number>();
        reached
          .pipe(
            observeOn(queueScheduler),
            mergeMap((v) => adjacent.get(v) ?? []),
            filter((next) => !seen.has(next) && seen.add(next) !== undefined),
          )
          .subscribe((v) => {
            sink(v);
            reached.next(v);
          });
        sink(0);
        reached.next(0);
      });
  },
};
