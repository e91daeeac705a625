import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Deployment } from "../../deploy/deployment.js";
import { addReporter, type DeployEvent } from "../../deploy/events.js";
import { collect, fixture, processesMatching, uniqueTag } from "../helpers.js";

// Teardown on localhost with real processes and signals, driven in-process through the Deployment API.

/** Pids started by a test that teardown may legitimately give up on; killed (by pid) when the file ends. */
const strays = new Set<number>();
after(() => {
  for (const pid of strays) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

/** A command line that sleeps for 10 minutes and carries `tag` in its argv, to be found by. */
const sleeper = (tag: string) => `/usr/bin/python3 -c 'import time; time.sleep(600)' ${tag}`;

/** Every event reported while `work` runs. */
async function recording<T>(work: () => Promise<T>): Promise<{ result: T; events: DeployEvent[] }> {
  const events: DeployEvent[] = [];
  const remove = addReporter((event) => void events.push(event));
  try {
    return { result: await work(), events };
  } finally {
    remove();
  }
}

describe("teardown never hangs", () => {
  test("a program whose output an escaped process keeps open is given up on after SIGKILL, by name", async () => {
    const tag = uniqueTag();
    const d = new Deployment({ stopTimeoutMs: 500 });
    // The detached sleep is in a session of its own with a clean environment, and it holds stdout open.
    d.process({ name: "holder", command: `env -i setsid ${sleeper(tag)} & exec sleep 600`, on: d.localhost() });
    await d.deploy();
    for (const pid of processesMatching(tag)) strays.add(pid);
    const started = Date.now();
    const { events } = await recording(() => d.teardown());
    assert.ok(Date.now() - started < 30_000, `teardown took ${Date.now() - started} ms`);
    const failed = events.find((event) => event.type === "step" && event.path.join(" ") === "teardown" && event.status === "failed");
    assert.match(
      failed?.type === "step" ? (failed.detail ?? "") : "",
      /process "holder" on localhost: no exit reported \d+ ms after SIGKILL \(something it started may hold its output open\); gave up on it/,
    );
  });
});

describe("kill() (a second Ctrl-C)", () => {
  test("removes the run directory and its sockets before it returns", async () => {
    const d = new Deployment();
    const [a, b] = ["a", "b"].map((name) => d.service({ name, src: fixture("relay.ts"), on: d.localhost() }));
    a!.ports.outbound.connect(b!.ports.inbound);
    await d.deploy();
    const runDirs = () => fs.readdirSync(os.tmpdir()).filter((entry) => entry.startsWith(`hydro-${process.pid}-`));
    const [runDir] = runDirs();
    assert.ok(runDir && fs.readdirSync(path.join(os.tmpdir(), runDir)).some((file) => file.endsWith(".sock")), "a socket in the run directory");
    d.kill();
    assert.deepEqual(runDirs(), []);
    assert.deepEqual(await Promise.all([a!.exitCode(), b!.exitCode()]), [137, 137]);
  });
});

describe("process() and stopTimeoutMs", () => {
  /** A command that reports every SIGTERM it gets, then does `then` (an exit, or nothing); it prints "ready" once it listens. */
  const reportsTerm = (then: string) => `trap 'echo term; ${then}' TERM; echo ready; while :; do sleep 0.1; done`;

  /** Deploys, tears down once the command listens for SIGTERM, and returns its exit code and the lines it printed after "ready". */
  async function stopped(d: Deployment, command: ReturnType<Deployment["process"]>): Promise<{ code: number; lines: string[] }> {
    const lines = command.stdout();
    await d.deploy();
    assert.deepEqual(await lines.next(), { done: false, value: "ready" });
    await d.teardown();
    return { code: await command.exitCode(), lines: await collect(lines) };
  }

  test("a command that exits cleanly 3 s after SIGTERM gets the time and its own exit status, and one SIGTERM", async () => {
    const d = new Deployment({ stopTimeoutMs: 8_000 });
    const command = d.process({ name: "graceful", command: reportsTerm("sleep 3; exit 0"), on: d.localhost() });
    assert.deepEqual(await stopped(d, command), { code: 0, lines: ["term"] });
  });

  test("a command that ignores SIGTERM is killed after stopTimeoutMs and reported as 137", async () => {
    const d = new Deployment({ stopTimeoutMs: 1_000 });
    const command = d.process({ name: "stubborn", command: reportsTerm(":"), on: d.localhost() });
    assert.deepEqual(await stopped(d, command), { code: 137, lines: ["term"] });
  });
});
