import type { Shared } from "./host.js";
import { HydroError } from "./errors.js";
import { TIMED_OUT, within } from "./bounded.js";

/** How long releasing one shared resource may take (a cloud network waits for its VMs to go) before teardown gives up on it. */
const RELEASE_MS = 10 * 60_000;

/** What a deployment's hosts share (LaunchContext.shared): created once per key, released after the hosts, newest first. */
export class SharedResources {
  private readonly resources = new Map<string, Promise<Shared<unknown>>>();

  get<T>(key: string, create: () => Promise<Shared<T>>): Promise<T> {
    let resource = this.resources.get(key);
    if (!resource) this.resources.set(key, (resource = create()));
    return resource.then((shared) => shared.value as T);
  }

  /** Releases every resource that was created, newest first (a firewall before its network); rejects naming those that failed. */
  async releaseAll(): Promise<void> {
    const problems: string[] = [];
    for (const [key, resource] of [...this.resources].reverse()) {
      const shared = await resource.catch(() => undefined);
      if (!shared) continue;
      const released = await within(
        shared.release().then(
          () => undefined,
          (error: Error) => error.message,
        ),
        RELEASE_MS,
      );
      if (released === TIMED_OUT) problems.push(`${key}: not released within ${RELEASE_MS / 60_000} min; gave up on it`);
      else if (released !== undefined) problems.push(`${key}: ${released}`);
    }
    this.resources.clear();
    if (problems.length) throw new HydroError(`could not release what the hosts shared: ${problems.join("; ")}`);
  }
}
