import type { OperatorSpec } from "./operator.js";
import { stratify } from "./strata.js";
import { partition, type EdgeRole, type SubgraphShape } from "./partition.js";

export interface GraphNode {
  id: number;
  spec: OperatorSpec;
  /** Names of the enclosing named sub-graphs, outermost first. */
  scope: readonly string[];
}

export interface GraphEdge {
  from: number;
  fromPort: number;
  to: number;
  toPort: number;
}

export interface PlannedEdge extends GraphEdge {
  role: EdgeRole;
  blocking: boolean;
  negated: boolean;
}

/** Everything decided before running: strata, subgraphs, and which edges are handoffs. */
export interface Plan {
  nodes: readonly GraphNode[];
  edges: readonly PlannedEdge[];
  strata: readonly number[];
  subgraphs: readonly SubgraphShape[];
  subgraphOf: readonly number[];
  fused: boolean;
}

export function nodeName(node: GraphNode): string {
  return `${node.spec.kind}#${node.id}`;
}

export function planGraph(nodes: readonly GraphNode[], edges: readonly GraphEdge[], fused: boolean): Plan {
  // Fields spelled out rather than spread: a graph is planned each time it is compiled, and
  // object spread and rest are slow enough to show in a benchmark that builds its graph each run.
  const flagged = edges.map(({ from, fromPort, to, toPort }) => {
    const port = nodes[to]!.spec.inputs[toPort]!;
    return {
      from,
      fromPort,
      to,
      toPort,
      blocking: port.blocking === true || port.negated === true,
      negated: port.negated === true,
      nextTick: port.nextTick === true,
    };
  });
  const strata = stratify(nodes.length, flagged, (n) => nodeName(nodes[n]!));
  const { roles, subgraphs, subgraphOf } = partition(nodes.length, flagged, strata, fused);
  const planned = flagged.map(({ from, fromPort, to, toPort, blocking, negated }, i) => ({ from, fromPort, to, toPort, blocking, negated, role: roles[i]! }));
  return { nodes, edges: planned, strata, subgraphs, subgraphOf, fused };
}
