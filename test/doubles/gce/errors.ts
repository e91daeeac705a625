// Error bodies of the Compute REST API as clients receive them (README §GCE errors).

export interface ErrorEntry {
  readonly message: string;
  readonly domain: string;
  readonly reason: string;
}

/** A synchronous API error: an HTTP status with Google's JSON error body. */
export class GceError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = "global",
    /** The canonical status string some Google front ends add (e.g. RESOURCE_EXHAUSTED on 429). */
    readonly canonicalStatus?: string,
  ) {
    super(message);
  }

  body(): { error: { code: number; message: string; errors: ErrorEntry[]; status?: string } } {
    const error = { code: this.status, message: this.message, errors: [{ message: this.message, domain: this.domain, reason: this.reason }] };
    return { error: this.canonicalStatus ? { ...error, status: this.canonicalStatus } : error };
  }
}

export const notFound = (resourcePath: string) => new GceError(404, "notFound", `The resource '${resourcePath}' was not found`);

export const alreadyExists = (resourcePath: string) => new GceError(409, "alreadyExists", `The resource '${resourcePath}' already exists`);

/** 400 `invalid`, worded as the API words a bad field. */
export const invalidField = (field: string, value: string, why: string) =>
  new GceError(400, "invalid", `Invalid value for field '${field}': '${value}'. ${why}`);

export const conditionNotMet = (message: string) => new GceError(412, "conditionNotMet", message);

/** An error reported inside a DONE operation rather than as an HTTP status. */
export interface OperationFailure {
  readonly code: string;
  readonly message: string;
  readonly httpErrorStatusCode: number;
  readonly httpErrorMessage: string;
  /** Structured details some errors carry (quotaInfo for QUOTA_EXCEEDED). */
  readonly errorDetails?: readonly Record<string, unknown>[];
}

export const resourceInUse = (resourcePath: string, user: string): OperationFailure => ({
  code: "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE",
  message: `The ${resourceKind(resourcePath)} resource '${resourcePath}' is already being used by '${user}'`,
  httpErrorStatusCode: 400,
  httpErrorMessage: "BAD REQUEST",
});

export const quotaExceeded = (metric: string, limit: number, region: string): OperationFailure => ({
  code: "QUOTA_EXCEEDED",
  message: `Quota '${metric}' exceeded.  Limit: ${limit.toFixed(1)} in region ${region}.`,
  httpErrorStatusCode: 403,
  httpErrorMessage: "FORBIDDEN",
  errorDetails: [
    { quotaInfo: { metricName: `compute.googleapis.com/${metric.toLowerCase()}`, limitName: `${metric}-per-project-region`, limit, dimensions: { region } } },
  ],
});

export const zoneResourcePoolExhausted = (project: string, zone: string): OperationFailure => ({
  code: "ZONE_RESOURCE_POOL_EXHAUSTED",
  message: `The zone 'projects/${project}/zones/${zone}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.`,
  httpErrorStatusCode: 503,
  httpErrorMessage: "SERVICE UNAVAILABLE",
});

/** A subnetwork with no address left for a new instance [A: code and status D, message A]. */
export const ipSpaceExhausted = (subnetworkPath: string): OperationFailure => ({
  code: "IP_SPACE_EXHAUSTED",
  message: `IP space of '${subnetworkPath}' is exhausted.`,
  httpErrorStatusCode: 400,
  httpErrorMessage: "BAD REQUEST",
});

/** "projects/p/global/networks/n" → "network" */
function resourceKind(resourcePath: string): string {
  return resourcePath.split("/").at(-2)!.replace(/s$/, "");
}
