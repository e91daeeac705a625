import { plainReporter } from "./report/plain.js";
import type { DeployEvent, Reporter } from "./report/deploy-event.js";

/**
 * Everything the deployer does is reported as events (deploy/report/deploy-event.ts); a reporter
 * (progress tree, plain lines, JSON lines) turns them into output. One stream serves the CLI's
 * three display modes.
 */
export type { DeployEvent, ProgramAction, Reporter, StepStatus } from "./report/deploy-event.js";

const reporters = new Set<Reporter>();
/** With no reporter installed (a script run without the CLI), events still reach the user as plain lines. */
const fallback: Reporter = plainReporter();

export function addReporter(reporter: Reporter): () => void {
  reporters.add(reporter);
  return () => reporters.delete(reporter);
}

/** Reports `event`; returns a promise while a reporter's output is congested (see Reporter). */
export function emit(event: DeployEvent): Promise<void> | undefined {
  if (reporters.size === 0) return fallback(event) ?? undefined;
  const congested: Promise<void>[] = [];
  for (const reporter of reporters) {
    const drained = reporter(event);
    if (drained) congested.push(drained);
  }
  if (congested.length <= 1) return congested[0];
  return Promise.all(congested).then(() => {});
}

let interruption: string | undefined;

/**
 * The run was interrupted (Ctrl-C): steps that fail from now on fail because of it, and say so
 * rather than what broke on the way (a program killed while it was starting).
 */
export function interrupted(reason: string): void {
  interruption = reason;
}

/** Why the run was interrupted, once it was. */
export function interruptedBy(): string | undefined {
  return interruption;
}

/** What a finished step's line says besides its duration, and whether it turned out to have nothing to do. */
export type DescribeStep<T> = (result: T) => { detail?: string; skipped?: boolean };

/** Runs `work` as a step of the progress tree, reporting start, end, duration and failure. */
export async function step<T>(path: string[], work: () => Promise<T>, describe?: DescribeStep<T>): Promise<T> {
  const started = performance.now();
  emit({ type: "step", path, status: "running" });
  try {
    const result = await work();
    const { detail, skipped } = describe?.(result) ?? {};
    emit({ type: "step", path, status: skipped ? "skipped" : "done", ms: performance.now() - started, ...(detail ? { detail } : {}) });
    return result;
  } catch (error) {
    emit({ type: "step", path, status: "failed", ms: performance.now() - started, detail: interruption ?? (error as Error).message });
    throw error;
  }
}
