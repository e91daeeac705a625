/** Thrown into every pending sleep by `clear()`: the double is stopping. */
export class TimersCleared extends Error {
  constructor() {
    super("the GCE double stopped");
  }
}

/** Timeouts that `clear()` cancels all at once, so a stopped double leaves nothing scheduled. */
export class Timers {
  private readonly pending = new Map<NodeJS.Timeout, (error: Error) => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, reject);
    });
  }

  clear(): void {
    for (const [timer, reject] of this.pending) {
      clearTimeout(timer);
      reject(new TimersCleared());
    }
    this.pending.clear();
  }
}
