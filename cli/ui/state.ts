/**
 * What the web view shows, kept up to date from the run's events (deploy/report/deploy-event.ts):
 * the topology of the deployment that deployed last, each program's state and recent metrics and
 * output, and a timeline of what happened. The page gets a snapshot, then every change as it comes.
 */
import type { DeployEvent, ProgramAction } from "../../deploy/report/deploy-event.js";
import type { Topology } from "../../deploy/plan/topology-types.js";
import type { MetricSample } from "../../deploy/metrics/sample.js";

/** Samples kept per program (a minute at the default interval): the sparklines' width. */
const SAMPLES = 60;
/** Output lines kept, of all programs. */
const LINES = 1000;
/** Timeline entries kept. */
const TIMELINE = 500;

export type ProgramState = "starting" | "running" | "paused" | "stopped" | "exited";

export interface ProgramView {
  name: string;
  state: ProgramState;
  /** For `exited`: the code, or the signal that ended it. */
  exit?: string;
  run: number;
  samples: MetricSample[];
}

export interface OutputLine {
  program: string;
  stream: "stdout" | "stderr";
  line: string;
}

export interface TimelineEntry {
  at: number;
  kind: "step" | "program" | "exit" | "network" | "log" | "error";
  text: string;
}

export interface Snapshot {
  topology: Topology | undefined;
  programs: Record<string, ProgramView>;
  /** The programs' latest lines, in the order they came. */
  output: OutputLine[];
  timeline: TimelineEntry[];
}

/** A change the page applies to its snapshot: one message of the event stream. */
export type Change =
  | { kind: "topology"; topology: Topology; programs: Record<string, ProgramView> }
  /** A program's state changed (its samples and lines come as their own changes). */
  | { kind: "program"; program: Pick<ProgramView, "name" | "state" | "exit" | "run"> }
  | { kind: "sample"; sample: MetricSample }
  | { kind: "line"; line: OutputLine }
  | { kind: "timeline"; entry: TimelineEntry };

export class UiState {
  private topology: Topology | undefined;
  private readonly programs = new Map<string, ProgramView>();
  private readonly timeline: TimelineEntry[] = [];
  private readonly output: OutputLine[] = [];
  private readonly listeners = new Set<(change: Change) => void>();

  snapshot(): Snapshot {
    return { topology: this.topology, programs: Object.fromEntries(this.programs), output: [...this.output], timeline: [...this.timeline] };
  }

  /** Calls `listener` with every change from now on; returns how to stop. */
  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes one of the run's events. */
  readonly onEvent = (event: DeployEvent): void => {
    switch (event.type) {
      case "topology": {
        const { type: _, ...topology } = event;
        this.topology = topology;
        this.programs.clear();
        for (const { name } of topology.programs) this.programs.set(name, { name, state: "starting", run: 1, samples: [] });
        this.publish({ kind: "topology", topology, programs: Object.fromEntries(this.programs) });
        return;
      }
      case "metric": {
        const { type: _, ...sample } = event;
        const program = this.programs.get(sample.program);
        if (!program) return;
        program.samples.push(sample);
        if (program.samples.length > SAMPLES) program.samples.shift();
        this.publish({ kind: "sample", sample });
        return;
      }
      case "output": {
        const line = { program: event.service, stream: event.stream, line: event.line };
        if (this.output.push(line) > LINES) this.output.shift();
        this.publish({ kind: "line", line });
        return;
      }
      case "step":
        return this.onStep(event.path, event.status, event.detail);
      case "program": {
        // A kill's effect is the exit that follows.
        const next: Record<ProgramAction, Partial<ProgramView>> = {
          pause: { state: "paused" },
          resume: { state: "running" },
          restart: { state: "running", run: event.run, exit: undefined },
          stop: { state: "stopped" },
          kill: {},
        };
        this.update(event.service, next[event.action]);
        this.note(
          "program",
          `${event.service}: ${event.action}${event.signal ? ` ${event.signal}` : ""}${event.action === "restart" ? ` (run ${event.run})` : ""}`,
        );
        return;
      }
      case "exit": {
        const exit = event.signal ?? String(event.code);
        this.update(event.service, { state: "exited", exit });
        this.note("exit", `${event.service} exited (${exit})`);
        return;
      }
      case "network":
        return this.note("network", event.description);
      case "log":
        return this.note("log", event.message);
      case "error":
        return this.note("error", event.message);
    }
  };

  private onStep(path: string[], status: string, detail: string | undefined): void {
    if (status === "running") return;
    // `… deploy › start › <program>` done: it runs. `… teardown` done: everything still up was stopped.
    const [step, program] = path.slice(-3, -1)[0] === "deploy" ? path.slice(-2) : [];
    if (status === "done" && step === "start" && program !== undefined) this.update(program, { state: "running" });
    if (status === "done" && path.at(-1) === "teardown") {
      for (const program of this.programs.values()) if (program.state !== "exited") this.update(program.name, { state: "stopped" });
    }
    if (path.length <= 3 || status === "failed") this.note("step", `${path.join(" › ")} ${status}${detail ? `: ${detail}` : ""}`);
  }

  private update(name: string, change: Partial<ProgramView>): void {
    const program = this.programs.get(name);
    if (!program) return;
    Object.assign(program, change);
    this.publish({ kind: "program", program: { name: program.name, state: program.state, exit: program.exit, run: program.run } });
  }

  private note(kind: TimelineEntry["kind"], text: string): void {
    const entry = { at: Date.now(), kind, text };
    this.timeline.push(entry);
    if (this.timeline.length > TIMELINE) this.timeline.shift();
    this.publish({ kind: "timeline", entry });
  }

  private publish(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
