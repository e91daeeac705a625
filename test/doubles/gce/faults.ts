// Fault injection: a rule names requests (method, path) and how many of them fail, and how
// (README §Using the GCE double). Failures are built from the request, so messages name the real resource.
import { GceError, notFound, type OperationFailure, quotaExceeded, zoneResourcePoolExhausted } from "./errors.js";

/** Where a request points, for building its failure. */
export interface FaultTarget {
  /** "projects/p/zones/z/instances/vm1", without /compute/v1/ and the query. */
  readonly resourcePath: string;
  readonly project: string;
  readonly zone: string | undefined;
  readonly region: string | undefined;
}

export type Fault =
  /** Answer with this HTTP error; with `afterEffect`, only after the call took effect (its response lost on the way). */
  | { readonly kind: "http"; readonly error: (target: FaultTarget) => GceError; readonly afterEffect?: boolean }
  /** Answer with a body that is not Google's JSON (a front end's error page). */
  | { readonly kind: "raw"; readonly status: number; readonly body: string; readonly contentType: string }
  /** Accept the call; its operation ends DONE with this error and changes nothing. */
  | { readonly kind: "operation"; readonly failure: (target: FaultTarget) => OperationFailure };

export interface FaultRule {
  /** GET, POST, DELETE…; any when absent. */
  readonly method?: string;
  /**
   * A RegExp tested on the resource path, or segments that must end it, `*` standing for one
   * segment: "zones/*\/instances" is every instances.insert and list; "instances/vm1" one VM.
   */
  readonly path: string | RegExp;
  /** How many matching requests fail (default 1; Infinity: all of them). */
  readonly times?: number;
  readonly fault: Fault;
}

export interface InjectedFault {
  /** How many requests it has failed so far. */
  readonly hits: number;
}

const usageLimits = (status: number, reason: string, message: string, canonicalStatus?: string) =>
  new GceError(status, reason, message, "usageLimits", canonicalStatus);

/** The failures the reference lists, ready to inject. */
export const faults = {
  notFound: (): Fault => ({ kind: "http", error: (target) => notFound(target.resourcePath) }),
  /** Compute's own throttling answer: 403, not 429. */
  rateLimitExceeded: (): Fault => ({ kind: "http", error: () => usageLimits(403, "rateLimitExceeded", "Rate Limit Exceeded") }),
  /** The generic Google front end's throttling answer. */
  tooManyRequests: (): Fault => ({
    kind: "http",
    error: (target) =>
      usageLimits(
        429,
        "rateLimitExceeded",
        `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project:${target.project}'.`,
        "RESOURCE_EXHAUSTED",
      ),
  }),
  /** Quota refused synchronously, before any operation exists. */
  quotaExceededNow: (metric = "CPUS", limit = 8): Fault => ({
    kind: "http",
    error: (target) => usageLimits(403, "quotaExceeded", quotaExceeded(metric, limit, target.region ?? "global").message),
  }),
  forbidden: (permission: string): Fault => ({
    kind: "http",
    error: (target) => new GceError(403, "forbidden", `Required '${permission}' permission for '${target.resourcePath}'`),
  }),
  unauthorized: (): Fault => ({ kind: "http", error: () => new GceError(401, "authError", "Invalid Credentials", "global", "UNAUTHENTICATED") }),
  backendError: (status: 500 | 503 = 503, options: { afterEffect?: boolean } = {}): Fault => ({
    kind: "http",
    error: () => new GceError(status, "backendError", status === 503 ? "Backend Error" : "Internal Error"),
    afterEffect: options.afterEffect ?? false,
  }),
  badGatewayPage: (): Fault => ({
    kind: "raw",
    status: 502,
    contentType: "text/html; charset=UTF-8",
    body: "<!DOCTYPE html>\n<html lang=en><title>Error 502 (Server Error)!!1</title><p><b>502.</b> <ins>That’s an error.</ins><p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  <ins>That’s all we know.</ins></html>\n",
  }),
  quotaExceeded: (metric = "CPUS", limit = 8): Fault => ({ kind: "operation", failure: (target) => quotaExceeded(metric, limit, target.region ?? "global") }),
  zoneResourcePoolExhausted: (): Fault => ({ kind: "operation", failure: (target) => zoneResourcePoolExhausted(target.project, target.zone ?? "unknown") }),
};

export class FaultInjector {
  private readonly rules: { readonly rule: FaultRule; remaining: number; hits: number }[] = [];

  inject(rule: FaultRule): InjectedFault {
    const entry = { rule, remaining: rule.times ?? 1, hits: 0 };
    this.rules.push(entry);
    return {
      get hits() {
        return entry.hits;
      },
    };
  }

  /** The fault for this request, if a rule still has hits left; counts it. */
  take(method: string, resourcePath: string): Fault | undefined {
    const entry = this.rules.find(({ rule, remaining }) => remaining > 0 && (!rule.method || rule.method === method) && pathMatches(rule.path, resourcePath));
    if (!entry) return undefined;
    entry.remaining--;
    entry.hits++;
    return entry.rule.fault;
  }

  clear(): void {
    this.rules.length = 0;
  }
}

function pathMatches(pattern: string | RegExp, resourcePath: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(resourcePath);
  const wanted = pattern.split("/");
  const actual = resourcePath.split("/").slice(-wanted.length);
  return actual.length === wanted.length && wanted.every((segment, i) => segment === "*" || segment === actual[i]);
}
