import { test } from "node:test";
import assert from "node:assert/strict";
import { UiState, type Change } from "./state.js";
import type { DeployEvent } from "../../deploy/report/deploy-event.js";

const topology: Extract<DeployEvent, { type: "topology" }> = {
  type: "topology",
  deployment: "d",
  hosts: [{ name: "localhost", kind: "localhost", network: "deployer" }],
  programs: ["start", "worker", "helper"].map((name) => ({ name, kind: "service", host: "localhost" })),
  edges: [],
};
const program = (service: string, action: "kill" | "pause" | "resume" | "restart" | "stop", run = 1): DeployEvent => ({
  type: "program",
  service,
  host: "localhost",
  action,
  run,
});
const step = (path: string[], status: "running" | "done" | "failed" = "done"): DeployEvent => ({ type: "step", path, status });

test("a program's state follows the run's events: starting, running, paused, stopped, exited, restarted", () => {
  const state = new UiState();
  const changes: Change[] = [];
  state.subscribe((change) => changes.push(change));
  const states = () =>
    Object.fromEntries(Object.values(state.snapshot().programs).map((p) => [p.name, `${p.state}${p.exit ? ` ${p.exit}` : ""} run ${p.run}`]));

  state.onEvent(topology);
  assert.deepEqual(states(), { start: "starting run 1", worker: "starting run 1", helper: "starting run 1" });
  // A sweep's point nests the deployment's steps; a program may be named `start`.
  for (const name of ["start", "worker", "helper"]) state.onEvent(step(["sweep", "1/2 n=1", "deploy", "start", name]));
  state.onEvent(step(["deploy", "bind", "worker"]));
  assert.deepEqual(states(), { start: "running run 1", worker: "running run 1", helper: "running run 1" });

  state.onEvent(program("worker", "pause"));
  state.onEvent(program("helper", "stop"));
  state.onEvent({ type: "exit", service: "start", host: "localhost", code: 3, signal: null });
  assert.deepEqual(states(), { start: "exited 3 run 1", worker: "paused run 1", helper: "stopped run 1" });

  state.onEvent(program("start", "restart", 2));
  state.onEvent(step(["teardown"]));
  assert.deepEqual(states(), { start: "stopped run 2", worker: "stopped run 1", helper: "stopped run 1" });

  assert.deepEqual(
    state.snapshot().timeline.map((entry) => entry.text),
    // Steps three deep at most (a sweep's point's are deeper), and every failed one.
    ["deploy › bind › worker done", "worker: pause", "helper: stop", "start exited (3)", "start: restart (run 2)", "teardown done"],
  );
  // A program change carries its state, not its samples.
  assert.deepEqual(
    changes.find((change) => change.kind === "program"),
    { kind: "program", program: { name: "start", state: "running", exit: undefined, run: 1 } },
  );
});

test("samples and output lines are kept to their bounds, oldest dropped; events of programs it does not know are ignored", () => {
  const state = new UiState();
  state.onEvent(topology);
  for (let i = 0; i < 70; i++) state.onEvent({ type: "metric", program: "worker", run: 1, at: i, cpu: 0, rss: 0, ports: {} });
  state.onEvent({ type: "metric", program: "stranger", run: 1, at: 0, cpu: 0, rss: 0, ports: {} });
  for (let i = 0; i < 1005; i++) state.onEvent({ type: "output", service: "worker", stream: "stdout", line: `line ${i}` });
  const { programs, output } = state.snapshot();
  assert.deepEqual(
    programs.worker!.samples.map((sample) => sample.at),
    Array.from({ length: 60 }, (_, i) => i + 10),
  );
  assert.equal(output.length, 1000);
  assert.deepEqual(output[0], { program: "worker", stream: "stdout", line: "line 5" });
  assert.equal(programs.stranger, undefined);
});
