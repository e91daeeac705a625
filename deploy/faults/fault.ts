import type { EdgeFault } from "../../runtime/faults/edge-fault.js";
import type { Edge } from "../ports.js";
import type { Callsite } from "../callsite.js";

export type FaultKind = "partition" | "delay" | "loss";

/**
 * One fault the script set on the network (deploy/faults/network.ts): what it does to which edges,
 * from `setAt` until it is cleared. Several faults may cover one edge: partitions add up; an edge
 * has at most one delay and one loss.
 */
export class Fault {
  /** When it took effect everywhere (ms since the epoch, as Date.now()); undefined until then. */
  setAt: number | undefined;
  /** When it was cleared everywhere; undefined while it holds. */
  clearedAt: number | undefined;

  constructor(
    readonly kind: FaultKind,
    /** The port-to-port edges it acts on. */
    readonly edges: readonly Edge[],
    /** What it does to each of them. */
    readonly effect: EdgeFault,
    /** `partition {a} | {b, c}`, `delay a → b: 50 ms + up to 10 ms (seed 7)`. */
    readonly description: string,
    /** Where the script set it. */
    readonly site: Callsite | undefined,
    private readonly clearing: (fault: Fault) => Promise<void>,
  ) {}

  /** The seed of its random draws (loss, jitter): the same seed and schedule drop and delay the same messages. */
  get seed(): number | undefined {
    return this.effect.loss?.seed ?? this.effect.delay?.seed;
  }

  /** Removes it; resolves once every sender has stopped applying it. Clearing a cleared fault does nothing. */
  clear(): Promise<void> {
    return this.clearing(this);
  }
}

/** What every fault in `faults` that covers an edge makes of it together. */
export function combined(faults: Iterable<Fault>): Map<Edge, EdgeFault> {
  const byEdge = new Map<Edge, EdgeFault>();
  for (const fault of faults) {
    for (const edge of fault.edges) byEdge.set(edge, { ...byEdge.get(edge), ...fault.effect });
  }
  return byEdge;
}
