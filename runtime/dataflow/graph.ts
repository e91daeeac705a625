import type { OperatorSpec } from "./operator.js";
import { Stream, type GraphBuilder, type Inlet } from "./stream.js";
import { CrossJoinNode, JoinNode, NegationNode, UnionNode } from "./nodes.js";
import { identity } from "./operators/elementwise.js";
import { initialize, sourceChannel, sourceInterval, sourceIter, sourceStream, type Sender } from "./operators/sources.js";
import { crossJoin, join, type JoinOptions } from "./operators/join.js";
import { antiJoin, difference, type AntiJoinOptions } from "./operators/anti-join.js";
import { planGraph, type GraphEdge, type GraphNode, type Plan } from "./plan.js";
import { Flow } from "./flow.js";
import { fuseSubgraph } from "./fused.js";
import { interpretSubgraph } from "./interpreted.js";
import { toMermaid } from "./mermaid.js";
import { registerGraph } from "./capture.js";

export interface CompileOptions {
  /**
   * `true` (default): each in-out tree becomes one generated function. `false`: every operator
   * runs alone through the interpreter — slow, for checking the fused code against.
   */
  fused?: boolean;
}

/**
 * A dataflow graph under construction. Sources start streams; operators chain on streams; a flow
 * compiled from the graph runs it. `runTick`, `runAvailable` and `run` compile a fused flow on
 * first use; after that the graph can no longer change.
 */
export class Graph implements GraphBuilder {
  readonly name: string;
  private readonly nodeList: GraphNode[] = [];
  private readonly edgeList: GraphEdge[] = [];
  private readonly scopes: string[] = [];
  /** While `labelled()` builds: the label its operators get in pictures. */
  private label: string | undefined;
  private flow: Flow | undefined;

  constructor(options: { name?: string } = {}) {
    this.name = options.name ?? "dataflow";
    registerGraph(this);
  }

  get nodes(): readonly GraphNode[] {
    return this.nodeList;
  }

  get edges(): readonly GraphEdge[] {
    return this.edgeList;
  }

  addNode(spec: OperatorSpec): number {
    if (this.flow) throw new Error(`graph "${this.name}" is already running; build it completely first`);
    const id = this.nodeList.length;
    this.nodeList.push({ id, spec: this.label === undefined ? spec : { ...spec, label: this.label }, scope: [...this.scopes] });
    return id;
  }

  connect<T>(from: Stream<T>, to: Inlet<T>): void {
    if (from.graph !== this || to.graph !== this) throw new Error("cannot connect streams of different graphs");
    if (this.flow) throw new Error(`graph "${this.name}" is already running; build it completely first`);
    this.edgeList.push({ from: from.node, fromPort: from.outPort, to: to.node, toPort: to.inPort });
  }

  /** Builds inside a named sub-graph: its operators are labelled with the name in pictures. */
  scope<R>(name: string, build: () => R): R {
    this.scopes.push(name);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  /** Builds with `label` as the label in pictures of the operators `build` adds: a `.hf` program's operator as written. */
  labelled<R>(label: string, build: () => R): R {
    const outer = this.label;
    this.label = label;
    try {
      return build();
    } finally {
      this.label = outer;
    }
  }

  private source<T>(spec: OperatorSpec): Stream<T> {
    return new Stream<T>(this, this.addNode(spec));
  }

  /** Emits every item of `items` in the first tick. */
  sourceIter<T>(items: Iterable<T>): Stream<T> {
    return this.source(sourceIter(items));
  }

  /** Emits items of an async iterable (e.g. an inbound port) in the tick after they arrive. */
  sourceStream<T>(items: AsyncIterable<T>): Stream<T> {
    return this.source(sourceStream(items));
  }

  /**
   * A channel whose items are emitted in the tick after they are sent: for pushing from callbacks
   * (a socket's data, a timer) at high rates, with no promise per item.
   */
  sourceChannel<T>(): [Stream<T>, Sender<T>] {
    const { spec, sender } = sourceChannel();
    return [this.source<T>(spec), sender as Sender<T>];
  }

  /** Emits `Date.now()` every `periodMs` while the flow runs. */
  sourceInterval(periodMs: number): Stream<number> {
    return this.source(sourceInterval(periodMs));
  }

  /** Emits one `undefined` in the first tick. */
  initialize(): Stream<undefined> {
    return this.source(initialize());
  }

  /** A union to connect streams to later (`s.to(u)`), for cycles. */
  union<T>(): UnionNode<T> {
    return new UnionNode<T>(this, this.addNode(identity("union")));
  }

  /** A join to connect inputs to later (`a.to(j.in[0])`), for cycles. */
  join<K, V, W>(options?: JoinOptions): JoinNode<K, V, W> {
    return new JoinNode<K, V, W>(this, this.addNode(join(options)));
  }

  crossJoin<A, B>(options?: JoinOptions): CrossJoinNode<A, B> {
    return new CrossJoinNode<A, B>(this, this.addNode(crossJoin(options)));
  }

  /** An anti-join to connect `pos` (`[k, v]` items) and `neg` (keys) to later. */
  antiJoin<K, V>(options?: AntiJoinOptions): NegationNode<readonly [K, V], K> {
    return new NegationNode<readonly [K, V], K>(this, this.addNode(antiJoin(options)));
  }

  difference<T>(options?: AntiJoinOptions): NegationNode<T, T> {
    return new NegationNode<T, T>(this, this.addNode(difference(options)));
  }

  /** Strata, subgraphs and handoffs; throws `StratificationError` for a cycle through negation. */
  plan(options: CompileOptions = {}): Plan {
    return planGraph(this.nodeList, this.edgeList, options.fused ?? true);
  }

  /** A new, independent flow running this graph. */
  compile(options: CompileOptions = {}): Flow {
    const plan = this.plan(options);
    return new Flow(plan, plan.fused ? fuseSubgraph : interpretSubgraph);
  }

  /** The flow `runTick`, `runAvailable`, `run` and `stop` drive. */
  get defaultFlow(): Flow {
    return (this.flow ??= this.compile());
  }

  runTick(): void {
    this.defaultFlow.runTick();
  }

  runAvailable(): void {
    this.defaultFlow.runAvailable();
  }

  run(): Promise<void> {
    return this.defaultFlow.run();
  }

  stop(): void {
    this.flow?.stop();
  }

  /** The graph as a mermaid flowchart: subgraphs (in-out trees) with their strata, and handoffs. */
  toMermaid(options: CompileOptions = {}): string {
    return toMermaid(this.plan(options), this.name);
  }
}
