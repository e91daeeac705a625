/** The most items one `next` answer carries. */
const MAX_BATCH = 1000;
const NOT_YET = Symbol("not yet");

/**
 * An async iterator read in batches for the Python side: `next` waits for one item, then takes what
 * else is ready within this turn of the event loop, so 10,000 messages are not 10,000 round trips.
 * A `next()` still pending when the batch closes is kept for the following call.
 */
export class BatchedStream<T> {
  private pending: Promise<IteratorResult<T>> | undefined;

  constructor(private readonly iterator: AsyncIterator<T>) {}

  async next(): Promise<{ items: T[] } | { done: true }> {
    const first = await this.take();
    if (first.done) return { done: true };
    const items = [first.value];
    while (items.length < MAX_BATCH) {
      const next = this.take();
      const ready = await Promise.race([next, new Promise<typeof NOT_YET>((resolve) => setImmediate(() => resolve(NOT_YET)))]);
      if (ready === NOT_YET || ready.done) {
        this.pending = next;
        break;
      }
      items.push(ready.value);
    }
    return { items };
  }

  async close(): Promise<void> {
    this.pending = undefined;
    await this.iterator.return?.();
  }

  private take(): Promise<IteratorResult<T>> {
    const pending = this.pending;
    this.pending = undefined;
    return pending ?? this.iterator.next();
  }
}
