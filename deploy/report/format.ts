import type { DeployEvent, ProgramAction, StepStatus } from "./deploy-event.js";
import { describeExit } from "../host.js";
import { colorsFor, serviceColor } from "./colors.js";

/** Wording shared by the plain and the live reporter. */

export const stepMarks: Record<StepStatus, string> = { running: "…", done: "✔", failed: "✖", skipped: "↷" };

export function stepSuffix(event: { ms?: number; detail?: string; status: StepStatus }): string {
  const parts = [event.ms !== undefined ? `${Math.round(event.ms)} ms` : "", event.status !== "failed" ? (event.detail ?? "") : ""].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

type Colors = ReturnType<typeof colorsFor>;

const programActions: Record<ProgramAction, (event: { signal?: string; run: number }) => string> = {
  kill: (event) => `killed with ${event.signal}`,
  pause: () => "paused",
  resume: () => "resumed",
  restart: (event) => `restarted (run ${event.run})`,
  stop: () => "stopped",
};

/** A program's line, an exit, or a log message, as printed for a person; undefined for steps. */
export function formatLine(event: DeployEvent, colors: Colors): string | undefined {
  switch (event.type) {
    case "output":
      return `${serviceColor(colors, event.service)(`[${event.service}]`)} ${event.line}`;
    case "exit": {
      const text = `[${event.service}] ${describeExit(event)}`;
      return event.code === 0 ? colors.dim(text) : colors.yellow(text);
    }
    case "program":
      return colors.yellow(`[${event.service}] ${programActions[event.action](event)}`);
    case "network":
      return colors.yellow(`[network] ${event.description} (${event.edges} edge${event.edges === 1 ? "" : "s"})`);
    case "log":
      return event.level === "error" ? colors.red(event.message) : event.level === "warn" ? colors.yellow(event.message) : event.message;
    case "error":
      return describeFailure(event.message);
    case "step":
      return undefined;
  }
}

/** The run's failure, as the one line (or list of problems) a person reads. */
export function describeFailure(message: string): string {
  return `error: ${message}`;
}

/** Service stdout goes to stdout; everything about the deployment goes to stderr, so `hydro run … > out` keeps only program output. */
export function streamFor(event: DeployEvent): NodeJS.WriteStream {
  return event.type === "output" && event.stream === "stdout" ? process.stdout : process.stderr;
}
