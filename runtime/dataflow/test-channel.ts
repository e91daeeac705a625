/** For tests: a channel, an async iterable the test pushes into, like an inbound port. */
export function channel<T>(): { items: AsyncIterable<T>; send(item: T): void; close(): void } {
  const queue: T[] = [];
  let closed = false;
  let notify: (() => void) | undefined;
  const poke = () => {
    notify?.();
    notify = undefined;
  };
  return {
    send: (item) => {
      queue.push(item);
      poke();
    },
    close: () => {
      closed = true;
      poke();
    },
    items: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (queue.length > 0) yield queue.shift()!;
          else if (closed) return;
          else await new Promise<void>((resolve) => (notify = resolve));
        }
      },
    },
  };
}

/** Resolves once what was sent on channels has reached the stream sources reading them. */
export const delivered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
