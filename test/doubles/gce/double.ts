// A GCE Compute REST v1 double on 127.0.0.1 (README §GCE double): what a deploy tool calls, with the
// real API's operations, errors and validation, fault injection, and boot hooks for the e2e harness.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { addCatalog } from "./catalog-routes.js";
import { DEFAULT_ZONES } from "./catalog.js";
import { addCollection } from "./collection.js";
import { GceError } from "./errors.js";
import { type FaultRule, FaultInjector, type FaultTarget, type InjectedFault } from "./faults.js";
import { firewallsSpec } from "./firewalls.js";
import { addInstanceActions } from "./instance-actions.js";
import { type AddressRequest, type BootedInstance, instancesSpec, sequentialAddresses } from "./instances.js";
import { GOOGLE_LINK_BASE, Links } from "./links.js";
import { networkResource, networksSpec } from "./networks.js";
import { addOperationRoutes } from "./operation-routes.js";
import { Operations } from "./operations.js";
import { addProject } from "./project.js";
import { type ApiRequest, Router } from "./router.js";
import { GceState } from "./state.js";
import { type Json, ResourceStore } from "./store.js";
import { subnetworksSpec } from "./subnetworks.js";
import { Timers } from "./timers.js";
import { readBody } from "../read-body.js";

export type { AddressRequest, BootedInstance } from "./instances.js";
export { faults, type Fault, type FaultRule, type InjectedFault } from "./faults.js";

export interface GceDoubleOptions {
  /** 0 (default): any free port on 127.0.0.1. */
  readonly port?: number;
  readonly project?: string;
  readonly zones?: readonly string[];
  /** Before an operation turns RUNNING, and again before it is DONE (default 20). */
  readonly operationDelayMs?: number;
  /** How long an instance stays PROVISIONING, then STAGING (default 50). */
  readonly bootStepMs?: number;
  /** The longest an operations.wait call blocks before answering a status that is not DONE (default 500; the real API: ~2 min). */
  readonly maxWaitMs?: number;
  /** The CPUS quota of each region (default 24). */
  readonly cpuQuota?: number;
  /** Links in responses point at www.googleapis.com like the real API's (default), or at the double itself. */
  readonly links?: "google" | "double";
  /** The private address of each new instance; default: in order from .2 of its subnetwork. */
  readonly allocateNetworkIP?: (request: AddressRequest) => string | Promise<string>;
  /** When an instance is RUNNING: where the harness boots its guest and runs its startup-script. */
  readonly onInstanceRunning?: (instance: BootedInstance) => void | Promise<void>;
  /** When a booted instance is being deleted, before its delete operation is DONE. */
  readonly onInstanceDeleted?: (instance: BootedInstance) => void | Promise<void>;
  /** Which bearer tokens are valid (default: any). */
  readonly acceptToken?: (token: string) => boolean;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as sent, e.g. "/compute/v1/projects/p/zones/z/instances?requestId=…". */
  readonly url: string;
  readonly body: string;
  readonly status: number;
  readonly response: string;
}

export interface GceDouble {
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  /** The API root clients are pointed at: "http://127.0.0.1:PORT/compute/v1/". */
  readonly endpoint: string;
  readonly project: string;
  readonly zones: readonly string[];
  /** Every request answered so far, in order. */
  readonly requests: readonly RecordedRequest[];
  inject(rule: FaultRule): InjectedFault;
  clearFaults(): void;
  /** Every instance that exists now, as the API would return it. */
  instances(): Json[];
  /** For the boot agent: the instance's guest powered itself off; resolves once it is TERMINATED. */
  guestPoweredOff(zone: string, name: string): Promise<void>;
  /** Errors thrown by the hooks, the allocator or the double's own background work. */
  readonly backgroundErrors: readonly unknown[];
  /** Waits until no operation or hook is in progress. */
  settled(): Promise<void>;
  /** Closes every connection and timer and waits for hooks in progress; nothing is left running. */
  stop(): Promise<void>;
}

const API_ROOT = "/compute/v1/";

export async function startGceDouble(options: GceDoubleOptions = {}): Promise<GceDouble> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const links = new Links(options.links === "double" ? `${url}/compute/v1` : GOOGLE_LINK_BASE);
  const timers = new Timers();
  const state = new GceState({
    project: options.project ?? "hydro-test",
    zones: options.zones ?? DEFAULT_ZONES,
    operationDelayMs: options.operationDelayMs ?? 20,
    links,
    timers,
    store: new ResourceStore(),
    operations: new Operations(links, timers),
  });
  const cpuQuota = options.cpuQuota ?? 24;
  const router = new Router();
  addProject(router, state, cpuQuota);
  addCatalog(router, state);
  addOperationRoutes(router, state, options.maxWaitMs ?? 500);
  addInstanceActions(router, state);
  const instances = instancesSpec(state, {
    bootStepMs: options.bootStepMs ?? 50,
    cpuQuota,
    allocateNetworkIP: options.allocateNetworkIP ?? sequentialAddresses(),
    onInstanceRunning: options.onInstanceRunning,
    onInstanceDeleted: options.onInstanceDeleted,
  });
  addCollection(router, state, instances.spec);
  for (const spec of [networksSpec(state), subnetworksSpec(state), firewallsSpec(state)]) addCollection(router, state, spec);
  seedDefaultNetwork(state);

  const faultInjector = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const acceptToken = options.acceptToken ?? (() => true);
  server.on("request", (request: http.IncomingMessage, response: http.ServerResponse) => {
    void answer(request, { router, faultInjector, acceptToken }).then(({ status, contentType, body, requestBody }) => {
      requests.push({ method: request.method!, url: request.url!, body: requestBody, status, response: body });
      response.writeHead(status, { "content-type": contentType });
      response.end(body);
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    url,
    endpoint: `${url}${API_ROOT}`,
    project: state.project,
    zones: state.zones,
    requests,
    inject: (rule) => faultInjector.inject(rule),
    clearFaults: () => faultInjector.clear(),
    instances: () => state.store.everywhere("instances").map(([, instance]) => instance),
    guestPoweredOff: (zone, name) => instances.guestPoweredOff(`projects/${state.project}/zones/${zone}/instances/${name}`),
    backgroundErrors: state.backgroundErrors,
    settled: () => state.settled(),
    stop: () =>
      (stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        timers.clear();
        await Promise.all([closed, state.settled()]);
      })()),
  };
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly requestBody: string;
}

const JSON_TYPE = "application/json; charset=UTF-8";

async function answer(
  request: http.IncomingMessage,
  context: { router: Router; faultInjector: FaultInjector; acceptToken: (token: string) => boolean },
): Promise<Answer> {
  const requestBody = await readBody(request);
  const method = request.method!;
  const { pathname, searchParams } = new URL(request.url!, "http://double");
  const json = (status: number, value: unknown): Answer => ({ status, contentType: JSON_TYPE, body: JSON.stringify(value), requestBody });
  const error = (gceError: GceError) => json(gceError.status, gceError.body());
  const route = pathname.startsWith(API_ROOT) ? context.router.match(method, pathname.slice(API_ROOT.length)) : undefined;
  if (!route) return { status: 404, contentType: "text/html; charset=UTF-8", body: notFoundPage(pathname), requestBody };
  const resourcePath = pathname.slice(API_ROOT.length);

  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
  if (!token || !context.acceptToken(token)) {
    return error(
      new GceError(
        401,
        token ? "authError" : "required",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        "global",
        "UNAUTHENTICATED",
      ),
    );
  }
  const fault = context.faultInjector.take(method, resourcePath);
  const target = faultTarget(resourcePath);
  if (fault?.kind === "raw") return { status: fault.status, contentType: fault.contentType, body: fault.body, requestBody };
  if (fault?.kind === "http" && !fault.afterEffect) return error(fault.error(target));

  try {
    const body = parseBody(requestBody);
    const apiRequest: ApiRequest = {
      method,
      resourcePath,
      params: route.params,
      query: searchParams,
      body,
      operationFault: fault?.kind === "operation" ? fault.failure : undefined,
    };
    const result = await route.handler(apiRequest);
    return fault?.kind === "http" ? error(fault.error(target)) : json(200, result);
  } catch (thrown) {
    if (thrown instanceof GceError) return error(thrown);
    return error(new GceError(500, "backendError", `the GCE double failed: ${thrown instanceof Error ? thrown.stack : String(thrown)}`));
  }
}

/** An empty body and the literal `""` that some clients send to wait are both "no body". */
function parseBody(text: string): Json {
  if (text.trim() === "" || text.trim() === '""') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Json;
  } catch {
    // Reported below like any other body that is not a JSON object.
  }
  throw new GceError(400, "parseError", "Invalid JSON payload received.");
}

function faultTarget(resourcePath: string): FaultTarget {
  const segments = resourcePath.split("/");
  const after = (name: string) => (segments.includes(name) ? segments[segments.indexOf(name) + 1] : undefined);
  const zone = after("zones");
  return { resourcePath, project: after("projects") ?? "", zone, region: after("regions") ?? zone?.replace(/-[a-z]$/, "") };
}

/** What Google's front end answers for a URL no API serves. */
function notFoundPage(pathname: string): string {
  return `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL <code>${pathname.replace(/[<>&]/g, "")}</code> was not found on this server.  <ins>That’s all we know.</ins>\n`;
}

/** Every new project has the auto-mode network `default`. */
function seedDefaultNetwork(state: GceState): void {
  const path = `projects/${state.project}/global/networks/default`;
  const placement = { project: state.project, zone: undefined, region: undefined, name: "default", path };
  state.store.put(path, networkResource(state, placement, { autoCreateSubnetworks: true, description: "Default network for the project" }));
}
