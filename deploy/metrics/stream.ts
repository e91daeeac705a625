import { Fifo } from "../../runtime/fifo.js";
import type { MetricSample } from "./sample.js";

/** Samples an iterator may fall behind by; older ones are dropped (an hour of one program's, at 1 s). */
const BEHIND_LIMIT = 4096;

/**
 * The deployment's samples, to every iterator open when one arrives (`d.metrics()`): an iterator
 * sees the samples from its creation on, and ends at teardown. One that is not read holds at most
 * BEHIND_LIMIT samples, dropping the oldest: metrics never hold the deployment back.
 */
export class MetricStream {
  private readonly readers = new Set<Reader>();
  private ended = false;

  push(sample: MetricSample): void {
    for (const reader of this.readers) reader.push(sample);
  }

  end(): void {
    this.ended = true;
    for (const reader of this.readers) reader.end();
    this.readers.clear();
  }

  iterate(): AsyncIterableIterator<MetricSample> {
    const reader = new Reader(() => this.readers.delete(reader));
    if (this.ended) reader.end();
    else this.readers.add(reader);
    return reader;
  }
}

class Reader implements AsyncIterableIterator<MetricSample> {
  private readonly queue = new Fifo<MetricSample>();
  private wake: (() => void) | undefined;
  private done = false;

  constructor(private readonly leave: () => void) {}

  push(sample: MetricSample): void {
    this.queue.put(sample);
    if (this.queue.size > BEHIND_LIMIT) this.queue.take();
    this.wake?.();
  }

  end(): void {
    this.done = true;
    this.wake?.();
  }

  async next(): Promise<IteratorResult<MetricSample>> {
    while (this.queue.size === 0 && !this.done) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    const sample = this.queue.take();
    if (sample !== undefined) return { value: sample, done: false };
    return { value: undefined, done: true };
  }

  /** Left (`break`): what is queued is dropped, and a `next()` waiting meanwhile ends too. */
  async return(): Promise<IteratorResult<MetricSample>> {
    this.done = true;
    this.queue.takeAll();
    this.leave();
    this.wake?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
