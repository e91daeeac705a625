/** What Ctrl-C and the script's end do to a deployment (deploy/deployment.ts). */
export interface LiveDeployment {
  teardown(): Promise<void>;
  /** At once, without waiting (a second Ctrl-C). */
  kill(): void;
}

/** Deployments that have started and not yet been torn down: what Ctrl-C and script end must clean up. */
export const live = new Set<LiveDeployment>();

export async function teardownAll(): Promise<void> {
  await Promise.allSettled([...live].map((deployment) => deployment.teardown()));
}

export function killAll(): void {
  for (const deployment of live) deployment.kill();
}

const fatalListeners = new Set<(error: Error) => void>();

/** A failure after deploy() returned (a host lost): the CLI ends the run with it. */
export function onFatal(listener: (error: Error) => void): () => void {
  fatalListeners.add(listener);
  return () => fatalListeners.delete(listener);
}

/** Returns whether anyone took the error. */
export function reportFatal(error: Error): boolean {
  for (const listener of fatalListeners) listener(error);
  return fatalListeners.size > 0;
}
