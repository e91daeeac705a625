import { removeClusters } from "./teardown.js";

/** Clusters of this process that are still up, with the function that stops each. */
const liveClusters = new Map<string, () => Promise<void>>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Removes the cluster if this process ends without stopping it: on SIGINT/SIGTERM/SIGHUP with
 * `stop` (then dies of the signal unless someone else handles it), on any other exit synchronously.
 */
export function removeOnExit(id: string, stop: () => Promise<void>): void {
  if (liveClusters.size === 0) listen(true);
  liveClusters.set(id, stop);
}

export function forgetOnExit(id: string): void {
  if (liveClusters.delete(id) && liveClusters.size === 0) listen(false);
}

function listen(on: boolean): void {
  const method = on ? "on" : "off";
  process[method]("exit", removeSync);
  for (const signal of SIGNALS) process[method](signal, onSignal);
}

function removeSync(): void {
  for (const id of liveClusters.keys()) removeClusters({ id });
  liveClusters.clear();
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  // Another signal while stopping gets the default action: a second Ctrl-C forces.
  for (const other of SIGNALS) process.off(other, onSignal);
  await Promise.allSettled([...liveClusters.values()].map((stop) => stop()));
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
