/**
 * The byte budget of a receiving port: accounts every byte the port holds (what each connection
 * holds of a frame it has not finished, and the messages not delivered yet) and says which
 * connections may be read, so that senders cannot make the port hold more than its limit.
 */

/** Above this many undelivered messages the port stops reading from its senders (TCP backpressure). */
const HIGH_WATER = 4096;

/** One connection's share of the budget. */
export class Holding {
  /** Bytes charged: what it holds of its unfinished frame, or the whole frame once granted. */
  charged = 0;
  /** Its unfinished frame is charged in full, so it may be read to the end. */
  granted = false;
  /** The size of the frame it waits to be granted (it is not read meanwhile); 0 when not waiting. */
  waitingFor = 0;

  /** `onGranted`: the frame it waited for is granted, so it may be read again. */
  constructor(readonly onGranted: () => void) {}
}

export class ByteBudget {
  /** Bytes charged to connections, and of the messages. */
  private used = 0;
  private messages = 0;
  private messageBytes = 0;
  private grants = 0;
  /** Connections waiting for their frame to fit, first come first served. */
  private readonly waiting: Holding[] = [];
  /**
   * Over the limit (or HIGH_WATER messages): nothing new is read (only granted frames are finished)
   * until half the limit (and of HIGH_WATER) is free again.
   */
  private paused = false;

  /** `onPausedChange`: reading was paused or resumed, so every connection may have to stop or start. */
  constructor(
    private readonly limit: number,
    private readonly onPausedChange: () => void,
  ) {}

  /** Bytes of the messages taken in and not delivered (or rejected) yet, each counted as its frame's size. */
  get heldInMessages(): number {
    return this.messageBytes;
  }

  mayRead(holding: Holding): boolean {
    return holding.granted || (holding.waitingFor === 0 && !this.paused);
  }

  /**
   * After a read: the connection holds `held` bytes of an unfinished frame that is `frameBytes`
   * long in all (0 while its length is not known yet). A frame that starts is granted if it fits,
   * else the connection waits.
   */
  hold(holding: Holding, held: number, frameBytes: number): void {
    // A granted frame is charged in full already, and what a granted connection holds is part of it.
    if (holding.granted) return;
    this.charge(holding, held);
    if (frameBytes === 0 || holding.waitingFor > 0) return;
    if (this.fits(holding, frameBytes)) return this.grant(holding, frameBytes);
    holding.waitingFor = frameBytes;
    this.waiting.push(holding);
  }

  /**
   * A frame of `bytes` from the connection is complete, and held as a message until it is released.
   * If it is the connection's granted frame, its charge passes to the message.
   */
  message(holding: Holding, bytes: number): void {
    this.messages++;
    this.messageBytes += bytes;
    let change = bytes;
    if (holding.granted) {
      this.ungrant(holding);
      change -= holding.charged;
      holding.charged = 0;
    }
    this.adjust(change);
  }

  /** `count` messages (one by default) of `bytes` in all were delivered, or rejected. */
  released(bytes: number, count = 1): void {
    this.messages -= count;
    this.messageBytes -= bytes;
    this.adjust(-bytes);
  }

  /** The connection's granted frame is complete and is not kept (a hello): its charge is free. */
  finished(holding: Holding): void {
    this.ungrant(holding);
    this.charge(holding, 0);
  }

  /** The connection is closed: what it held is free. */
  leave(holding: Holding): void {
    if (holding.waitingFor > 0) {
      holding.waitingFor = 0;
      this.waiting.splice(this.waiting.indexOf(holding), 1);
    }
    if (holding.granted) this.ungrant(holding);
    this.charge(holding, 0);
  }

  /**
   * A frame fits if the budget has room for all of it. When nothing else can free budget (no
   * frame is granted, no message waits to be delivered), one frame is let through whatever its
   * size, so a frame up to the port's maximum never stalls.
   */
  private fits(holding: Holding, frameBytes: number): boolean {
    if (this.grants === 0 && this.messages === 0) return true;
    return !this.paused && this.used - holding.charged + frameBytes <= this.limit;
  }

  private grant(holding: Holding, frameBytes: number): void {
    holding.granted = true;
    this.grants++;
    this.charge(holding, frameBytes);
  }

  private ungrant(holding: Holding): void {
    holding.granted = false;
    this.grants--;
  }

  private charge(holding: Holding, bytes: number): void {
    const change = bytes - holding.charged;
    holding.charged = bytes;
    if (change !== 0) this.adjust(change);
  }

  private adjust(change: number): void {
    this.used += change;
    const paused = this.paused ? this.used >= this.limit / 2 || this.messages >= HIGH_WATER / 2 : this.used >= this.limit || this.messages >= HIGH_WATER;
    if (paused !== this.paused) {
      this.paused = paused;
      this.onPausedChange();
    }
    if (change < 0 && this.waiting.length > 0) this.grantWaiting();
  }

  private grantWaiting(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (!this.fits(next, next.waitingFor)) return;
      this.waiting.shift();
      const frameBytes = next.waitingFor;
      next.waitingFor = 0;
      this.grant(next, frameBytes);
      next.onGranted();
    }
  }
}
