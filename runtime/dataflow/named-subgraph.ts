import { Graph } from "./graph.js";
import type { Stream } from "./stream.js";

/**
 * A reusable, named piece of graph: a function from streams to streams whose operators are
 * labelled with `name` in pictures. The first argument (a stream or the graph) says where to build.
 *
 *     const evens = defineSubgraph("evens", (s: Stream<number>) => s.filter((n) => n % 2 === 0));
 *     evens(numbers).forEach(console.log);
 */
export function defineSubgraph<Args extends readonly [Stream<unknown> | Graph, ...unknown[]], R>(
  name: string,
  build: (...args: Args) => R,
): (...args: Args) => R {
  return (...args) => {
    const where = args[0];
    const graph = where instanceof Graph ? where : where.graph;
    return graph.scope(name, () => build(...args));
  };
}
