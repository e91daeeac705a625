// The hosts a boot agent booted into a test cluster, by the cloud's key for each instance (EC2:
// its id; GCE: zone/name). Each gets a host name no other host of the cluster has, is removed once
// however often that is asked for, and every failure lands in `errors` instead of being thrown:
// all of it happens in the background, where nobody would catch it. README §EC2 boot agent.
import { type BootRequest, type BootedHost, MAX_BOOTED_NAME, bootHost } from "../../e2e/cluster/boot.js";
import type { ClusterDescription } from "../../e2e/cluster/cluster.js";

export class BootedHosts {
  /** What failed in the background; a test asserts it stays empty. */
  readonly errors: Error[] = [];
  private readonly hosts = new Map<string, BootedHost>();
  /** Key → host name, from the start of its boot until its removal is over. */
  private readonly names = new Map<string, string>();
  private readonly removals = new Map<string, Promise<void>>();

  constructor(private readonly cluster: ClusterDescription) {}

  /** Key → host, for every host booted and not being removed. */
  booted(): ReadonlyMap<string, BootedHost> {
    return new Map(this.hosts);
  }

  /**
   * Boots `request` as the host of `key`, named `request.name`, or `name-2`, `name-3`… while a host
   * of the cluster has that name (two GCE zones may each have a vm1). Undefined when it failed.
   */
  async boot(key: string, request: BootRequest): Promise<BootedHost | undefined> {
    if (this.names.has(key)) {
      this.report(`instance ${key}`, new Error("it has a host already"));
      return undefined;
    }
    const name = this.freeName(request.name);
    // Taken before the first await, so a boot running alongside picks another.
    this.names.set(key, name);
    try {
      const host = await bootHost(this.cluster, { ...request, name });
      this.hosts.set(key, host);
      return host;
    } catch (error) {
      // bootHost removed what it had made.
      this.names.delete(key);
      this.report(`instance ${key}`, error);
      return undefined;
    }
  }

  /** Removes the host of `key`. Asked again while that runs, waits for it; asked later, does nothing. */
  remove(key: string): Promise<void> {
    const host = this.hosts.get(key);
    if (!host) return this.removals.get(key) ?? Promise.resolve();
    this.hosts.delete(key);
    const removal = this.attempt(`instance ${key}`, () => host.remove()).finally(() => {
      this.removals.delete(key);
      this.names.delete(key);
    });
    this.removals.set(key, removal);
    return removal;
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.hosts.keys(), ...this.removals.keys()].map((key) => this.remove(key)));
  }

  /** Keys of the booted hosts whose guest ran its power-off command (README §EC2 boot agent). */
  poweredOff(): string[] {
    return [...this.hosts].filter(([, host]) => host.poweredOff()).map(([key]) => key);
  }

  /** Runs `work`; a failure is recorded as `what: message`, not thrown. */
  async attempt(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.report(what, error);
    }
  }

  report(what: string, error: unknown): void {
    this.errors.push(new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
  }

  private freeName(wish: string): string {
    const taken = new Set([...this.cluster.hosts.map((host) => host.name), ...this.names.values()]);
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? "" : `-${n}`;
      const name = wish.slice(0, MAX_BOOTED_NAME - suffix.length) + suffix;
      if (!taken.has(name)) return name;
    }
  }
}
