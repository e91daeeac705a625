/**
 * The contract between the graph (which only knows shapes: ports, blocking, labels) and the
 * code that runs an operator. Element types are erased here; `Stream<T>` carries them.
 */

/** Passes one item to everything connected to one output port. */
export type Emit = (item: unknown) => void;

/** The running state of one operator in one flow. */
export interface OperatorInstance {
  /** One item arrives on input `port`. */
  input?(port: number, item: unknown): void;
  /**
   * First run of the operator's subgraph in a tick, after its blocking inputs and before anything
   * else of the tick reaches it: sources emit, `'static` state replays what earlier ticks stored.
   */
  start?(): void;
  /** After the first run's inputs are drained: blocking operators emit their result. */
  finish?(): void;
  /** End of tick: `'tick` state is forgotten. */
  endTick?(): void;
  /** External input has arrived that the next tick should ingest. */
  hasPendingInput?(): boolean;
}

/** An operator fed from outside the flow (a port, a timer): started with the flow, stopped with it. */
export interface ExternalSource extends OperatorInstance {
  activate(wake: () => void): void;
  deactivate(): void;
  /** True once no more input can ever arrive. */
  exhausted(): boolean;
}

export function isExternalSource(op: OperatorInstance): op is ExternalSource {
  return typeof (op as Partial<ExternalSource>).activate === "function";
}

export interface InputPort {
  name: string;
  /** The operator needs all of this input for the tick before emitting: forces a later stratum. */
  blocking?: boolean;
  /** Negation (anti-join): blocking, and a cycle through it can never be stratified. */
  negated?: boolean;
  /** Items reach the operator in the next tick (`deferTick`); not a stratum constraint. */
  nextTick?: boolean;
}

/** What the code generator needs to inline an operator into a fused subgraph function. */
export interface FusedCode {
  /** Code run for each item arriving on input `port`, held in the variable named `item`. */
  input?(code: CodeContext, port: number, item: string): string;
  /** Code run on the first run of each tick (sources). */
  start?(code: CodeContext): string;
}

export interface CodeContext {
  /** A local variable bound once to this operator instance's field `name`. */
  field(name: string): string;
  /**
   * A local variable bound once to this operator instance, to call its methods on. Methods are
   * one function for every instance, so V8's call sites stay monomorphic from one flow to the
   * next; a closure per instance would not, and costs the generated code its optimizations.
   */
  instance(): string;
  /** Code that passes the value of expression `value` to everything on output `port`. */
  emit(port: number, value: string): string;
  /** A fresh local variable name. */
  fresh(): string;
}

export interface OperatorSpec {
  /** Operator name as in DFIR's surface syntax (`map`, `join`, ...). */
  kind: string;
  /** Human-readable call, shown in pictures: `map(x => x * 2)`. */
  label: string;
  inputs: readonly InputPort[];
  outputs: readonly string[];
  instantiate(out: readonly Emit[], context: RunContext): OperatorInstance;
  fused?: FusedCode;
}

/** What an instance may ask of the flow running it. */
export interface RunContext {
  /** Number of the tick being run (0 for the first). */
  readonly tick: number;
}
