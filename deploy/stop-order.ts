import type { Edge, WiredNode } from "./ports.js";

/**
 * The order teardown stops nodes in: senders before their receivers, so that what a program sends
 * as it stops (its onStop handlers, its last flush) reaches receivers still running, the script's
 * own ports included. Nodes that send to each other in a cycle stop together. Returns waves: each
 * wave stops once every wave before it has.
 *
 * Tarjan's algorithm finds the cycles (strongly connected components) and emits them receivers
 * first; the waves are that order's longest paths from the senders, so independent chains stop
 * in parallel.
 */
export function stopOrder<N extends WiredNode>(nodes: readonly N[], edges: readonly Edge[]): N[][] {
  const receiversOf = new Map<WiredNode, Set<WiredNode>>(nodes.map((node) => [node, new Set()]));
  for (const edge of edges) if (edge.from.node !== edge.to.node) receiversOf.get(edge.from.node)?.add(edge.to.node);

  const components = stronglyConnected(nodes, receiversOf);
  const componentOf = new Map<WiredNode, number>();
  components.forEach((members, index) => members.forEach((node) => componentOf.set(node, index)));
  // Tarjan emits a component after every component it reaches: walking backwards visits senders first.
  const wave = new Array<number>(components.length).fill(0);
  for (let index = components.length - 1; index >= 0; index--) {
    for (const node of components[index]!) {
      for (const receiver of receiversOf.get(node)!) {
        const target = componentOf.get(receiver);
        if (target !== undefined && target !== index) wave[target] = Math.max(wave[target]!, wave[index]! + 1);
      }
    }
  }
  const waves: N[][] = [];
  components.forEach((members, index) => (waves[wave[index]!] ??= []).push(...members));
  // Keep the declaration order within a wave (the order programs are reported in).
  const declared = new Map(nodes.map((node, index) => [node, index]));
  return waves.filter(Boolean).map((members) => members.sort((a, b) => declared.get(a)! - declared.get(b)!));
}

/** Tarjan's strongly connected components, each a list of nodes, in reverse topological order (receivers first). */
function stronglyConnected<N extends WiredNode>(nodes: readonly N[], receiversOf: Map<WiredNode, Set<WiredNode>>): N[][] {
  const index = new Map<WiredNode, number>();
  const low = new Map<WiredNode, number>();
  const stack: N[] = [];
  const onStack = new Set<WiredNode>();
  const components: N[][] = [];
  const visit = (node: N): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const receiver of receiversOf.get(node)! as Set<N>) {
      if (!index.has(receiver)) {
        visit(receiver);
        low.set(node, Math.min(low.get(node)!, low.get(receiver)!));
      } else if (onStack.has(receiver)) {
        low.set(node, Math.min(low.get(node)!, index.get(receiver)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: N[] = [];
      let member: N;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}
