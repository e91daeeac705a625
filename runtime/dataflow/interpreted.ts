import type { Emit, OperatorInstance } from "./operator.js";
import { inboundHandoffs, outgoingEdges, type SubgraphRunner, type SubgraphSetup } from "./subgraph.js";

/**
 * Runs a subgraph by dispatching every item through operator objects. Slower than the fused code,
 * but independent of it: the property tests check that both compute the same thing.
 */
export function interpretSubgraph({ plan, subgraph, handoffs, context }: SubgraphSetup): SubgraphRunner {
  const shape = plan.subgraphs[subgraph]!;
  const outgoing = outgoingEdges(plan);
  const instances = new Map<number, OperatorInstance>();

  const emitterFor = (edges: readonly number[]): Emit => {
    const targets: Emit[] = edges.map((i) => {
      const edge = plan.edges[i]!;
      const handoff = handoffs[i];
      if (handoff) return (item) => handoff.push(item);
      return (item) => instances.get(edge.to)!.input!(edge.toPort, item);
    });
    return targets.length === 1 ? targets[0]! : (item) => targets.forEach((send) => send(item));
  };

  for (const node of shape.nodes) {
    const emitters = outgoing[node]!.map(emitterFor);
    instances.set(node, plan.nodes[node]!.spec.instantiate(emitters, context));
  }
  const ordered = shape.nodes.map((n) => instances.get(n)!);
  const { blocking, streaming } = inboundHandoffs(plan, subgraph);
  const drain = (edges: readonly number[]): void => {
    for (const i of edges) {
      const { to, toPort } = plan.edges[i]!;
      const target = instances.get(to)!;
      for (const item of handoffs[i]!.take()) target.input!(toPort, item);
    }
  };
  const inputs = [...blocking, ...streaming].map((i) => handoffs[i]!);

  return {
    stratum: shape.stratum,
    instances: ordered,
    run(first) {
      drain(blocking);
      if (first) for (const op of ordered) op.start?.();
      drain(streaming);
      if (first) for (const op of ordered) op.finish?.();
    },
    hasInput: () => inputs.some((h) => h.hasItems()),
  };
}
