// Everything one running double knows: its project, zones, resources, operations and clocks.
import { invalidField, notFound, type OperationFailure } from "./errors.js";
import { type Links, regionOfZone, resolveReference } from "./links.js";
import type { Operation, Operations } from "./operations.js";
import type { ApiRequest } from "./router.js";
import type { Json, ResourceStore } from "./store.js";
import { type Timers, TimersCleared } from "./timers.js";

export interface GceStateOptions {
  readonly project: string;
  readonly zones: readonly string[];
  readonly operationDelayMs: number;
  readonly links: Links;
  readonly store: ResourceStore;
  readonly operations: Operations;
  readonly timers: Timers;
}

export class GceState {
  readonly project: string;
  readonly zones: readonly string[];
  readonly regions: readonly string[];
  readonly operationDelayMs: number;
  readonly links: Links;
  readonly store: ResourceStore;
  readonly operations: Operations;
  readonly timers: Timers;
  /** "project/requestId" → the operation its first call started (or is starting). */
  readonly requestIds = new Map<string, Promise<Operation>>();
  /** Work that outlives the request that started it; `settled()` waits for it. */
  private readonly running = new Set<Promise<void>>();
  readonly backgroundErrors: unknown[] = [];

  constructor(options: GceStateOptions) {
    this.project = options.project;
    this.zones = options.zones;
    this.regions = [...new Set(options.zones.map(regionOfZone))];
    this.operationDelayMs = options.operationDelayMs;
    this.links = options.links;
    this.store = options.store;
    this.operations = options.operations;
    this.timers = options.timers;
  }

  /** The project, zone and region a request names, each checked to exist. */
  checkScope(request: ApiRequest): { project: string; zone: string | undefined; region: string | undefined } {
    const { project, zone, region } = request.params;
    if (project !== this.project) throw notFound(`projects/${project}`);
    if (zone !== undefined && !this.zones.includes(zone)) throw invalidField("zone", zone, "Unknown zone.");
    if (region !== undefined && !this.regions.includes(region)) throw invalidField("region", region, "Unknown region.");
    return { project, zone, region: region ?? (zone ? regionOfZone(zone) : undefined) };
  }

  /** Ends an operation after the usual delay, making its change (or failing) at that moment. */
  finishLater(operation: Operation, change: () => void, failure?: OperationFailure): void {
    this.background(async () => {
      await this.timers.sleep(this.operationDelayMs);
      if (!failure) change();
      operation.done(failure);
    });
  }

  /** The resource at `path`, or the API's 404 for it. */
  existing(path: string): Json {
    const resource = this.store.get(path);
    if (!resource) throw notFound(path);
    return resource;
  }

  /** The network a body names (by URL, path or name; `default` when it names none). */
  network(reference: unknown, project: string): Json {
    return this.existing(resolveReference(String(reference ?? "default"), project, "global/networks"));
  }

  background(work: () => Promise<void>): void {
    const promise = work().catch((error: unknown) => {
      if (!(error instanceof TimersCleared)) this.backgroundErrors.push(error);
    });
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }

  async settled(): Promise<void> {
    await Promise.all(this.running);
  }
}
