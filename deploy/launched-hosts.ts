import { TornDownError, HostError, HydroError, combine } from "./errors.js";
import { TIMED_OUT, within } from "./bounded.js";
import type { Host, LaunchContext, LaunchedHost } from "./host.js";
import { SharedResources } from "./shared-resources.js";
import type { DeploymentState } from "./state/state-file.js";

/** How long releasing a host may take (a launch still finishing, then its own teardown) before teardown gives up on it. */
const HOST_RELEASE_MS = 10_000;

/** What the hosts' lifecycle needs of its Deployment. */
export interface HostsOwner {
  readonly id: string;
  readonly name: string;
  readonly state: DeploymentState;
  /** Runs a launch as the step `deploy › hosts › <name>`. */
  launchStep(host: Host, launch: () => Promise<LaunchedHost>): Promise<LaunchedHost>;
  /** A host became unreachable after launch. */
  lost(host: Host, reason: string): void;
  /** A host launched by someone else (a Deployment's pool): its launch, which this owner neither makes nor releases. */
  launchedElsewhere?(host: Host): Promise<LaunchedHost> | undefined;
  /** A launch that failed is tried again by the next `launch()` (a pool's next deployment), instead of failing it at once. */
  readonly retriesFailedLaunches?: boolean;
}

/**
 * The hosts of one deployment, from launch to release: each launched once, whoever asks first
 * (a node, or a host behind it as its jump host); what they share released after all of them;
 * every wait bounded, so teardown ends even when a host does not answer.
 */
export class LaunchedHosts {
  private readonly launched = new Map<Host, Promise<LaunchedHost>>();
  /** The hosts whose launch has finished, for kill(), which cannot wait, and reset(). */
  private readonly up = new Map<Host, LaunchedHost>();
  /** Hosts whose launch failed: nothing to release; reset() forgets them, so that a pool tries again. */
  private readonly failed = new Set<Host>();
  /** Hosts released one by one, until they are: launched again only then (a VM's name and records are free only then). */
  private readonly releasing = new Map<Host, Promise<void>>();
  /** Hosts whose release failed, and why: launching one again could clash with what is left of it. */
  private readonly unreleased = new Map<Host, string>();
  /** What several hosts share (a cloud network, a key pair): released after every host. */
  private readonly shared = new SharedResources();
  /** Aborted by teardown: launches still in progress give up and clean up. */
  private readonly cancellation = new AbortController();
  private readonly context: LaunchContext;

  constructor(private readonly owner: HostsOwner) {
    this.context = {
      deployment: { id: owner.id, state: owner.state },
      launched: (host) => this.launch(host),
      shared: (key, create) => this.shared.get(key, create),
      signal: this.cancellation.signal,
      lost: (host, reason) => owner.lost(host, reason),
    };
  }

  /** Launches `host` once; nothing new is provisioned once teardown has begun (it would never be released). */
  launch(host: Host): Promise<LaunchedHost> {
    const elsewhere = this.owner.launchedElsewhere?.(host);
    if (elsewhere) return elsewhere;
    let launched = this.launched.get(host);
    if (launched && this.owner.retriesFailedLaunches && this.failed.delete(host)) launched = undefined;
    if (!launched) {
      if (this.cancellation.signal.aborted) return Promise.reject(new TornDownError(this.owner.name, `launching host "${host.name}"`));
      const released = this.releasing.get(host);
      const current = this.owner.launchStep(host, async () => {
        await released?.catch(() => undefined);
        const why = this.unreleased.get(host);
        if (why !== undefined)
          throw new HostError(host.name, `host "${host.name}" is not launched again: releasing it failed (${why}); \`hydro down\` deletes what is left of it`);
        return host.launch(this.context);
      });
      // Only the current launch of a host counts: one released meanwhile is torn down by its release.
      current.then(
        (up) => this.launched.get(host) === current && this.up.set(host, up),
        () => this.launched.get(host) === current && this.failed.add(host),
      );
      this.launched.set(host, current);
      launched = current;
    }
    return launched;
  }

  /** Teardown has begun: launches in progress give up, with the reason a layer below names the deployment by (deploy/torn-down.ts). */
  cancel(why?: string): void {
    if (!this.cancellation.signal.aborted) this.cancellation.abort(new TornDownError(this.owner.name, "launching its hosts", why));
  }

  /** Releases every host, then what they shared; rejects naming what did not answer in time. */
  async releaseAll(): Promise<void> {
    this.cancel();
    for (const host of [...this.launched.keys()]) void this.releaseOne(host);
    const released = await Promise.allSettled([...this.releasing.values()]);
    const sharedReleased = await Promise.allSettled([this.shared.releaseAll()]);
    const unanswered = [...released, ...sharedReleased].flatMap((result) => (result.status === "rejected" ? [(result.reason as Error).message] : []));
    if (unanswered.length) throw combine(unanswered);
  }

  /** Releases one host now (host.terminate(), a host lost); the others run on. Launching it again waits for this. */
  releaseOne(host: Host): Promise<void> {
    const launched = this.launched.get(host);
    if (!launched) return this.releasing.get(host) ?? Promise.resolve();
    this.launched.delete(host);
    this.failed.delete(host);
    const releasing = (async () => {
      await launched.catch(() => undefined);
      this.up.delete(host);
      try {
        await this.release(host, launched);
      } catch (error) {
        this.unreleased.set(host, (error as Error).message);
        throw error;
      }
    })().finally(() => {
      if (this.releasing.get(host) === releasing) this.releasing.delete(host);
    });
    this.releasing.set(host, releasing);
    return releasing;
  }

  /**
   * A pool's host after one of its deployments (LaunchedHost.reset()): what the deployment left is
   * removed and the host kept. One whose kind has no reset is released, and launched again when
   * next used; so is one whose reset fails, which `failed(why)` is told; one whose launch failed is
   * forgotten, so the next use tries again; one still launching holds nothing of the deployment.
   */
  async reset(host: Host, failed: (why: string) => void): Promise<void> {
    if (this.failed.delete(host)) {
      this.launched.delete(host);
      return;
    }
    const up = this.up.get(host);
    if (!up) return;
    if (!up.reset) return this.releaseOne(host);
    const outcome = await within(
      up.reset().then(
        () => undefined,
        (error: Error) => error.message,
      ),
      HOST_RELEASE_MS,
    );
    if (outcome === undefined) return;
    failed(outcome === TIMED_OUT ? `it did not answer within ${HOST_RELEASE_MS / 1000} s` : outcome);
    await this.releaseOne(host);
  }

  /** Tears a host down, unless its launch failed (nothing to release) or it does not answer in time. */
  private async release(host: Host, launched: Promise<LaunchedHost>): Promise<void> {
    const ready = await within(
      launched.catch(() => undefined),
      HOST_RELEASE_MS,
    );
    if (ready === undefined) return;
    const limitMs = (ready !== TIMED_OUT && ready.teardownTimeoutMs) || HOST_RELEASE_MS;
    if (ready === TIMED_OUT || (await within(ready.teardown(), limitMs)) === TIMED_OUT) {
      throw new HydroError(`host "${host.name}" did not answer within ${limitMs / 1000} s while being released; gave up on it`);
    }
  }

  /** At once (a second Ctrl-C): every launched host drops what it keeps on this machine. */
  kill(): void {
    this.cancel();
    for (const host of this.up.values()) host.kill();
  }
}
