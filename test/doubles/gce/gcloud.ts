// The gcloud CLI pointed at a GCE double, in a throwaway configuration, with every other way out
// closed: the compute endpoint override, a fixed access token, no metadata server (the on-GCE
// cache says no, and the metadata root and HTTP proxies are a tripwire), no prompts, no update
// checks, no usage reports. (README §gcloud.)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { proxyEnv, startTripwire, type Tripwire } from "../tripwire.js";

export interface GcloudResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every URL gcloud requested (from --log-http). */
  readonly urls: readonly string[];
}

export interface GcloudRunner {
  /** `env` overrides the closed-off environment, e.g. to show that the tripwire catches an escape. */
  run(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<GcloudResult>;
  /** Attempts to reach anything but the double, by any run so far. */
  readonly escapes: Tripwire["attempts"];
  stop(): Promise<void>;
}

const RUN_TIMEOUT_MS = 90_000;

export async function gcloudAt(endpoint: string, project: string): Promise<GcloudRunner> {
  const configDir = mkdtempSync(join(tmpdir(), "hydro-gcloud-"));
  const tokenFile = join(configDir, "access-token");
  writeFileSync(tokenFile, "hydro-test-token\n", { mode: 0o600 });
  // gcloud's own cache of "am I on GCE?": answered, so it never probes the metadata server.
  writeFileSync(join(configDir, "gce"), "False");
  const tripwire = await startTripwire();
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: configDir,
    LANG: "C.UTF-8",
    CLOUDSDK_CONFIG: configDir,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: endpoint,
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: tokenFile,
    CLOUDSDK_CORE_PROJECT: project,
    CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: "true",
    CLOUDSDK_CORE_CHECK_GCE_METADATA: "false",
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: "true",
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: "true",
    CLOUDSDK_METRICS_ENVIRONMENT: "hydro-test",
    GCE_METADATA_ROOT: tripwire.address,
    ...proxyEnv(tripwire),
  };
  return {
    run: (args, overrides = {}) => runGcloud([...args, "--log-http", "--verbosity=warning"], { ...env, ...overrides }),
    escapes: tripwire.attempts,
    async stop() {
      await tripwire.stop();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

function runGcloud(args: readonly string[], env: NodeJS.ProcessEnv): Promise<GcloudResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("gcloud", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gcloud ${args.join(" ")} did not finish in ${RUN_TIMEOUT_MS} ms; stderr so far:\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const urls = [...stderr.matchAll(/^uri: (\S+)$/gm)].map((match) => match[1]!);
      resolve({ code, stdout, stderr: stripHttpLog(stderr), urls });
    });
  });
}

/** gcloud's own messages, without the request and response dumps of --log-http. */
function stripHttpLog(stderr: string): string {
  return stderr.replace(/^=+\n=+ request start =+$[\s\S]*?^-+ response end -+\n-+\n/gm, "");
}
