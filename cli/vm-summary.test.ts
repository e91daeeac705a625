import { test } from "node:test";
import assert from "node:assert/strict";
import { vmSummary } from "./vm-summary.js";

const now = Date.parse("2025-03-01T12:00:00Z");
const hoursAgo = (hours: number) => new Date(now - hours * 3_600_000).toISOString();

test("a running VM: billed hours since it last started, one decimal under 10 h; its age since launch", () => {
  const vm = { machineType: "e2-small", state: "RUNNING", launchedAt: hoursAgo(30), runningSince: hoursAgo(2.14), billing: "running" as const };
  assert.equal(vmSummary(vm, now), "e2-small RUNNING, launched 30 h ago: billed while running (2.1 h so far)");
  assert.equal(vmSummary({ ...vm, runningSince: hoursAgo(12.4) }, now), "e2-small RUNNING, launched 30 h ago: billed while running (12 h so far)");
});

test("a stopped VM costs its disk; one starting or going costs nothing yet or any more", () => {
  const vm = { machineType: "t3.micro", state: "stopped", launchedAt: hoursAgo(0.5), runningSince: undefined };
  assert.equal(vmSummary({ ...vm, billing: "stopped" }, now), "t3.micro stopped, launched 30 min ago: disk still billed");
  assert.equal(vmSummary({ ...vm, state: "pending", billing: "starting" }, now), "t3.micro pending, launched 30 min ago: billed once running");
  assert.equal(vmSummary({ ...vm, state: "shutting-down", launchedAt: undefined, billing: "deleting" }, now), "t3.micro shutting-down: being deleted");
});
