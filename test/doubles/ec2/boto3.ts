// Runs boto3/ec2_calls.py against an EC2 endpoint with no way out: static credentials, no
// instance metadata lookups, no config files, proxied traffic to a tripwire. README §boto3.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { proxyEnv, type Tripwire } from "../tripwire.js";

export type Boto3Result =
  | { readonly ok: true; readonly retries: number; readonly response: Record<string, unknown> }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly status: number; readonly retries: number; readonly text: string };

export interface Boto3Call {
  /** boto3's method name: "run_instances", "describe_instances"… */
  readonly op: string;
  readonly params?: Record<string, unknown>;
}

const SCRIPT = fileURLToPath(new URL("./boto3/ec2_calls.py", import.meta.url));

/** The calls in order, in one boto3 client; `maxAttempts` counts the first attempt (1: no retries). */
export function boto3Calls(endpoint: string, tripwire: Tripwire, calls: readonly Boto3Call[], maxAttempts = 1): Promise<Boto3Result[]> {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    ...proxyEnv(tripwire),
  };
  return new Promise((resolve, reject) => {
    execFile("python3", [SCRIPT, JSON.stringify({ endpoint, maxAttempts, calls })], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`boto3 calls failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Boto3Result[]);
    });
  });
}
