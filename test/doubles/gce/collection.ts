// insert / get / list / delete of one collection (instances, firewalls, networks, subnetworks),
// each mutation answered with an operation and idempotent on `requestId` (README §GCE operations).
import { alreadyExists, type OperationFailure, resourceInUse } from "./errors.js";
import { compileFilter } from "./filter.js";
import { numericId } from "./ids.js";
import type { Operation } from "./operations.js";
import { page } from "./pages.js";
import type { ApiRequest, Router } from "./router.js";
import type { GceState } from "./state.js";
import type { Json } from "./store.js";
import { checkName, checkRequestId } from "./validation.js";

export type ScopeKind = "zones" | "regions" | "global";

/** Thrown by `build` when the API accepts the call but its operation fails (quota, in use…). */
export class OperationRejected extends Error {
  constructor(readonly failure: OperationFailure) {
    super(failure.message);
  }
}

export interface Placement {
  readonly project: string;
  readonly zone: string | undefined;
  readonly region: string | undefined;
  readonly name: string;
  readonly path: string;
}

export interface CollectionSpec {
  readonly collection: string;
  /** "compute#instance"; the list kind appends "List". */
  readonly kind: string;
  readonly scope: ScopeKind;
  /** Checks the insert body and builds the stored resource; throws GceError or OperationRejected. */
  build(body: Json, placement: Placement): Promise<Json>;
  /** From the insert operation RUNNING to DONE (default: the state's operation delay). */
  provision?(resource: Json, placement: Placement): Promise<void>;
  /** From the delete operation RUNNING until the resource is gone. */
  deprovision?(resource: Json, placement: Placement): Promise<void>;
  /** What still uses the resource, which makes its deletion fail. */
  usedBy?(path: string): string | undefined;
}

const SCOPE_TEMPLATES: Record<ScopeKind, string> = {
  zones: "projects/{project}/zones/{zone}",
  regions: "projects/{project}/regions/{region}",
  global: "projects/{project}/global",
};

export function addCollection(router: Router, state: GceState, spec: CollectionSpec): void {
  const collectionTemplate = `${SCOPE_TEMPLATES[spec.scope]}/${spec.collection}`;
  const { links } = state;

  router.add("POST", collectionTemplate, (request) =>
    idempotent(state, request, async () => {
      const placement = placementOf(state, request, checkName(request.body.name));
      if (state.store.taken(placement.path)) throw alreadyExists(placement.path);
      const start = (targetId = numericId()) => state.operations.start({ ...placement, operationType: "insert", targetPath: placement.path, targetId });
      const failure = injectedFailure(request, placement);
      if (failure) return failed(state, start(), failure);
      state.store.reserve(placement.path);
      let resource: Json;
      try {
        resource = await spec.build(request.body, placement);
      } catch (error) {
        state.store.release(placement.path);
        if (error instanceof OperationRejected) return failed(state, start(), error.failure);
        throw error;
      }
      const operation = start(String(resource.id));
      state.store.put(placement.path, resource);
      state.background(async () => {
        await state.timers.sleep(state.operationDelayMs);
        operation.running();
        await (spec.provision ? spec.provision(resource, placement) : state.timers.sleep(state.operationDelayMs));
        operation.done();
      });
      return operation;
    }),
  );

  router.add("GET", `${collectionTemplate}/{name}`, (request) => existing(state, request).resource);

  router.add("DELETE", `${collectionTemplate}/{name}`, (request) =>
    idempotent(state, request, async () => {
      const { placement, resource } = existing(state, request);
      const operation = state.operations.start({ ...placement, operationType: "delete", targetPath: placement.path, targetId: String(resource.id) });
      const user = spec.usedBy?.(placement.path);
      const failure = injectedFailure(request, placement) ?? (user ? resourceInUse(placement.path, user) : undefined);
      if (failure) return failed(state, operation, failure);
      state.background(async () => {
        await state.timers.sleep(state.operationDelayMs);
        operation.running();
        await (spec.deprovision ? spec.deprovision(resource, placement) : state.timers.sleep(state.operationDelayMs));
        state.store.delete(placement.path);
        operation.done();
      });
      return operation;
    }),
  );

  router.add("GET", collectionTemplate, (request) => {
    const scopePath = request.resourcePath.slice(0, -spec.collection.length - 1);
    state.checkScope(request);
    const matches = state.store.list(scopePath, spec.collection).filter(compileFilter(request.query.get("filter")));
    const { items, nextPageToken } = page(matches, request.query);
    return {
      kind: `${spec.kind}List`,
      id: request.resourcePath,
      ...(items.length ? { items } : {}),
      ...(nextPageToken ? { nextPageToken } : {}),
      selfLink: links.url(request.resourcePath),
    };
  });

  if (spec.scope !== "global") addAggregatedList(router, state, spec);
}

function addAggregatedList(router: Router, state: GceState, spec: CollectionSpec): void {
  router.add("GET", `projects/{project}/aggregated/${spec.collection}`, (request) => {
    state.checkScope(request);
    const scopes = (spec.scope === "zones" ? state.zones : state.regions).map((name) => `${spec.scope}/${name}`);
    const predicate = compileFilter(request.query.get("filter"));
    const all = scopes.flatMap((scope) =>
      state.store
        .list(`projects/${request.params.project}/${scope}`, spec.collection)
        .filter(predicate)
        .map((resource) => ({ scope, resource })),
    );
    const { items, nextPageToken } = page(all, request.query);
    const byScope = Object.fromEntries(
      scopes.map((scope) => {
        const here = items.filter((item) => item.scope === scope).map((item) => item.resource);
        return [scope, here.length ? { [spec.collection]: here } : noResultsWarning(scope)];
      }),
    );
    return {
      kind: `${spec.kind}AggregatedList`,
      id: request.resourcePath,
      items: byScope,
      ...(nextPageToken ? { nextPageToken } : {}),
      selfLink: state.links.url(request.resourcePath),
    };
  });
}

const noResultsWarning = (scope: string) => ({
  warning: { code: "NO_RESULTS_ON_PAGE", message: `There are no results for scope '${scope}' on this page.`, data: [{ key: "scope", value: scope }] },
});

function placementOf(state: GceState, request: ApiRequest, name: string): Placement {
  const { project, zone, region } = state.checkScope(request);
  const path = request.method === "POST" ? `${request.resourcePath}/${name}` : request.resourcePath;
  return { project, zone, region, name, path };
}

function injectedFailure(request: ApiRequest, placement: Placement): OperationFailure | undefined {
  return request.operationFault?.({ resourcePath: placement.path, project: placement.project, zone: placement.zone, region: placement.region });
}

function existing(state: GceState, request: ApiRequest): { placement: Placement; resource: Json } {
  const placement = placementOf(state, request, request.params.name!);
  return { placement, resource: state.existing(placement.path) };
}

/** A repeated requestId gets the operation the first call started, and nothing happens twice. */
async function idempotent(state: GceState, request: ApiRequest, act: () => Promise<Operation>): Promise<Json> {
  const requestId = checkRequestId(request.query.get("requestId"));
  const key = requestId && `${request.params.project}/${requestId}`;
  const earlier = key ? state.requestIds.get(key) : undefined;
  if (earlier) return (await earlier).json;
  const operation = act();
  if (key) {
    state.requestIds.set(key, operation);
    // A call refused synchronously did nothing, so its requestId may be used again.
    operation.catch(() => state.requestIds.delete(key));
  }
  return (await operation).json;
}

function failed(state: GceState, operation: Operation, failure: OperationFailure): Operation {
  state.finishLater(operation, () => {}, failure);
  return operation;
}
