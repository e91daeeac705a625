/** What the deployer reports, and who turns it into output: the types the reporters and deploy/events.ts share. */
import type { MetricSample } from "../metrics/sample.js";
import type { Topology } from "../plan/topology-types.js";

export type StepStatus = "running" | "done" | "failed" | "skipped";

export type DeployEvent =
  /** `path` places the step in the progress tree, e.g. ["deploy", "bundle", "echo_server.ts"]. */
  | { type: "step"; path: string[]; status: StepStatus; detail?: string; ms?: number }
  | { type: "output"; service: string; stream: "stdout" | "stderr"; line: string }
  | { type: "exit"; service: string; host: string; code: number | null; signal: string | null }
  /** The script acted on a running program: killed it (with `signal`), paused, resumed or stopped it, or restarted it as run number `run` (2 for the first restart). */
  | { type: "program"; service: string; host: string; action: ProgramAction; run: number; signal?: string }
  /**
   * The script changed the network's faults (deploy/faults/): set one (`action` is its kind), cleared one, or healed all.
   * `at`: when it was in effect at every sender (ms since the epoch); `edges`: how many port-to-port edges it acts on.
   */
  | { type: "network"; action: NetworkAction; description: string; edges: number; at: number; seed?: number }
  | { type: "log"; level: "info" | "warn" | "error"; message: string }
  /** What a deployment is made of, as deploy() begins (deploy/plan/topology.ts): for `--json` and the web view. */
  | ({ type: "topology" } & Topology)
  /** A program's metrics (deploy/metrics/): only `--json` prints them, one line per program per interval. */
  | ({ type: "metric" } & MetricSample)
  /** The run failed: what went wrong (a person reads `error: message`). */
  | { type: "error"; message: string };

/** What the script can do to a running program (deploy/nodes/program.ts). */
export type ProgramAction = "kill" | "pause" | "resume" | "restart" | "stop";

/** What the script can do to the network (deploy/faults/network.ts). */
export type NetworkAction = "partition" | "delay" | "loss" | "clear" | "heal";

/** Returns a promise while its output is congested: producers of output events wait for it. */
export type Reporter = (event: DeployEvent) => void | Promise<void>;
