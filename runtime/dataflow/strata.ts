/**
 * Strata: the order in which parts of a tick run. A blocking input (fold, sort, the negative side
 * of an anti-join) must see all of its input for the tick before it emits, so it runs in a later
 * stratum than everything feeding it. Recursion is allowed only among streaming edges: a cycle
 * through a blocking input can never be ordered, unless `deferTick` moves part of it to the
 * next tick (next-tick edges constrain nothing).
 */

export interface StratifiedEdge {
  from: number;
  to: number;
  blocking: boolean;
  negated: boolean;
  nextTick: boolean;
}

export class StratificationError extends Error {
  constructor(
    message: string,
    /** The operators on the offending cycle, as `kind#id`, first repeated last. */
    readonly cycle: readonly string[],
  ) {
    super(message);
    this.name = "StratificationError";
  }
}

/** Returns each node's stratum: the fewest blocking edges on any path into it. */
export function stratify(nodeCount: number, edges: readonly StratifiedEdge[], nameOf: (node: number) => string): number[] {
  const sameTick = edges.filter((e) => !e.nextTick);
  const successors = adjacency(nodeCount, sameTick, "from");
  const components = stronglyConnectedComponents(nodeCount, successors);
  const componentOf = new Array<number>(nodeCount);
  components.forEach((members, c) => members.forEach((n) => (componentOf[n] = c)));

  for (const edge of sameTick) {
    if (edge.blocking && componentOf[edge.from] === componentOf[edge.to]) {
      throw cycleError(edge, successors, componentOf, nameOf);
    }
  }

  // Tarjan lists components sinks first; walk them sources first.
  const stratumOfComponent = new Array<number>(components.length).fill(0);
  const incoming = adjacency(nodeCount, sameTick, "to");
  for (let c = components.length - 1; c >= 0; c--) {
    let stratum = 0;
    for (const node of components[c]!) {
      for (const edge of incoming[node]!) {
        const from = componentOf[edge.from]!;
        if (from !== c) stratum = Math.max(stratum, stratumOfComponent[from]! + (edge.blocking ? 1 : 0));
      }
    }
    stratumOfComponent[c] = stratum;
  }
  return componentOf.map((c) => stratumOfComponent[c]!);
}

function adjacency(nodeCount: number, edges: readonly StratifiedEdge[], by: "from" | "to"): StratifiedEdge[][] {
  const lists = Array.from({ length: nodeCount }, () => [] as StratifiedEdge[]);
  for (const edge of edges) lists[edge[by]]!.push(edge);
  return lists;
}

/** Tarjan's algorithm; components come out in reverse topological order. */
function stronglyConnectedComponents(nodeCount: number, successors: readonly StratifiedEdge[][]): number[][] {
  const index = new Array<number>(nodeCount).fill(-1);
  const low = new Array<number>(nodeCount).fill(0);
  const onStack = new Array<boolean>(nodeCount).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  const visit = (node: number): void => {
    index[node] = low[node] = counter++;
    stack.push(node);
    onStack[node] = true;
    for (const { to } of successors[node]!) {
      if (index[to] === -1) {
        visit(to);
        low[node] = Math.min(low[node]!, low[to]!);
      } else if (onStack[to]) {
        low[node] = Math.min(low[node]!, index[to]!);
      }
    }
    if (low[node] !== index[node]) return;
    const component: number[] = [];
    let member: number;
    do {
      member = stack.pop()!;
      onStack[member] = false;
      component.push(member);
    } while (member !== node);
    components.push(component);
  };

  for (let node = 0; node < nodeCount; node++) if (index[node] === -1) visit(node);
  return components;
}

/** Names the operators on one cycle through `edge`: a shortest path back from its target. */
function cycleError(
  edge: StratifiedEdge,
  successors: readonly StratifiedEdge[][],
  componentOf: readonly number[],
  nameOf: (node: number) => string,
): StratificationError {
  const previous = new Map<number, number>([[edge.to, edge.to]]);
  const queue = [edge.to];
  while (!previous.has(edge.from)) {
    const node = queue.shift()!;
    for (const { to } of successors[node]!) {
      if (componentOf[to] === componentOf[edge.to] && !previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  const path = [edge.from];
  for (let node = edge.from; node !== edge.to;) {
    node = previous.get(node)!;
    path.unshift(node);
  }
  const cycle = [...path, edge.to].map(nameOf);
  const what = edge.negated ? "negation" : "blocking input";
  return new StratificationError(`cycle through the ${what} of ${nameOf(edge.to)} is not broken by deferTick(): ${cycle.join(" → ")}`, cycle);
}
