import { createLogUpdate } from "log-update";
import type { DeployEvent, Reporter, StepStatus } from "./deploy-event.js";
import { colorsFor } from "./colors.js";
import { formatLine, stepMarks, stepSuffix, streamFor } from "./format.js";
import { write } from "./write.js";

interface StepState {
  path: string[];
  status: StepStatus;
  ms?: number;
  detail?: string;
}

/** Children shown under a running step; the rest are counted. */
const MAX_CHILDREN = 8;
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A live progress tree on a terminal (deploy › bundle › server …), redrawn in place on stderr.
 * Finished branches fold into their parent's line; program output prints above the tree.
 */
export function liveReporter(): Reporter {
  const colors = colorsFor(process.stderr);
  const draw = createLogUpdate(process.stderr, { showCursor: true });
  const steps = new Map<string, StepState>();
  let frame = 0;
  let ticker: NodeJS.Timeout | undefined;

  const render = () => {
    const lines: string[] = [];
    const childrenOf = (path: string[]) =>
      [...steps.values()].filter((step) => step.path.length === path.length + 1 && path.every((part, i) => step.path[i] === part));
    const walk = (step: StepState) => {
      const depth = step.path.length - 1;
      const mark =
        step.status === "running"
          ? colors.cyan(SPINNER[frame % SPINNER.length]!)
          : step.status === "failed"
            ? colors.red(stepMarks.failed)
            : step.status === "done"
              ? colors.green(stepMarks.done)
              : colors.dim(stepMarks.skipped);
      lines.push(`${"  ".repeat(depth)}${mark} ${step.path.at(-1)}${colors.dim(stepSuffix(step))}`);
      if (step.status === "done") return;
      const children = childrenOf(step.path).filter((child) => (step.status === "failed" ? child.status === "failed" : true));
      const shown = children.filter((child) => child.status !== "done").slice(0, MAX_CHILDREN);
      for (const child of shown) walk(child);
      const done = children.filter((child) => child.status === "done").length;
      const hidden = children.length - done - shown.length;
      const folded = [hidden > 0 ? `${hidden} more running` : "", done > 0 ? `${done} done` : ""].filter(Boolean).join(", ");
      if (folded) lines.push(colors.dim(`${"  ".repeat(depth + 1)}${folded}`));
    };
    for (const root of [...steps.values()].filter((step) => step.path.length === 1)) walk(root);
    draw(lines.join("\n"));
  };

  const onStep = (event: Extract<DeployEvent, { type: "step" }>) => {
    const key = event.path.join("\0");
    steps.set(key, { ...steps.get(key), ...event });
    if (event.path.length === 1 && event.status !== "running") {
      // A whole phase (deploy, teardown) ended: leave its summary on screen and start a fresh tree.
      render();
      draw.done();
      steps.clear();
      clearInterval(ticker);
      ticker = undefined;
      return;
    }
    ticker ??= setInterval(() => {
      frame++;
      render();
    }, 80).unref();
    render();
  };

  return (event) => {
    if (event.type === "step") return onStep(event);
    if (event.type === "metric" || event.type === "topology") return;
    draw.clear();
    const stream = streamFor(event);
    const drained = write(stream, `${formatLine(event, stream === process.stderr ? colors : colorsFor(process.stdout))}\n`);
    if (steps.size) render();
    return drained;
  };
}
