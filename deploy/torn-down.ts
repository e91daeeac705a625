import { TornDownError } from "./errors.js";

/**
 * The deployment's teardown signal as a layer below the Deployment gets it (LaunchContext.signal),
 * with what that layer gives up when it aborts: `launching aws host "web"`, `connecting to ssh host "db" (…)`.
 */
export interface TornDownSignal {
  readonly signal: AbortSignal;
  readonly what: string;
}

/**
 * The TornDownError for giving up `what`. A layer below the Deployment has only the signal, so the
 * deployment is named by the signal's reason when that is a TornDownError (the Deployment aborts
 * with one), else as "the deployment".
 */
export function tornDownError({ signal, what }: TornDownSignal): TornDownError {
  const reason: unknown = signal.reason;
  return reason instanceof TornDownError ? new TornDownError(reason.deployment, what, reason.why) : new TornDownError("the deployment", what);
}

export function throwIfTornDown(tornDown: TornDownSignal | undefined): void {
  if (tornDown?.signal.aborted) throw tornDownError(tornDown);
}
