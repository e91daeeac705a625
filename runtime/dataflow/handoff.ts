/** A buffer between two subgraphs: filled by one, drained by the other when it next runs. */
export class Handoff {
  protected items: unknown[] = [];

  push(item: unknown): void {
    this.items.push(item);
  }

  /** Everything buffered so far; later pushes start a new buffer. */
  take(): unknown[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  hasItems(): boolean {
    return this.items.length > 0;
  }
}

/** The input of `deferTick`: what is pushed during one tick can be taken only in the next. */
export class NextTickHandoff extends Handoff {
  private ready: unknown[] = [];

  override take(): unknown[] {
    const ready = this.ready;
    this.ready = [];
    return ready;
  }

  override hasItems(): boolean {
    return this.ready.length > 0;
  }

  /** Between ticks: true if the next tick has something to take. */
  hasDeferred(): boolean {
    return this.ready.length > 0;
  }

  /** End of tick: this tick's items become the next tick's. */
  advance(): void {
    this.ready = this.items.length > 0 ? this.items.concat(this.ready) : this.ready;
    this.items = [];
  }
}
