// A background loop for the boot agents: one round every `pollMs` until stopped, a failed round
// reported and the next one run anyway.
import { setTimeout as sleep } from "node:timers/promises";

export interface Polling {
  /** Ends the loop; resolves once the round in progress, if any, is over. */
  stop(): Promise<void>;
}

export function startPolling(pollMs: number, round: () => Promise<void>, onError: (error: unknown) => void): Polling {
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await round().catch(onError);
      await sleep(pollMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
