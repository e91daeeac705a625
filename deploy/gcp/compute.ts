/**
 * The Compute Engine clients (`@google-cloud/compute`, ~0.8 s to load: only when a deployment
 * uses GCP), authenticated by google-auth-library's standard chain (GOOGLE_APPLICATION_CREDENTIALS,
 * gcloud's application-default login, the metadata server), or by gcloud's own overrides:
 * CLOUDSDK_AUTH_ACCESS_TOKEN(_FILE) for a token and CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE for the
 * endpoint, so one setting points both gcloud and hydro at the same place.
 */
import fs from "node:fs";
import { CloudError, HydroError } from "../errors.js";
import { retry } from "../backoff.js";

type ComputeModule = typeof import("@google-cloud/compute");
type ClientOptions = NonNullable<ConstructorParameters<ComputeModule["InstancesClient"]>[0]>;

export interface ComputeClients {
  instances: InstanceType<ComputeModule["InstancesClient"]>;
  firewalls: InstanceType<ComputeModule["FirewallsClient"]>;
  images: InstanceType<ComputeModule["ImagesClient"]>;
  zoneOperations: InstanceType<ComputeModule["ZoneOperationsClient"]>;
  globalOperations: InstanceType<ComputeModule["GlobalOperationsClient"]>;
}

let clients: Promise<ComputeClients> | undefined;

/**
 * The clients, with their credentials already found: a missing credential fails here, before a
 * caller records any resource it is about to create (and could then not delete). A failure is not
 * kept: the next call looks again.
 */
export const computeClients = () =>
  (clients ??= createClients().catch((error: unknown) => {
    clients = undefined;
    throw error;
  }));

async function createClients(): Promise<ComputeClients> {
  const [compute, { GoogleAuth, OAuth2Client }] = await Promise.all([import("@google-cloud/compute"), import("google-auth-library")]);
  const options: ClientOptions = { ...endpointOverride() };
  const token = process.env.CLOUDSDK_AUTH_ACCESS_TOKEN ?? readToken(process.env.CLOUDSDK_AUTH_ACCESS_TOKEN_FILE);
  if (token) {
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: token });
    options.authClient = authClient as unknown as ClientOptions["authClient"];
  } else {
    // The standard chain, walked now (no token is fetched yet): it throws when it finds nothing.
    const auth = new GoogleAuth({ scopes: compute.InstancesClient.scopes });
    await auth.getClient();
    options.auth = auth as unknown as ClientOptions["auth"];
  }
  return {
    instances: new compute.InstancesClient(options),
    firewalls: new compute.FirewallsClient(options),
    images: new compute.ImagesClient(options),
    zoneOperations: new compute.ZoneOperationsClient(options),
    globalOperations: new compute.GlobalOperationsClient(options),
  };
}

function readToken(file: string | undefined): string | undefined {
  return file ? fs.readFileSync(file, "utf8").trim() : undefined;
}

/** `http://127.0.0.1:8080/compute/v1/` → the client's apiEndpoint, port and protocol (it ignores a port inside apiEndpoint). */
function endpointOverride(): ClientOptions {
  const override = process.env.CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE;
  if (!override) return {};
  const url = new URL(override);
  const protocol = url.protocol.replace(":", "");
  return { apiEndpoint: url.hostname, port: Number(url.port || (protocol === "https" ? 443 : 80)), protocol };
}

/** What the client throws (v6 surfaces the HTTP error as a GaxiosError whose message is the body), or a failed operation. */
interface ComputeFailure {
  code?: number | string;
  status?: number;
  message: string;
}

/** The provider's own reason (`notFound`, `quotaExceeded`, …) or operation code (`QUOTA_EXCEEDED`), and its message. */
export function reasonOf(error: unknown): { reason: string | undefined; message: string; status: number | undefined } {
  const failure = error as ComputeFailure;
  const status = typeof failure.status === "number" ? failure.status : typeof failure.code === "number" ? failure.code : undefined;
  try {
    const body = JSON.parse(failure.message) as { error?: { message?: string; errors?: Array<{ reason?: string; message?: string }> } };
    return { reason: body.error?.errors?.[0]?.reason, message: body.error?.message ?? failure.message, status };
  } catch {
    return { reason: typeof failure.code === "string" ? failure.code : undefined, message: failure.message, status };
  }
}

const RETRIED_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRIED_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded", "backendError"]);
const ATTEMPTS = 5;

/**
 * Runs a Compute Engine call, retrying throttling and server errors with backoff: the client retries
 * nothing itself (it surfaces the HTTP error as is). Calls that change something carry a requestId
 * fixed outside `call`, so a retry after a lost response replays the first call instead of repeating it.
 */
export function retried<T>(call: () => Promise<T>): Promise<T> {
  return retry(call, {
    // Waits of 250-500, 500-1000, 1000-2000, 2000-4000 ms between the 5 attempts.
    firstDelayMs: 500,
    maxDelayMs: 4_000,
    jitter: 0.5,
    shouldRetry: (error, attempt) => {
      const { status, reason } = reasonOf(error);
      const transient = (status !== undefined && RETRIED_STATUS.has(status)) || RETRIED_REASONS.has(reason ?? "");
      return transient && attempt < ATTEMPTS;
    },
  });
}

export const isNotFound = (error: unknown) => reasonOf(error).status === 404 || reasonOf(error).reason === "notFound";

/** A failed operation, as an error carrying its first code. */
export class OperationError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const HINTS: Record<string, (context: { project: string; zone?: string }) => string> = {
  QUOTA_EXCEEDED: ({ project }) => `a quota of project ${project} is used up: request an increase (IAM & Admin › Quotas) or use a smaller machineType`,
  quotaExceeded: ({ project }) => `a quota of project ${project} is used up: request an increase (IAM & Admin › Quotas) or use a smaller machineType`,
  ZONE_RESOURCE_POOL_EXHAUSTED: ({ zone }) =>
    `${zone ?? "the zone"} has no capacity for this machine type right now: give zones: [...] to try others, or try later`,
  ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS: ({ zone }) =>
    `${zone ?? "the zone"} has no capacity for this machine type right now: give zones: [...] to try others, or try later`,
  forbidden: () => "the credentials may not do this: grant the compute permission named here",
  authError: () => "the credentials were refused: run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS",
  rateLimitExceeded: () => "Compute Engine kept throttling: try again in a minute",
  notFound: () => "it does not exist (check the project, zone, machineType and image)",
};

/** `what` failed with `error`: one line with the provider's code and what to do. */
export function explain(what: string, error: unknown, context: { project: string; zone?: string }): HydroError {
  if (error instanceof HydroError) return error;
  const message = (error as Error).message ?? String(error);
  if (/Could not load the default credentials|Unable to detect a Project Id/i.test(message)) {
    return new CloudError(
      "gcp",
      "NoCredentials",
      `${what}: no Google Cloud credentials found (looked for GOOGLE_APPLICATION_CREDENTIALS, gcloud's application-default credentials and the metadata server; or set CLOUDSDK_AUTH_ACCESS_TOKEN)`,
    );
  }
  const { reason, message: text } = error instanceof OperationError ? { reason: error.code, message: error.message } : reasonOf(error);
  const code = reason ?? "unknown";
  const hint = HINTS[code]?.(context);
  return new CloudError("gcp", code, `${what}: ${code}: ${hint ? `${hint}. ` : ""}${text.replace(/\s+/g, " ").trim()}`);
}
