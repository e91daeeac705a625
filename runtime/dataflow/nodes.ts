import { Stream, type GraphBuilder, type Inlet } from "./stream.js";

/**
 * Operators with several inputs, created before their inputs exist so that cycles can be wired,
 * as with a named node in DFIR's surface syntax: `reached = union(); ... -> [0]reached`.
 */

function inlet<T>(graph: GraphBuilder, node: number, inPort: number): Inlet<T> {
  return { graph, node, inPort };
}

/** Merges every stream connected to it. */
export class UnionNode<T> extends Stream<T> implements Inlet<T> {
  declare readonly __accepts?: (item: T) => void;
  readonly inPort = 0;
}

/** `[0]` takes `[k, v]`, `[1]` takes `[k, w]`; emits `[k, [v, w]]`. */
export class JoinNode<K, V, W> extends Stream<[K, [V, W]]> {
  readonly in: readonly [Inlet<readonly [K, V]>, Inlet<readonly [K, W]>];

  constructor(graph: GraphBuilder, node: number) {
    super(graph, node);
    this.in = [inlet(graph, node, 0), inlet(graph, node, 1)];
  }
}

/** `[0]` takes `A`s, `[1]` takes `B`s; emits every `[a, b]`. */
export class CrossJoinNode<A, B> extends Stream<[A, B]> {
  readonly in: readonly [Inlet<A>, Inlet<B>];

  constructor(graph: GraphBuilder, node: number) {
    super(graph, node);
    this.in = [inlet(graph, node, 0), inlet(graph, node, 1)];
  }
}

/** `pos` takes items, `neg` takes the keys (anti-join) or items (difference) to exclude. */
export class NegationNode<T, N> extends Stream<T> {
  readonly pos: Inlet<T>;
  readonly neg: Inlet<N>;

  constructor(graph: GraphBuilder, node: number) {
    super(graph, node);
    this.pos = inlet(graph, node, 0);
    this.neg = inlet(graph, node, 1);
  }
}
