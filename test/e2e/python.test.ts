import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { cli, eventually, hydro, processesMatching, repoRoot, tempDir, uniqueTag, waitForLine } from "../helpers.js";

const echo = path.join(repoRoot, "examples", "echo", "echo.hydro.py");
const pythonFixture = (name: string) => path.join(repoRoot, "test", "fixtures", "python", name);

describe("Python configs (hydro run x.hydro.py)", () => {
  test("examples/echo/echo.hydro.py runs the seed's echo on localhost and exits 0", async () => {
    const result = await hydro(["run", echo, "--", "--count", "3"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^client says: echo 2: [\d.]+ ms round trip$/m);
    assert.match(result.stdout, /^client says: done: 3 echoes, mean round trip [\d.]+ ms$/m);
  });

  test("--json: the script's prints are log events among the deploy events", async () => {
    const result = await hydro(["run", "--json", echo, "--", "--count", "2"]);
    assert.equal(result.exitCode, 0, result.stderr);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; text?: string; message?: string });
    assert.ok(
      events.some((event) => event.type === "step"),
      "deploy steps",
    );
    const texts = events.map((event) => event.text ?? event.message ?? "").join("\n");
    assert.match(texts, /client says: done: 2 echoes/);
  });

  test("HostPool: two deployments in turn launch the pool's host once (their own hosts each time); a released pool refuses new hosts", async () => {
    const launches = async (mode: string) => {
      const result = await hydro(["run", "--json", pythonFixture("pool.hydro.py"), "--", mode]);
      assert.equal(result.exitCode, 0, result.stderr);
      const events = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { type: string; path?: string[]; status?: string; message?: string });
      const texts = events.map((event) => event.message ?? "").join("\n");
      assert.match(texts, /^point 1 exited with 0$/m);
      assert.match(texts, /^refused: \S*pool\.hydro\.py:17: Ssh\(\): kept is released; declare hosts on a pool before releasing it$/m);
      return events.filter((event) => event.type === "step" && event.status === "done" && event.path?.join(" › ") === "deploy › hosts › localhost").length;
    };
    // The pool's localhost is launched by the first deployment alone; a deployment's own, by each.
    assert.equal(await launches("pool"), 1);
    assert.equal(await launches("own"), 2);
  });

  const mistakes: Array<[string, RegExp]> = [
    ["bad-option", /^error: \S*mistakes\.hydro\.py:9: Service\(\): options: Unrecognized key: "ready_timeout"$/m],
    ["bad-timeout", /^error: \S*mistakes\.hydro\.py:11: Deployment\(\): ready_timeout_ms: Too small: expected number to be >0$/m],
    ["missing-src", /^error: \S*mistakes\.hydro\.py:13: Service\(\): src: file not found: \S*nowhere\.ts$/m],
    [
      "undeclared-port",
      /^error: service "echo_server" on localhost has no port 'inbund' \(wired at \S*mistakes\.hydro\.py:17\); it declares: inbound \(source\), outbound \(sink\)$/m,
    ],
    ["raise", /^error: \S*mistakes\.hydro\.py:21: ValueError: boom from the script$/m],
    [
      "node-not-port",
      /^error: \S*mistakes\.hydro\.py:30: connect\(\): expected a port as the argument, e\.g\. service\.ports\.inbound, got a host or node, not one of its ports$/m,
    ],
  ];
  for (const [scenario, expected] of mistakes) {
    test(`${scenario}: one error line naming the Python file and line`, async () => {
      const result = await hydro(["run", pythonFixture("mistakes.hydro.py"), "--", scenario]);
      assert.equal(result.exitCode, 1, result.stdout + result.stderr);
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.match(/^error: /gm)?.length, 1, result.stderr);
    });
  }

  test("an exception in the script prints its traceback with the raising line", async () => {
    const result = await hydro(["run", pythonFixture("mistakes.hydro.py"), "--", "raise"]);
    assert.match(result.stderr, /File "\S*mistakes\.hydro\.py", line 21, in main\n\s+raise ValueError\("boom from the script"\)/);
  });

  test("a script catches a bad option as hydro.ConfigError, with its own names", async () => {
    const result = await hydro(["run", pythonFixture("mistakes.hydro.py"), "--", "catch"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(
      result.stdout,
      /^caught ConfigError: \S*mistakes\.hydro\.py:24: Deployment\(\): heartbeat_ms: Invalid input: expected number, received string$/m,
    );
  });

  test("network faults and broadcast from Python: partition, counts, clear, delay, heal; options refused in Python's names", async () => {
    const result = await hydro(["run", pythonFixture("faults.hydro.py")]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^set: partition relay \| script \(partition, seed None\)$/m);
    assert.match(result.stdout, /^counts: \[\('script', 'send', 'relay', 'inbound', 5, 0\), \('relay', 'outbound', 'script', 'back', 0, 0\)\]$/m);
    assert.match(result.stdout, /^after clear: \[5, 6, 7\]$/m, "what was sent across the partition was dropped");
    assert.match(result.stdout, /^set: delay relay ⇄ script: 20 ms \+ up to 5 ms \(seed 3\)$/m);
    assert.match(result.stdout, /^refused: \S*faults\.hydro\.py:\d+: delay\(\): jitter_ms: Invalid input: expected number, received string$/m);
    assert.match(result.stdout, /^refused: \S*faults\.hydro\.py:\d+: loss\(\): p: Too big: expected number to be <=1$/m);
    assert.match(result.stdout, /^refused: \S*faults\.hydro\.py:\d+: partition\(\): first group: the group is empty$/m);
    assert.match(result.stdout, /^broadcast reached: \['relays\.0', 'relays\.1'\]$/m);
    assert.match(result.stderr, /\[network\] partition relay \| script \(2 edges\)/);
  });

  test("the script's external ports: 10,000 pings sent and their echoes read back, in order", async () => {
    const result = await hydro(["run", pythonFixture("external.hydro.py"), "--", "10000"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^received 10000 echoes in order from echo_server$/m);
  });

  test("metrics: deployment.metrics() yields hydro.MetricSamples, program.metrics() the latest; profile=True profiles", async () => {
    const cwd = tempDir();
    const result = await hydro(["run", pythonFixture("metrics.hydro.py")], { cwd });
    assert.equal(result.exitCode, 0, result.stderr);
    const [deployment] = fs.readdirSync(path.join(cwd, ".hydro", "profiles"));
    assert.deepEqual(fs.readdirSync(path.join(cwd, ".hydro", "profiles", deployment!)).sort(), ["relay.cpuprofile", "relay.svg"]);
    // 5 messages of {"n": k}: 7 bytes of JSON and a 4-byte header each.
    assert.match(result.stdout, /^relay: 5 messages in, 55 bytes$/m);
  });

  test("a request/response loop leaves each `async for` after one echo, and loses none; a burst is shared by the next loops", async () => {
    const result = await hydro(["run", pythonFixture("external.hydro.py"), "--", "20", "one-by-one"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^one by one: 20 round trips, then a burst of 3 over 3 loops$/m);
  });

  for (const mode of ["blocking", "async"] as const) {
    test(`Ctrl-C while Python is in a ${mode} wait tears everything down, Python included, and exits 130`, async () => {
      const tag = uniqueTag();
      const child = execa("node", [cli, "run", pythonFixture("forever.hydro.py"), "--", tag, mode], { cwd: tempDir(), reject: false, env: { NO_COLOR: "1" } });
      await waitForLine(child, "deployed");
      assert.ok(processesMatching(tag).length >= 3, "relays, sleeper and Python are running");
      child.kill("SIGINT");
      const result = await child;
      assert.equal(result.exitCode, 130, result.stderr);
      await eventually(() => processesMatching(tag).length === 0, 5_000, "nothing tagged left, Python included");
    });
  }

  test("the Python process killed with SIGKILL fails the run, naming it, and everything is torn down", async () => {
    const tag = uniqueTag();
    const child = execa("node", [cli, "run", pythonFixture("forever.hydro.py"), "--", tag, "async"], { cwd: tempDir(), reject: false, env: { NO_COLOR: "1" } });
    await waitForLine(child, "deployed");
    const python = processesMatching(`hydro._run ${pythonFixture("forever.hydro.py")} ${tag}`);
    assert.equal(python.length, 1, "the Python process");
    process.kill(python[0]!, "SIGKILL");
    const result = await child;
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stderr, /^error: \S*forever\.hydro\.py: python was killed by SIGKILL before main\(\) finished$/m);
    assert.deepEqual(processesMatching(tag), []);
  });

  // A stand-in for hydro._run that breaks the bridge: each case, and what the run says and does.
  const hostile: Array<{ scenario: string; exitCode: number; says: RegExp }> = [
    { scenario: "exit-silently", exitCode: 1, says: /^error: \S*any\.hydro\.py: python exited with code 3 before main\(\) finished$/m },
    { scenario: "not-json", exitCode: 1, says: /^error: \S*any\.hydro\.py: the Python side sent a line that is not JSON: "hello world"$/m },
    { scenario: "not-an-object", exitCode: 1, says: /^error: \S*any\.hydro\.py: the Python side sent a message that is not a JSON object: "null"$/m },
    { scenario: "huge", exitCode: 1, says: /^error: \S*any\.hydro\.py: the Python side sent a message longer than 67108864 bytes$/m },
    { scenario: "bad-version", exitCode: 1, says: /^error: \S*any\.hydro\.py: this deployer speaks bridge version 1, the hydro package 99$/m },
    {
      scenario: "unknown-call",
      exitCode: 0,
      says: /^deployer said: .*"type": "HydroError", "message": "the Python side asked for 'format_disk', which this deployer does not know/m,
    },
    { scenario: "bad-handle", exitCode: 0, says: /^deployer said: .*"message": "'deploy' names handle 999, which is not an object of this run"/m },
    {
      scenario: "control-lookalikes",
      exitCode: 0,
      says: /^\{"done": true\}\n\{"failed": \{"type": "Oops", "message": "not really"\}\}\ndeployer said: \{"id": 1, "ok": 1\}$/m,
    },
  ];
  for (const { scenario, exitCode, says } of hostile) {
    test(`a broken bridge (${scenario}): ${exitCode ? "one error line, the run fails" : "an error answer, the run goes on"}`, async () => {
      const cwd = tempDir();
      const script = path.join(cwd, "any.hydro.py");
      fs.writeFileSync(script, "# never run: hostile-python.sh stands in for the interpreter\n");
      const result = await hydro(["run", script, "--", scenario], { cwd, env: { HYDRO_PYTHON: pythonFixture("hostile-python.sh") } });
      assert.equal(result.exitCode, exitCode, result.stdout + result.stderr);
      assert.match(result.stdout + result.stderr, says);
      if (exitCode) assert.equal(result.stderr.match(/^error: /gm)?.length, 1, result.stderr);
    });
  }

  test("HYDRO_PYTHON names the interpreter; a missing one is one line saying what to install", async () => {
    const result = await hydro(["run", echo], { env: { HYDRO_PYTHON: "/nonexistent/python3" } });
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /^error: \S*echo\.hydro\.py: cannot start \/nonexistent\/python3: not found \(install python3 ≥ 3\.9, or set HYDRO_PYTHON\)$/m);
  });
});
