import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Deployment } from "../deployment.js";
import { addReporter, type DeployEvent } from "../events.js";
import { ConfigError, HydroError, TornDownError } from "../errors.js";
import { eventually, fixture, hydro, processesMatching, tempDir, uniqueTag } from "../../test/helpers.js";

/** What pid-server.mjs answers: the pid of the run serving the port now. */
function pidAt(address: { host: string; port: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = "";
    net
      .connect(address.port, address.host)
      .on("data", (chunk) => (text += chunk))
      .on("end", () => resolve(Number(text)))
      .on("error", reject);
  });
}

type LifecycleEvent = Extract<DeployEvent, { type: "program" | "exit" }>;

/** The state letter of /proc/<pid>/stat: R, S, T (stopped), … */
function processState(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0]!;
}

function recordEvents(): { events: LifecycleEvent[]; stop(): void } {
  const events: LifecycleEvent[] = [];
  const stop = addReporter((event) => void (event.type === "program" || event.type === "exit" ? events.push(event) : undefined));
  return { events, stop };
}

describe("a program's lifecycle while the deployment runs", () => {
  test("kill() crashes a process (exit 137, reported); restart() serves the same port again with a new run", async () => {
    const tag = uniqueTag();
    const d = new Deployment();
    const server = d.process({ name: "pids", command: ["node", fixture("pid-server.mjs"), "{port:main}", tag], on: d.localhost(), ports: { main: 0 } });
    const recorded = recordEvents();
    try {
      await d.deploy();
      const address = server.address("main");
      const first = await pidAt(address);
      server.kill();
      assert.equal(await server.exitCode(), 137);
      assert.equal(server.restarts, 0);
      await server.restart();
      assert.equal(server.restarts, 1);
      assert.deepEqual(server.address("main"), address, "the same port");
      const second = await pidAt(address);
      assert.notEqual(second, first);
      assert.equal(processesMatching(`^node \\S*pid-server\\.mjs [0-9]+ ${tag}`).length, 1, "one run at a time");
      // exitCode() now waits for the new run; a kill with another signal ends it.
      const exited = server.exitCode();
      server.kill("SIGTERM");
      assert.equal(await exited, 143);
      assert.deepEqual(
        recorded.events.map((event) => (event.type === "program" ? `${event.action} ${event.signal ?? event.run}` : `exit ${event.signal ?? event.code}`)),
        // The process() watchdog answers SIGTERM with the command's own status; SIGKILL ends the group.
        ["kill SIGKILL", "exit SIGKILL", "restart 2", "kill SIGTERM", "exit 143"],
      );
    } finally {
      recorded.stop();
      await d.teardown();
    }
    assert.deepEqual(processesMatching(tag), []);
  });

  test("pause() freezes a program (a connection gets no answer), resume() lets it answer; both are events", async () => {
    const d = new Deployment();
    const server = d.process({ name: "pids", command: ["node", fixture("pid-server.mjs"), "{port:main}"], on: d.localhost(), ports: { main: 0 } });
    const recorded = recordEvents();
    try {
      await d.deploy();
      const address = server.address("main");
      const pid = await pidAt(address);
      server.pause();
      server.pause(); // no-op
      // SIGSTOP takes effect once the kernel has delivered it: at once on an idle machine, not always under load.
      await eventually(() => processState(pid) === "T", 5_000, "the program to be stopped");
      const answer = pidAt(address);
      const early = await Promise.race([answer, new Promise((resolve) => setTimeout(() => resolve("no answer"), 500))]);
      assert.equal(early, "no answer");
      server.resume();
      assert.equal(await answer, pid, "the same run answers what waited");
      assert.deepEqual(
        recorded.events.map((event) => (event.type === "program" ? event.action : event.type)),
        ["pause", "resume"],
      );
    } finally {
      recorded.stop();
      await d.teardown();
    }
  });

  test("a paused program is still stopped gracefully at teardown, and restarted", async () => {
    const d = new Deployment({ stopTimeoutMs: 10_000 });
    const slow = d.process({ command: "trap 'exit 3' TERM; echo trapped; while :; do sleep 0.1; done", on: d.localhost() });
    const server = d.process({ command: ["node", fixture("pid-server.mjs"), "{port:main}"], on: d.localhost(), ports: { main: 0 } });
    const lines = slow.stdout();
    await d.deploy();
    for await (const line of lines) if (line === "trapped") break;
    const before = await pidAt(server.address("main"));
    server.pause();
    await server.restart();
    assert.notEqual(await pidAt(server.address("main")), before);
    slow.pause();
    await d.teardown();
    assert.equal(await slow.exitCode(), 3, "resumed, then asked: its own exit, not a SIGKILL");
  });

  test("a killed and restarted service: the script's port reconnects to it, what was sent meanwhile is dropped and counted", async () => {
    const d = new Deployment();
    const relay = d.service({ name: "relay", src: fixture("relay.ts"), on: d.localhost() });
    const me = d.external({ name: "script" });
    me.ports.requests.connect(relay.ports.inbound);
    relay.ports.outbound.connect(me.ports.replies);
    try {
      await d.deploy();
      const replies = me.ports.replies[Symbol.asyncIterator]();
      me.ports.requests.send({ n: 1 });
      assert.deepEqual((await replies.next()).value.data, { n: 1, from: "script" });
      relay.kill();
      await relay.exitCode();
      await eventually(() => !me.ports.requests.stats.relay!.connected, 5_000, "the script's port to notice");
      me.ports.requests.send({ n: 2 });
      await relay.restart();
      await eventually(() => me.ports.requests.stats.relay!.connected, 10_000, "the script's port to reconnect");
      me.ports.requests.send({ n: 3 });
      assert.deepEqual((await replies.next()).value.data, { n: 3, from: "script" }, "n: 2 went nowhere");
      assert.deepEqual(
        { ...me.ports.requests.stats.relay },
        { sent: 2, bytes: 2 * (4 + JSON.stringify({ n: 1 }).length), dropped: 1, reconnects: 1, connected: true, droppedByFault: 0, delayed: 0 },
      );
    } finally {
      await d.teardown();
    }
  });

  test("restart() of a running program stops it first; concurrent restarts are one; teardown leaves no run behind", async () => {
    const tag = uniqueTag();
    const d = new Deployment({ stopTimeoutMs: 500 });
    const server = d.process({ command: ["node", fixture("pid-server.mjs"), "{port:main}", tag], on: d.localhost(), ports: { main: 0 } });
    await d.deploy();
    const before = await pidAt(server.address("main"));
    await Promise.all([server.restart(), server.restart()]);
    assert.equal(server.restarts, 1);
    assert.notEqual(await pidAt(server.address("main")), before);
    await d.teardown();
    assert.deepEqual(processesMatching(tag), []);
  });

  test("misuse is one line each: before deploy(), after stop() or teardown, an unknown signal", async () => {
    const d = new Deployment();
    const server = d.process({ command: ["node", fixture("pid-server.mjs"), "{port:main}"], on: d.localhost(), ports: { main: 0 } });
    assert.throws(
      () => server.kill(),
      (error: Error) =>
        error instanceof HydroError &&
        /lifecycle-control\.test\.ts:\d+:\d+: kill\(\): process "node" on localhost is not running yet \(after deploy\(\) only\)$/.test(error.message),
    );
    assert.throws(() => server.restart(), /restart\(\): process "node" on localhost is not running yet/);
    assert.throws(() => server.pause(), /pause\(\): process "node" on localhost is not running yet/);
    await d.deploy();
    assert.throws(
      () => server.kill("SIGSTOP" as never),
      (error: Error) =>
        error instanceof ConfigError &&
        /kill\(\): signal: expected one of SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, got "SIGSTOP"$/.test(error.message),
    );
    await server.stop();
    assert.throws(
      () => server.restart(),
      (error: Error) => error instanceof TornDownError && /restart\(\) of process "node" on localhost: given up, it is stopped$/.test(error.message),
    );
    await d.teardown();
    assert.throws(() => server.kill(), TornDownError);
  });

  test("teardown during a restart leaves nothing running", async () => {
    for (let round = 0; round < 5; round++) {
      const tag = uniqueTag();
      const d = new Deployment({ stopTimeoutMs: 200 });
      const server = d.process({ command: ["node", fixture("pid-server.mjs"), "{port:main}", tag], on: d.localhost(), ports: { main: 0 } });
      await d.deploy();
      const restarting = server.restart().catch((error: Error) => error);
      await new Promise((resolve) => setTimeout(resolve, round * 40));
      await d.teardown();
      const outcome = await restarting;
      assert.ok(outcome === undefined || outcome instanceof TornDownError || outcome instanceof HydroError, String(outcome));
      await eventually(() => processesMatching(tag).length === 0, 5_000, `round ${round}: no run left`);
    }
  });
});

test("Python: kill(), restart() and restarts on a Process", async () => {
  const dir = tempDir();
  const config = path.join(dir, "restart.hydro.py");
  fs.writeFileSync(
    config,
    [
      "import hydro",
      "async def main(args):",
      "    d = hydro.Deployment()",
      `    p = d.Process(command=["node", ${JSON.stringify(fixture("pid-server.mjs"))}, "{port:main}"], on=d.Localhost(), ports={"main": 0})`,
      "    await d.deploy()",
      "    p.pause()",
      "    p.resume()",
      "    p.kill()",
      "    print('killed:', await p.exit_code())",
      "    await p.restart()",
      "    print('restarts:', p.restarts, 'port kept:', p.address('main').port > 0)",
      "    p.kill('SIGBOGUS')",
    ].join("\n"),
  );
  const result = await hydro(["run", config], { cwd: dir });
  assert.match(result.stdout, /^killed: 137$/m);
  assert.match(result.stdout, /^restarts: 1 port kept: True$/m);
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /^error: \S*restart\.hydro\.py:12: kill\(\): signal: expected one of SIGKILL, .*, got "SIGBOGUS"$/m);
});
