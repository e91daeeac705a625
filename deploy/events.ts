import { plainReporter } from "./report/plain.js";

/**
 * Everything the deployer does is reported as events; a reporter (progress tree, plain lines,
 * JSON lines) turns them into output. One stream serves the CLI's three display modes.
 */

export type StepStatus = "running" | "done" | "failed" | "skipped";

export type DeployEvent =
  /** `path` places the step in the progress tree, e.g. ["deploy", "bundle", "echo_server.ts"]. */
  | { type: "step"; path: string[]; status: StepStatus; detail?: string; ms?: number }
  | { type: "output"; service: string; stream: "stdout" | "stderr"; line: string }
  | { type: "exit"; service: string; host: string; code: number | null; signal: string | null }
  | { type: "log"; level: "info" | "warn" | "error"; message: string };

export type Reporter = (event: DeployEvent) => void;

const reporters = new Set<Reporter>();
/** With no reporter installed (a script run without the CLI), events still reach the user as plain lines. */
const fallback: Reporter = plainReporter();

export function addReporter(reporter: Reporter): () => void {
  reporters.add(reporter);
  return () => reporters.delete(reporter);
}

export function emit(event: DeployEvent): void {
  if (reporters.size === 0) fallback(event);
  for (const reporter of reporters) reporter(event);
}

/** Runs `work` as a step of the progress tree, reporting start, end, duration and failure. */
export async function step<T>(path: string[], work: () => Promise<T>, describe?: (result: T) => { detail?: string; skipped?: boolean }): Promise<T> {
  const started = performance.now();
  emit({ type: "step", path, status: "running" });
  try {
    const result = await work();
    const { detail, skipped } = describe?.(result) ?? {};
    emit({ type: "step", path, status: skipped ? "skipped" : "done", ms: performance.now() - started, ...(detail ? { detail } : {}) });
    return result;
  } catch (error) {
    emit({ type: "step", path, status: "failed", ms: performance.now() - started, detail: (error as Error).message });
    throw error;
  }
}
