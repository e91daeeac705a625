import type { Emit, ExternalSource, OperatorInstance, OperatorSpec } from "../operator.js";
import { call, nameOf } from "../label.js";

const NOTHING: readonly unknown[] = [];

/** Hands out `items` once, in the first tick; an array, so that the fused loop can index it. */
class IterSource implements OperatorInstance {
  private taken = false;

  constructor(
    private readonly emit: Emit,
    private readonly items: Iterable<unknown>,
  ) {}

  take(): readonly unknown[] {
    if (this.taken) return NOTHING;
    this.taken = true;
    return Array.isArray(this.items) ? this.items : Array.from(this.items);
  }

  start(): void {
    for (const item of this.take()) this.emit(item);
  }
}

/** Emits every item of `items` in the first tick (DFIR `source_iter`). */
export function sourceIter(items: Iterable<unknown>, kind = "sourceIter", label?: string): OperatorSpec {
  return {
    kind,
    label: label ?? call(kind, Array.isArray(items) ? `[${items.length} items]` : "iterable"),
    inputs: [],
    outputs: ["0"],
    instantiate: (out) => new IterSource(out[0]!, items),
    fused: {
      start: (c) => {
        const items = c.fresh();
        const i = c.fresh();
        const item = c.fresh();
        return `const ${items} = ${c.instance()}.take();
for (let ${i} = 0; ${i} < ${items}.length; ${i}++) {
const ${item} = ${items}[${i}];
${c.emit(0, item)}
}`;
      },
    },
  };
}

/** Emits one `undefined` in the first tick: a trigger for start-up work (DFIR `initialize`). */
export function initialize(): OperatorSpec {
  return sourceIter([undefined], "initialize", call("initialize"));
}

/**
 * Items that arrive from outside between ticks; the next tick ingests all of them.
 * Errors from outside are rethrown by the tick that would have ingested them.
 */
abstract class BufferedSource implements ExternalSource {
  protected buffer: unknown[] = [];
  protected wake: () => void = () => {};
  private failure: { error: unknown } | undefined;

  constructor(private readonly emit: Emit) {}

  abstract activate(wake: () => void): void;
  abstract deactivate(): void;
  abstract exhausted(): boolean;

  protected receive(item: unknown): void {
    this.buffer.push(item);
    this.wake();
  }

  protected fail(error: unknown): void {
    this.failure = { error };
    this.wake();
  }

  start(): void {
    if (this.failure) throw this.failure.error;
    const items = this.buffer;
    this.buffer = [];
    for (const item of items) this.emit(item);
  }

  hasPendingInput(): boolean {
    return this.buffer.length > 0 || this.failure !== undefined;
  }
}

class AsyncIterableSource extends BufferedSource {
  private iterator: AsyncIterator<unknown> | undefined;
  private ended = false;

  constructor(
    emit: Emit,
    private readonly items: AsyncIterable<unknown>,
  ) {
    super(emit);
  }

  activate(wake: () => void): void {
    if (this.iterator) return;
    this.wake = wake;
    const iterator = this.items[Symbol.asyncIterator]();
    this.iterator = iterator;
    void (async () => {
      try {
        for (let next = await iterator.next(); !next.done && !this.ended; next = await iterator.next()) {
          this.receive(next.value);
        }
      } catch (error) {
        this.fail(error);
      } finally {
        this.ended = true;
        this.wake();
      }
    })();
  }

  deactivate(): void {
    if (this.ended) return;
    this.ended = true;
    void this.iterator?.return?.();
  }

  exhausted(): boolean {
    return this.ended && this.buffer.length === 0;
  }
}

/** Items of an async iterable (an inbound port, a channel), ingested tick by tick (DFIR `source_stream`). */
export function sourceStream(items: AsyncIterable<unknown>): OperatorSpec {
  const name = nameOf(items);
  return {
    kind: "sourceStream",
    label: name === undefined ? call("sourceStream") : call("sourceStream", name),
    inputs: [],
    outputs: ["0"],
    instantiate: (out) => new AsyncIterableSource(out[0]!, items),
  };
}

/** The sending end of `graph.sourceChannel()`. */
export interface Sender<T> {
  /** Queues `item` for the next tick; ignored once closed. */
  send(item: T): void;
  /** No more items: the flow may end once it has ingested what was sent. */
  close(): void;
}

/** Items pushed from callbacks (sockets, timers), without a promise per item as an async iterable costs. */
class ChannelSource extends BufferedSource {
  private closed = false;

  activate(wake: () => void): void {
    this.wake = wake;
    if (this.buffer.length > 0 || this.closed) wake();
  }

  deactivate(): void {
    this.closed = true;
  }

  exhausted(): boolean {
    return this.closed && this.buffer.length === 0;
  }

  send(item: unknown): void {
    if (!this.closed) this.receive(item);
  }

  close(): void {
    this.closed = true;
    this.wake();
  }
}

/**
 * A push channel into the flow (DFIR's `unbounded_channel` read by `source_stream`). What is sent
 * before the flow is compiled waits for it; the sender feeds the most recently compiled flow.
 */
export function sourceChannel(): { spec: OperatorSpec; sender: Sender<unknown> } {
  const early: unknown[] = [];
  let closed = false;
  let source: ChannelSource | undefined;
  const sender: Sender<unknown> = {
    send: (item) => (source ? source.send(item) : closed || early.push(item)),
    close: () => {
      closed = true;
      source?.close();
    },
  };
  const spec: OperatorSpec = {
    kind: "sourceChannel",
    label: call("sourceChannel"),
    inputs: [],
    outputs: ["0"],
    instantiate: (out) => {
      source = new ChannelSource(out[0]!);
      for (const item of early.splice(0)) source.send(item);
      if (closed) source.close();
      return source;
    },
  };
  return { spec, sender };
}

class IntervalSource extends BufferedSource {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    emit: Emit,
    private readonly periodMs: number,
  ) {
    super(emit);
  }

  activate(wake: () => void): void {
    if (this.timer || this.stopped) return;
    this.wake = wake;
    this.timer = setInterval(() => this.receive(Date.now()), this.periodMs);
  }

  deactivate(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  exhausted(): boolean {
    return this.stopped;
  }
}

/** Emits the time (`Date.now()`) every `periodMs` milliseconds while the flow runs (DFIR `source_interval`). */
export function sourceInterval(periodMs: number): OperatorSpec {
  return {
    kind: "sourceInterval",
    label: call("sourceInterval", `${periodMs}ms`),
    inputs: [],
    outputs: ["0"],
    instantiate: (out) => new IntervalSource(out[0]!, periodMs),
  };
}
