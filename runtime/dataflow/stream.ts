import type { OperatorSpec } from "./operator.js";
import type { Persistence } from "./persistence.js";
import type { Lattice } from "../lattices/lattice.js";
import { discard, elementwise, identity } from "./operators/elementwise.js";
import { enumerate, persist, sort, unique } from "./operators/stateful.js";
import { aggregate, folding, latticeFolding, latticeReducing, reducing } from "./operators/aggregate.js";
import { demux, partition } from "./operators/demux.js";
import { destSink, type Sink } from "./operators/dest-sink.js";
import type { JoinOptions } from "./operators/join.js";
import type { AntiJoinOptions } from "./operators/anti-join.js";

/**
 * What streams and multi-input nodes use of the graph they belong to; `Graph` implements it.
 * It exists to break what would be an import cycle (graph.ts creates streams and nodes, which
 * would import graph.ts back), as deploy/host.ts's `HostOwner` does for hosts and deployments.
 */
export interface GraphBuilder {
  addNode(spec: OperatorSpec): number;
  connect<T>(from: Stream<T>, to: Inlet<T>): void;
  scope<R>(name: string, build: () => R): R;
  union<T>(): Stream<T> & Inlet<T>;
  join<K, V, W>(options?: JoinOptions): Stream<[K, [V, W]]> & { readonly in: readonly [Inlet<readonly [K, V]>, Inlet<readonly [K, W]>] };
  crossJoin<A, B>(options?: JoinOptions): Stream<[A, B]> & { readonly in: readonly [Inlet<A>, Inlet<B>] };
  antiJoin<K, V>(options?: AntiJoinOptions): Stream<readonly [K, V]> & { readonly pos: Inlet<readonly [K, V]>; readonly neg: Inlet<K> };
  difference<T>(options?: AntiJoinOptions): Stream<T> & { readonly pos: Inlet<T>; readonly neg: Inlet<T> };
}

/** An input port of an operator: where a stream can be connected with `stream.to(inlet)`. */
export interface Inlet<T> {
  readonly graph: GraphBuilder;
  readonly node: number;
  readonly inPort: number;
  /** Type-only: makes `Inlet<T>` accept exactly the streams whose items are `T`s. */
  readonly __accepts?: (item: T) => void;
}

export interface PersistenceOption {
  /** `"tick"` (default): start afresh every tick; `"static"`: accumulate over the flow's life. */
  persistence?: Persistence;
}

/** Per named output of `demux`, the function that sends a value there. */
export type DemuxEmitters<Outs> = { readonly [K in keyof Outs]: (value: Outs[K]) => void };

/** Per named output of `demux` or `partition`, its stream. */
export type NamedStreams<Outs> = { readonly [K in keyof Outs]: Stream<Outs[K]> };

/**
 * One output of an operator, carrying items of type `T`. Chaining an operator adds it to the graph
 * and returns its output; using a stream more than once fans it out (an implicit `tee`).
 */
export class Stream<T> {
  /** Type-only: the item type. */
  declare readonly __item?: T;

  constructor(
    readonly graph: GraphBuilder,
    readonly node: number,
    readonly outPort = 0,
  ) {}

  /** Connects this stream to an input port, e.g. `edges.to(reach.in[1])`. */
  to(inlet: Inlet<T>): void {
    this.graph.connect(this, inlet);
  }

  /** Adds a one-input operator after this stream and returns its first output. */
  private then<U>(spec: OperatorSpec): Stream<U> {
    const node = this.graph.addNode(spec);
    this.graph.connect(this, { graph: this.graph, node, inPort: 0 });
    return new Stream<U>(this.graph, node);
  }

  map<U>(f: (item: T) => U): Stream<U> {
    return this.then(elementwise("map", f));
  }

  filter<S extends T>(predicate: (item: T) => item is S): Stream<S>;
  filter(predicate: (item: T) => boolean): Stream<T>;
  filter(predicate: (item: T) => boolean): Stream<T> {
    return this.then(elementwise("filter", predicate));
  }

  /** Maps, dropping items for which `f` returns `undefined`. */
  filterMap<U>(f: (item: T) => U | undefined): Stream<U> {
    return this.then(elementwise("filterMap", f));
  }

  flatMap<U>(f: (item: T) => Iterable<U>): Stream<U> {
    return this.then(elementwise("flatMap", f));
  }

  /** Calls `f` on each item and passes it on unchanged. */
  inspect(f: (item: T) => void): Stream<T> {
    return this.then(elementwise("inspect", f));
  }

  /** Pairs each item with its index: counted per tick (default) or over the flow's life. */
  enumerate(persistence?: Persistence): Stream<[number, T]> {
    return this.then(enumerate(persistence));
  }

  /** An explicit fan-out point (as in DFIR); any stream may also simply be used more than once. */
  tee(): Stream<T> {
    return this.then(identity("tee"));
  }

  union(...others: Stream<T>[]): Stream<T> {
    const union = this.graph.union<T>();
    for (const stream of [this, ...others]) stream.to(union);
    return union;
  }

  /**
   * Routes each item to named outputs, as DFIR `demux`: `route(item, out)` calls `out.put(x)`,
   * `out.get(y)`, ... Name the outputs' types: `s.demux<{ put: Put; get: Get }>(["put", "get"], ...)`.
   */
  demux<Outs extends Record<string, unknown>>(
    outputs: readonly (keyof Outs & string)[],
    route: (item: T, out: DemuxEmitters<Outs>) => void,
  ): NamedStreams<Outs> {
    return this.named<Outs>(outputs, demux(outputs, route as Parameters<typeof demux>[1]));
  }

  /** Sends each item, unchanged, to the output `choose(item)` names. */
  partition<K extends string>(outputs: readonly K[], choose: (item: T) => K): NamedStreams<Record<K, T>> {
    return this.named<Record<K, T>>(outputs, partition(outputs, choose));
  }

  private named<Outs>(outputs: readonly string[], spec: OperatorSpec): NamedStreams<Outs> {
    const node = this.then(spec).node;
    return Object.fromEntries(outputs.map((name, port) => [name, new Stream(this.graph, node, port)])) as NamedStreams<Outs>;
  }

  /** Equi-join of `[k, v]` with `[k, w]` into `[k, [v, w]]` (set semantics unless `multiset`). */
  join<K, V, W>(this: Stream<readonly [K, V]>, other: Stream<readonly [K, W]>, options?: JoinOptions): Stream<[K, [V, W]]> {
    const join = this.graph.join<K, V, W>(options);
    this.to(join.in[0]);
    other.to(join.in[1]);
    return join;
  }

  /** Every item of this stream paired with every item of `other`. */
  crossJoin<U>(other: Stream<U>, options?: JoinOptions): Stream<[T, U]> {
    const join = this.graph.crossJoin<T, U>(options);
    this.to(join.in[0]);
    other.to(join.in[1]);
    return join;
  }

  /** The `[k, v]` items whose key is not in `neg` this tick (negation: `neg` is blocking). */
  antiJoin<K, V>(this: Stream<readonly [K, V]>, neg: Stream<K>, options?: AntiJoinOptions): Stream<readonly [K, V]> {
    const anti = this.graph.antiJoin<K, V>(options);
    this.to(anti.pos);
    neg.to(anti.neg);
    return anti;
  }

  /** The items not in `neg` this tick (negation: `neg` is blocking). */
  difference(neg: Stream<T>, options?: AntiJoinOptions): Stream<T> {
    const diff = this.graph.difference<T>(options);
    this.to(diff.pos);
    neg.to(diff.neg);
    return diff;
  }

  /** Blocking: folds the tick's items (or all items, `'static`) and emits the result every tick. */
  fold<A>(init: () => A, combine: (accumulator: A, item: T) => A, options?: PersistenceOption): Stream<A> {
    return this.then(aggregate(folding(init, combine), { keyed: false, ...options }));
  }

  /** Blocking: like `fold` seeded with the first item; emits nothing when there are no items. */
  reduce(combine: (accumulator: T, item: T) => T, options?: PersistenceOption): Stream<T> {
    return this.then(aggregate(reducing(combine), { keyed: false, ...options }));
  }

  /** Blocking: folds the values of `[key, value]` items per key into `[key, result]`. */
  foldKeyed<K, V, A>(this: Stream<readonly [K, V]>, init: () => A, combine: (accumulator: A, value: V) => A, options?: PersistenceOption): Stream<[K, A]> {
    return this.then(aggregate(folding(init, combine), { keyed: true, ...options }));
  }

  /** Blocking: reduces the values of `[key, value]` items per key into `[key, result]`. */
  reduceKeyed<K, V>(this: Stream<readonly [K, V]>, combine: (accumulator: V, value: V) => V, options?: PersistenceOption): Stream<[K, V]> {
    return this.then(aggregate(reducing(combine), { keyed: true, ...options }));
  }

  /** Each distinct item once per tick (or once ever, `'static`). */
  unique(persistence?: Persistence): Stream<T> {
    return this.then(unique(persistence));
  }

  /** Blocking: the tick's items in order (`<` unless `compare` is given). */
  sort(compare?: (a: T, b: T) => number): Stream<T> {
    return this.then(sort(compare));
  }

  /** Remembers every item and replays all of them at the start of every later tick. */
  persist(): Stream<T> {
    return this.then(persist());
  }

  /** Blocking: merges the tick's lattice values (or all, `'static`) into `bottom()`; emits it every tick. */
  latticeFold<L extends Lattice<L>>(this: Stream<L>, bottom: () => L, options?: PersistenceOption): Stream<L> {
    return this.then(aggregate(latticeFolding(bottom as () => Lattice<unknown>), { keyed: false, ...options }));
  }

  /** Blocking: merges the tick's lattice values into a copy of the first; nothing if there are none. */
  latticeReduce<L extends Lattice<L>>(this: Stream<L>, options?: PersistenceOption): Stream<L> {
    return this.then(aggregate(latticeReducing(), { keyed: false, ...options }));
  }

  /** Moves what follows to a later stratum, so it sees this stream's complete tick. */
  nextStratum(): Stream<T> {
    return this.then(identity("nextStratum"));
  }

  /** Delivers each item in the next tick; this is what makes a cycle through negation legal. */
  deferTick(): Stream<T> {
    return this.then(identity("deferTick"));
  }

  forEach(f: (item: T) => void): void {
    this.then(elementwise("forEach", f));
  }

  /** Sends every item to an outbound port, a channel, or a function. */
  destSink(sink: Sink<T>): void {
    this.then(destSink(sink as Sink<never>));
  }

  /** Drops every item (DFIR `null()`). */
  null(): void {
    this.then(discard());
  }
}
