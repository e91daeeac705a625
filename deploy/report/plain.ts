import type { Reporter } from "./deploy-event.js";
import { colorsFor } from "./colors.js";
import { formatLine, stepMarks, stepSuffix, streamFor } from "./format.js";
import { write } from "./write.js";

/** One line per finished step and per program line: for pipes, logs and CI. */
export function plainReporter(): Reporter {
  const colors = { out: colorsFor(process.stdout), err: colorsFor(process.stderr) };
  // A failure fails every step above it too: it is told once, at the step that failed.
  const toldFailures = new Set<string>();
  return (event) => {
    const stream = streamFor(event);
    const palette = stream === process.stdout ? colors.out : colors.err;
    if (event.type === "metric" || event.type === "topology") return;
    if (event.type === "step") {
      if (event.status === "running") return;
      const detail = event.status === "failed" ? event.detail?.split("\n")[0] : undefined;
      const failure = detail && !toldFailures.has(detail) ? `: ${detail}` : "";
      if (detail) toldFailures.add(detail);
      return write(stream, `${stepMarks[event.status]} ${event.path.join(" › ")}${stepSuffix(event)}${failure}\n`);
    }
    return write(stream, `${formatLine(event, palette)}\n`);
  };
}
