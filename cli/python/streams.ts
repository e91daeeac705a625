/** The most items, and about the most bytes, one `next` answer carries (the bridge's lines are capped at 64 MiB). */
const MAX_BATCH = 1000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const NOT_YET = Symbol("not yet");

/**
 * An async iterator read in batches for the Python side, so 10,000 messages are not 10,000 round
 * trips. Over a per-item iterator (a program's lines), `next` waits for one item, then takes what
 * else is ready within this turn of the event loop; a `next()` still pending then is kept for the
 * following call. Over a batch iterator (an inbound port's `batches()`), each step is one wait and
 * nothing is ever left pending, so a stream closed early takes no message with it.
 */
export class BatchedStream<T> {
  private pending: Promise<IteratorResult<T>> | undefined;
  /** Items taken from a batch beyond what one answer carries. */
  private rest: T[] = [];

  private constructor(
    private readonly items: AsyncIterator<T> | undefined,
    private readonly batches: AsyncIterator<T[]> | undefined,
  ) {}

  static ofItems<T>(iterator: AsyncIterator<T>): BatchedStream<T> {
    return new BatchedStream(iterator, undefined);
  }

  static ofBatches<T>(iterator: AsyncIterator<T[]>): BatchedStream<T> {
    return new BatchedStream<T>(undefined, iterator);
  }

  async next(): Promise<{ items: T[] } | { done: true }> {
    if (this.rest.length === 0 && this.batches) {
      const batch = await this.batches.next();
      if (batch.done) return { done: true };
      this.rest = batch.value;
    }
    if (this.rest.length > 0) return { items: this.capped(this.rest) };
    const first = await this.take();
    if (first.done) return { done: true };
    const items = [first.value];
    let bytes = sizeOf(first.value);
    while (items.length < MAX_BATCH && bytes < MAX_BATCH_BYTES) {
      const next = this.take();
      const ready = await Promise.race([next, new Promise<typeof NOT_YET>((resolve) => setImmediate(() => resolve(NOT_YET)))]);
      if (ready === NOT_YET || ready.done) {
        this.pending = next;
        break;
      }
      items.push(ready.value);
      bytes += sizeOf(ready.value);
    }
    return { items };
  }

  async close(): Promise<void> {
    this.pending = undefined;
    this.rest = [];
    await (this.items ?? this.batches)!.return?.();
  }

  /** As many of `from` as one answer carries; the others stay in `rest`. */
  private capped(from: T[]): T[] {
    let count = 0;
    for (let bytes = 0; count < from.length && count < MAX_BATCH && (count === 0 || bytes < MAX_BATCH_BYTES); count++) bytes += sizeOf(from[count]!);
    this.rest = from.slice(count);
    return from.slice(0, count);
  }

  private take(): Promise<IteratorResult<T>> {
    const pending = this.pending;
    this.pending = undefined;
    return pending ?? this.items!.next();
  }
}

/** About how many bytes an item takes in a JSON answer. */
const sizeOf = (item: unknown): number => (typeof item === "string" ? item.length : JSON.stringify(item).length);
