/**
 * Partitions a stratified graph into in-out trees, as Hydroflow does: each subgraph is a tree of
 * pull operators (several inputs, one output) rooted at a pivot, feeding a tree of push operators
 * (one input, several outputs). Edges that cannot be inside such a tree become handoffs — buffers
 * between subgraphs — as do edges between strata, edges into blocking inputs, and edges that close
 * a cycle. Each subgraph is then run as one function.
 */

export type EdgeRole = "internal" | "handoff" | "nextTick";

export interface PartitionEdge {
  from: number;
  to: number;
  blocking: boolean;
  nextTick: boolean;
}

export interface SubgraphShape {
  stratum: number;
  /** Member nodes in topological order. */
  nodes: number[];
}

export interface Partition {
  roles: EdgeRole[];
  subgraphs: SubgraphShape[];
  /** Index into `subgraphs` for each node. */
  subgraphOf: number[];
}

/** With `fuse: false` every edge is a handoff: each operator runs alone (the unfused interpreter). */
export function partition(nodeCount: number, edges: readonly PartitionEdge[], strata: readonly number[], fuse: boolean): Partition {
  const roles: EdgeRole[] = edges.map((e) => (e.nextTick ? "nextTick" : !fuse || e.blocking || strata[e.from] !== strata[e.to] ? "handoff" : "internal"));
  const { order, backEdges } = topologicalOrder(nodeCount, edges);
  for (const e of backEdges) if (roles[e] === "internal") roles[e] = "handoff";

  const incoming = Array.from({ length: nodeCount }, () => [] as number[]);
  const outDegree = new Array<number>(nodeCount).fill(0);
  edges.forEach((e, i) => {
    incoming[e.to]!.push(i);
    outDegree[e.from]!++;
  });

  // Greedy, in topological order: a node continues its predecessor's push tree when that is its
  // only input; otherwise it roots (or joins) pull trees, and becomes a pivot if it fans out.
  const group = new Array<number>(nodeCount).fill(-1);
  const pushing = new Array<boolean>(nodeCount).fill(false);
  let groups = 0;
  for (const node of order) {
    const inside = incoming[node]!.filter((e) => roles[e] === "internal");
    const only = inside.length === 1 && incoming[node]!.length === 1 ? edges[inside[0]!]! : undefined;
    if (only && pushing[only.from]) {
      group[node] = group[only.from]!;
      pushing[node] = true;
      continue;
    }
    let mine = -1;
    for (const e of inside) {
      const from = edges[e]!.from;
      if (pushing[from]) {
        roles[e] = "handoff";
      } else if (mine === -1) {
        mine = group[from]!;
      } else {
        const merged = group[from]!;
        for (let n = 0; n < nodeCount; n++) if (group[n] === merged) group[n] = mine;
      }
    }
    group[node] = mine === -1 ? groups++ : mine;
    pushing[node] = outDegree[node]! > 1;
  }

  // Number the surviving groups by stratum, then by where they start in topological order.
  const position = new Array<number>(nodeCount);
  order.forEach((node, i) => (position[node] = i));
  const members = new Map<number, number[]>();
  for (const node of order) {
    const list = members.get(group[node]!) ?? [];
    list.push(node);
    members.set(group[node]!, list);
  }
  const subgraphs = [...members.values()]
    .map((nodes) => ({ stratum: strata[nodes[0]!]!, nodes }))
    .sort((a, b) => a.stratum - b.stratum || position[a.nodes[0]!]! - position[b.nodes[0]!]!);
  const subgraphOf = new Array<number>(nodeCount);
  subgraphs.forEach((sg, i) => sg.nodes.forEach((n) => (subgraphOf[n] = i)));
  return { roles, subgraphs, subgraphOf };
}

/** Depth-first order over same-tick edges; edges that point back up the stack close cycles. */
function topologicalOrder(nodeCount: number, edges: readonly PartitionEdge[]): { order: number[]; backEdges: number[] } {
  const outgoing = Array.from({ length: nodeCount }, () => [] as number[]);
  edges.forEach((e, i) => {
    if (!e.nextTick) outgoing[e.from]!.push(i);
  });
  const state = new Array<0 | 1 | 2>(nodeCount).fill(0); // unvisited, on stack, done
  const postorder: number[] = [];
  const backEdges: number[] = [];
  for (let root = 0; root < nodeCount; root++) {
    if (state[root] !== 0) continue;
    const stack: Array<{ node: number; next: number }> = [{ node: root, next: 0 }];
    state[root] = 1;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const edge = outgoing[frame.node]![frame.next++];
      if (edge === undefined) {
        state[frame.node] = 2;
        postorder.push(frame.node);
        stack.pop();
        continue;
      }
      const to = edges[edge]!.to;
      if (state[to] === 1) backEdges.push(edge);
      else if (state[to] === 0) {
        state[to] = 1;
        stack.push({ node: to, next: 0 });
      }
    }
  }
  return { order: postorder.reverse(), backEdges };
}
