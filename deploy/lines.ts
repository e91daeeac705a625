import { emit } from "./events.js";

/**
 * A service's stdout or stderr as lines. A line goes to every iterator open at the moment it
 * arrives; a line nobody is iterating is printed as `[name] line`. The stream ends when the
 * process exits.
 */
export class LineStream {
  private readonly consumers = new Set<Consumer>();
  private ended = false;

  constructor(
    private readonly service: string,
    private readonly stream: "stdout" | "stderr",
  ) {}

  push(line: string): void {
    if (this.consumers.size === 0) {
      emit({ type: "output", service: this.service, stream: this.stream, line });
      return;
    }
    for (const consumer of this.consumers) consumer.push(line);
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
  private readonly queue: string[] = [];
  private waiter: ((result: IteratorResult<string>) => void) | undefined;
  private done = false;

  constructor(private readonly detach: () => void) {}

  push(line: string): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ value: line, done: false });
    } else this.queue.push(line);
  }

  end(): void {
    this.done = true;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = undefined;
  }

  next(): Promise<IteratorResult<string>> {
    const line = this.queue.shift();
    if (line !== undefined) return Promise.resolve({ value: line, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<string>> {
    this.detach();
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return this;
  }
}
