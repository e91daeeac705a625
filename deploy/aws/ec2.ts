/**
 * The EC2 client, loaded only when an AWS host or `hydro down` needs it, and what its errors mean
 * in one line. Credentials and the endpoint come from the SDK's standard chain (AWS_ACCESS_KEY_ID…,
 * ~/.aws, SSO, IMDS; AWS_ENDPOINT_URL_EC2), so a user's usual setup just works.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { CloudError, HydroError } from "../errors.js";

let sdk: Promise<typeof import("@aws-sdk/client-ec2")> | undefined;
/** The SDK module (~0.3 s to load): once, and only for deployments that use AWS. */
export const ec2Sdk = () => (sdk ??= import("@aws-sdk/client-ec2"));

const clients = new Map<string, Promise<EC2Client>>();

/** One client per region. Throttling and 5xx are retried by the SDK with backoff (5 attempts); RunInstances carries a ClientToken, so a retry never makes two VMs. */
export function ec2Client(region: string): Promise<EC2Client> {
  let client = clients.get(region);
  if (!client) clients.set(region, (client = ec2Sdk().then(({ EC2Client }) => new EC2Client({ region, maxAttempts: 5 }))));
  return client;
}

/** What the SDK throws: a service exception (`name` is EC2's error code) or a client-side error. */
interface SdkError extends Error {
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
}

/** EC2 error codes for a resource that is already gone: deleting it again is done. */
export const GONE = new Set([
  "InvalidInstanceID.NotFound",
  "InvalidGroup.NotFound",
  "InvalidKeyPair.NotFound",
  "InvalidVpcID.NotFound",
  "InvalidSubnetID.NotFound",
]);

export const errorCode = (error: unknown): string | undefined => ((error as SdkError | undefined)?.$metadata ? (error as SdkError).name : undefined);

/** `what` (e.g. `aws host "web" (t3.micro in eu-west-1)`) failed with `error`: one line saying what it means and what to do. */
export function explain(what: string, error: unknown, context: { region: string; instanceType?: string }): HydroError {
  const failure = error as SdkError;
  if (failure.name === "CredentialsProviderError") {
    return new CloudError(
      "aws",
      "NoCredentials",
      `${what}: no AWS credentials found (looked for AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws/credentials, SSO, credential_process, and the instance metadata service)`,
    );
  }
  if (failure.message === "Region is missing") return new CloudError("aws", "NoRegion", `${what}: no region: give region in aws({ region })`);
  const code = errorCode(error);
  if (!code) return new HydroError(`${what}: ${failure.message}`);
  const message = failure.message.replace(/\s+/g, " ").trim();
  const hint = HINTS[code]?.(context) ?? (code.startsWith("InvalidAMIID") ? "the image does not exist in this region (give another ami)" : undefined);
  return new CloudError("aws", code, `${what}: ${code}: ${hint ? `${hint}. ` : ""}${message}`);
}

const HINTS: Record<string, (context: { region: string; instanceType?: string }) => string> = {
  VcpuLimitExceeded: ({ region }) =>
    `the vCPU quota for this instance family in ${region} is used up: request an increase in Service Quotas, use a smaller instanceType, or terminate other instances`,
  InstanceLimitExceeded: ({ region }) => `the instance quota in ${region} is used up: request an increase in Service Quotas`,
  InsufficientInstanceCapacity: ({ instanceType }) =>
    `AWS has no ${instanceType ?? "such"} capacity in that availability zone right now: try another subnet (zone), another instanceType, or later`,
  AuthFailure: () => "the credentials were refused: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or your profile, and the clock",
  UnauthorizedOperation: () => "these credentials may not do this: grant the ec2 permission named in your policy",
  InvalidParameterValue: ({ instanceType }) => `a value was refused${instanceType ? ` (is ${instanceType} an instance type offered there?)` : ""}`,
  RequestLimitExceeded: () => "EC2 kept throttling after 5 attempts: try again in a minute",
};
