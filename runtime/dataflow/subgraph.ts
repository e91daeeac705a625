import type { OperatorInstance, RunContext } from "./operator.js";
import type { Handoff } from "./handoff.js";
import type { Plan } from "./plan.js";

/** One subgraph made runnable, by the code generator or the interpreter. */
export interface SubgraphRunner {
  readonly stratum: number;
  readonly instances: readonly OperatorInstance[];
  /**
   * Drains the subgraph's input handoffs through its operators. On the first run of a tick each
   * operator takes its blocking inputs (complete, from earlier strata) and starts before other
   * inputs reach it, and blocking operators emit once everything is in.
   */
  run(first: boolean): void;
  hasInput(): boolean;
}

export interface SubgraphSetup {
  plan: Plan;
  subgraph: number;
  /** The handoff on each edge that is not internal. */
  handoffs: readonly (Handoff | undefined)[];
  context: RunContext;
}

export type SubgraphBuilder = (setup: SubgraphSetup) => SubgraphRunner;

/** Edge indices leaving each node, per output port. */
export function outgoingEdges(plan: Plan): number[][][] {
  const out = plan.nodes.map((n) => n.spec.outputs.map(() => [] as number[]));
  plan.edges.forEach((e, i) => out[e.from]![e.fromPort]!.push(i));
  return out;
}

/** The handoff edges into a subgraph, those into blocking inputs first. */
export function inboundHandoffs(plan: Plan, subgraph: number): { blocking: number[]; streaming: number[] } {
  const blocking: number[] = [];
  const streaming: number[] = [];
  plan.edges.forEach((e, i) => {
    if (e.role === "internal" || plan.subgraphOf[e.to] !== subgraph) return;
    (e.blocking ? blocking : streaming).push(i);
  });
  return { blocking, streaming };
}
