/** What the deployer reports, and who turns it into output: the types the reporters and deploy/events.ts share. */

export type StepStatus = "running" | "done" | "failed" | "skipped";

export type DeployEvent =
  /** `path` places the step in the progress tree, e.g. ["deploy", "bundle", "echo_server.ts"]. */
  | { type: "step"; path: string[]; status: StepStatus; detail?: string; ms?: number }
  | { type: "output"; service: string; stream: "stdout" | "stderr"; line: string }
  | { type: "exit"; service: string; host: string; code: number | null; signal: string | null }
  /** The script acted on a running program: killed it (with `signal`), paused or resumed it, or restarted it as run number `run` (2 for the first restart). */
  | { type: "program"; service: string; host: string; action: ProgramAction; run: number; signal?: string }
  | { type: "log"; level: "info" | "warn" | "error"; message: string }
  /** The run failed: what went wrong (a person reads `error: message`). */
  | { type: "error"; message: string };

/** What the script can do to a running program (deploy/nodes/program.ts). */
export type ProgramAction = "kill" | "pause" | "resume" | "restart";

/** Returns a promise while its output is congested: producers of output events wait for it. */
export type Reporter = (event: DeployEvent) => void | Promise<void>;
