/**
 * The fault injector's hand on one edge (docs/ARCHITECTURE.md §4): it sits between a sending
 * port's `send` and its connection to one receiver (runtime/receiver-connection.ts) and applies the
 * edge's rule to each message as it is sent: dropped (a partition, or lost with probability p),
 * held for a delay, or passed on. Applied where messages are sent, it needs no root and works on
 * every host kind. Delays keep the link's order, as TCP does: a message never overtakes one sent
 * before it, so a message sent after a delay is cleared still waits behind those held.
 */
import type { EdgeFault } from "./edge-fault.js";
import { seededRandom } from "./random.js";
import { Fifo } from "../fifo.js";

/** The fault counters of one edge, kept in the connection's stats (they outlive a rule). */
export interface FaultCounts {
  /** Messages dropped by a partition or by loss (and delayed ones beyond MAX_HELD_BYTES). */
  droppedByFault: number;
  /** Messages held for a delay. */
  delayed: number;
}

/**
 * What one edge holds for delays at most: beyond it, a message is dropped (and counted) rather
 * than held. Like the receiving side's budget (runtime/byte-budget.ts), a bound on what a slow
 * link can make a program hold; at 1 Gb/s, half a second in flight.
 */
export const MAX_HELD_BYTES = 64 * 1024 * 1024;

type Payload = Uint8Array | string;

export class EdgeShaper {
  private fault: EdgeFault = {};
  private lossDraw: () => number = Math.random;
  private delayDraw: () => number = Math.random;
  private readonly held = new Fifo<{ payload: Payload; at: number; bytes: number }>();
  private heldBytes = 0;
  /** When the last held message goes out: no later message goes before it. */
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private overflowLogged = false;
  /** Messages ever held, and ever let go of (passed on or discarded): a flush waits for those held when it was called. */
  private everHeld = 0;
  private letGo = 0;
  private drainedWaiters: Array<{ upTo: number; wake: () => void }> = [];

  constructor(
    /** Names the edge in what it logs: `<port>→<key>`. (Its seeds are the edge's own already: random.ts edgeSeed.) */
    private readonly edge: string,
    private readonly counts: FaultCounts,
    /** Passes a message on to the connection. */
    private readonly deliver: (payload: Payload) => void,
    private readonly log: (message: string) => void,
  ) {}

  /** The edge's rule from now on (an empty one clears it). A loss or delay keeps its random stream while its parameters stay the same. */
  set(fault: EdgeFault): void {
    const { loss, delay } = this.fault;
    if (fault.loss && !(loss && loss.p === fault.loss.p && loss.seed === fault.loss.seed)) {
      this.lossDraw = seededRandom(fault.loss.seed, "loss");
    }
    if (fault.delay && !(delay && delay.ms === fault.delay.ms && delay.jitterMs === fault.delay.jitterMs && delay.seed === fault.delay.seed)) {
      this.delayDraw = seededRandom(fault.delay.seed, "delay");
    }
    this.fault = fault;
  }

  admit(payload: Payload): void {
    const { cut, loss, delay } = this.fault;
    if (cut || (loss && this.lossDraw() < loss.p)) {
      this.counts.droppedByFault++;
      return;
    }
    if (!delay && this.held.size === 0) return this.deliver(payload);
    const bytes = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
    if (this.heldBytes + bytes > MAX_HELD_BYTES) {
      this.counts.droppedByFault++;
      if (!this.overflowLogged) this.log(`holds ${MAX_HELD_BYTES / 1024 / 1024} MiB of delayed messages for ${this.edge}: dropping more until some go out`);
      this.overflowLogged = true;
      return;
    }
    const now = performance.now();
    const at = Math.max(this.lastAt, delay ? now + delay.ms + delay.jitterMs * this.delayDraw() : now);
    if (delay) this.counts.delayed++;
    this.held.put({ payload, at, bytes });
    this.everHeld++;
    this.heldBytes += bytes;
    this.lastAt = at;
    if (this.held.size === 1) this.schedule(at - now);
  }

  /** Messages are held for a delay now. */
  get holding(): boolean {
    return this.held.size > 0;
  }

  /** Resolves once every message held now has gone out (or was discarded); later ones are not waited for. */
  drained(): Promise<void> {
    const upTo = this.everHeld;
    if (this.letGo >= upTo) return Promise.resolve();
    return new Promise((wake) => this.drainedWaiters.push({ upTo, wake }));
  }

  /** The connection closed: what is held is lost (counted as dropped too). */
  discard(): void {
    clearTimeout(this.timer);
    this.counts.droppedByFault += this.held.size;
    this.letGo += this.held.size;
    while (this.held.take());
    this.heldBytes = 0;
    this.wakeDrained();
  }

  private schedule(waitMs: number): void {
    this.timer = setTimeout(() => this.release(), Math.max(0, waitMs));
  }

  /** Passes on every held message that is due, then waits for the next. */
  private release(): void {
    const now = performance.now();
    for (let next = this.held.peek(); next && next.at <= now; next = this.held.peek()) {
      this.held.take();
      this.heldBytes -= next.bytes;
      this.letGo++;
      this.deliver(next.payload);
    }
    this.wakeDrained();
    const next = this.held.peek();
    if (next) return this.schedule(next.at - now);
    this.overflowLogged = false;
  }

  private wakeDrained(): void {
    if (this.drainedWaiters.length === 0) return;
    const due = this.drainedWaiters.filter(({ upTo }) => upTo <= this.letGo);
    this.drainedWaiters = this.drainedWaiters.filter(({ upTo }) => upTo > this.letGo);
    for (const { wake } of due) wake();
  }
}
