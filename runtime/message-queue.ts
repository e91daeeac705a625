/**
 * The messages a receiving port has taken in and not yet delivered, in arrival order, and the
 * iterators that wait for them: one message per step, or every queued message per step (batches).
 */
import { Fifo } from "./fifo.js";

/** One message as a receiver sees it: `from` is the sending service (or external endpoint). */
export interface Received<T> {
  from: string;
  data: T;
}

export class MessageQueue<T> {
  private readonly messages = new Fifo<Received<T>>();
  /** The frame sizes of the queued messages, handed to `onTaken` as each is delivered. */
  private readonly sizes = new Fifo<number>();
  /** Iterators waiting for a message: woken (once) when one is queued or the queue closes. */
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  /** `onTaken(bytes, count)`: `count` messages whose frames were `bytes` long in all were delivered. */
  constructor(private readonly onTaken: (bytes: number, count: number) => void) {}

  put(message: Received<T>, bytes: number): void {
    this.messages.put(message);
    this.sizes.put(bytes);
    this.waiters.shift()?.();
  }

  /** Iteration ends once the queued messages are delivered. */
  close(): void {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<Received<T>> {
    return this.iterator(() => this.take(), false);
  }

  /** Each step yields every message queued by then (at least one), in order. */
  batches(): AsyncIterable<Received<T>[]> {
    return {
      [Symbol.asyncIterator]: () => this.iterator(() => this.takeAll(), true),
    };
  }

  /**
   * An iterator whose steps `take` from the queue, waiting while it has nothing and is open.
   * `wholeChunks`: a woken step takes once the chunk being read is done (so a batch gets all of its
   * messages); a per-message step takes at once (no microtask per message on the hot path).
   */
  private iterator<V>(take: () => V | undefined, wholeChunks: boolean): AsyncIterator<V> {
    const step = (): IteratorResult<V> | undefined => {
      const value = take();
      if (value !== undefined) return { value, done: false };
      if (this.closed) return { value: undefined, done: true };
      return undefined;
    };
    return {
      next: () => {
        const now = step();
        if (now) return Promise.resolve(now);
        return new Promise((resolve) => {
          // Woken when a message is queued; another iterator may have taken it first: then it waits again.
          const attempt = () => {
            const result = step();
            if (result) resolve(result);
            else this.waiters.push(wake);
          };
          const wake = wholeChunks ? () => queueMicrotask(attempt) : attempt;
          this.waiters.push(wake);
        });
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  private take(): Received<T> | undefined {
    const message = this.messages.take();
    if (message) this.onTaken(this.sizes.take()!, 1);
    return message;
  }

  /** Every queued message at once, their bytes released together; undefined when none is queued. */
  private takeAll(): Received<T>[] | undefined {
    if (this.messages.size === 0) return undefined;
    const batch = this.messages.takeAll();
    const sizes = this.sizes.takeAll();
    let bytes = 0;
    for (let i = 0; i < sizes.length; i++) bytes += sizes[i]!;
    this.onTaken(bytes, batch.length);
    return batch;
  }
}
