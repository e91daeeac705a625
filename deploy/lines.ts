import { emit } from "./events.js";
import { Fifo } from "../runtime/fifo.js";

/** Characters an iterator may fall behind by before the program's output is paused for it. */
const ITERATOR_HIGH_WATER = 1024 * 1024;
/** Lines kept for a failure's report (ProgramFailedError.stderrTail). */
const TAIL_LINES = 20;

/**
 * A service's stdout or stderr as lines. A line goes to every iterator open at the moment it
 * arrives; a line nobody is iterating is printed as `[name] line`. The stream ends when the
 * process exits. push() returns a promise while the line's readers are behind (a slow terminal,
 * pipe or iterator): the caller stops reading the program's output until it settles.
 */
export class LineStream {
  private readonly consumers = new Set<Consumer>();
  private ended = false;
  private holdingBack = true;
  private readonly last: string[] = [];

  constructor(
    private readonly service: string,
    private readonly stream: "stdout" | "stderr",
  ) {}

  push(line: string): Promise<void> | undefined {
    if (this.last.push(line) > TAIL_LINES) this.last.shift();
    if (this.consumers.size === 0) return emit({ type: "output", service: this.service, stream: this.stream, line });
    const behind: Promise<void>[] = [];
    for (const consumer of this.consumers) {
      const caughtUp = consumer.push(line);
      if (caughtUp && this.holdingBack) behind.push(caughtUp);
    }
    return behind.length ? Promise.all(behind).then(() => {}) : undefined;
  }

  /**
   * The program is being stopped: iterators no longer hold its output back, so that it can be
   * read to the end (a process counts as exited only then) even if nobody iterates any more.
   */
  stopHoldingBack(): void {
    this.holdingBack = false;
    for (const consumer of this.consumers) consumer.release();
  }

  /** A new run of the program (restart()): lines flow again, to iterators opened from now on. */
  reopen(): void {
    this.ended = false;
    this.holdingBack = true;
  }

  /** The last lines pushed (at most 20), oldest first. */
  tail(): string[] {
    return [...this.last];
  }

  end(): void {
    this.ended = true;
    for (const consumer of this.consumers) consumer.end();
  }

  /** Starts collecting at once (not at the first `next()`), so lines between this call and the loop are kept. */
  lines(): AsyncIterableIterator<string> {
    const consumer = new Consumer(() => this.consumers.delete(consumer));
    if (this.ended) consumer.end();
    else this.consumers.add(consumer);
    return consumer;
  }
}

class Consumer implements AsyncIterableIterator<string> {
  private readonly queue = new Fifo<string>();
  private queuedChars = 0;
  private waiter: ((result: IteratorResult<string>) => void) | undefined;
  /** While the iterator is too far behind: resolved when it has caught up. */
  private caughtUp: { promise: Promise<void>; resolve: () => void } | undefined;
  private done = false;

  constructor(private readonly detach: () => void) {}

  /** Returns a promise when the iterator is too far behind: it resolves once the iterator has taken every queued line. */
  push(line: string): Promise<void> | undefined {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ value: line, done: false });
      return undefined;
    }
    this.queue.put(line);
    this.queuedChars += line.length;
    if (this.queuedChars < ITERATOR_HIGH_WATER) return undefined;
    if (!this.caughtUp) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => (resolve = settle));
      this.caughtUp = { promise, resolve };
    }
    return this.caughtUp.promise;
  }

  end(): void {
    this.done = true;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
    this.release();
  }

  next(): Promise<IteratorResult<string>> {
    const line = this.queue.take();
    if (line !== undefined) {
      this.queuedChars -= line.length;
      if (this.queue.size === 0) this.release();
      return Promise.resolve({ value: line, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<string>> {
    this.detach();
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Lets the program's output flow again. */
  release(): void {
    this.caughtUp?.resolve();
    this.caughtUp = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return this;
  }
}
