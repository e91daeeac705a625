/** A first-in first-out queue whose take() is O(1) (Array#shift copies a long array on every call). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  put(item: T): void {
    this.items.push(item);
  }

  /** The item take() would return, left in place. */
  peek(): T | undefined {
    return this.head === this.items.length ? undefined : this.items[this.head];
  }

  /** Every item, in order, leaving the queue empty. */
  takeAll(): T[] {
    const items = this.head === 0 ? this.items : this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return items;
  }

  take(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) {
      // Empty: reuse the array (a queue that is taken as fast as it is put allocates nothing).
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // Drop the taken slots once they are half the array, so memory follows the queue's size.
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
